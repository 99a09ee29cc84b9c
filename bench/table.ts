/** Plain-text tables for the terminal: the bench's figures and the packaged run beside source mode. */

export const formatValue = (value: number) =>
  !Number.isFinite(value)
    ? 'n/a'
    : Math.abs(value) >= 100
      ? String(Math.round(value))
      : String(Math.round(value * 100) / 100);

/** A plain-text table of columns padded to their widest cell, a rule under the header. */
export function formatColumns(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    header
      .map((_, i) => (i === header.length - 1 ? (cells[i] ?? '') : (cells[i] ?? '').padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
