import { writeFileSync } from 'node:fs';
import type { PackagedResults } from './packaged-figures';
import { formatValue } from './table';

/** One figure of the bench: what, how much, the aim if there is one, and how it was measured. */
export interface Figure {
  section: string;
  name: string;
  value: number;
  unit: string;
  aim?: { op: '<=' | '<' | '>='; value: number };
  how: string;
}

/** Whether a figure meets its aim (undefined when it has none, or no value was measured). */
export function meetsAim(figure: Figure): boolean | undefined {
  if (!figure.aim || !Number.isFinite(figure.value)) return undefined;
  switch (figure.aim.op) {
    case '<':
      return figure.value < figure.aim.value;
    case '<=':
      return figure.value <= figure.aim.value;
    case '>=':
      return figure.value >= figure.aim.value;
  }
}

/** A plain-text table, one line per figure, grouped by section, with the aim and how it was measured (" = as above). */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f, i) => {
    const met = meetsAim(f);
    const previous = figures[i - 1];
    const sameHow = previous !== undefined && previous.section === f.section && previous.how === f.how;
    return {
      section: f.section,
      cells: [
        f.name,
        `${formatValue(f.value)} ${f.unit}`.trim(),
        f.aim ? `${f.aim.op} ${formatValue(f.aim.value)}${met === undefined ? '' : met ? ' ok' : ' MISSED'}` : '',
        sameHow ? '"' : f.how,
      ],
    };
  });
  const header = ['figure', 'value', 'aim', 'how it was measured'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w)))];
  let section: string | undefined;
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      out.push('', `[${section}]`);
    }
    out.push(line(row.cells));
  }
  return out.join('\n');
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  /** 1-minute load average at the start and the end: other work on the machine shows here. */
  loadAverage?: { start: number; end: number };
}

export interface Results {
  startedAt: string;
  mode: 'full' | 'quick';
  durationSeconds: number;
  machine: Machine;
  figures: Figure[];
  raw: Record<string, unknown>;
  /** The chain and the cold starts of a `serverless package` output, each function in processes of its own. */
  packaged?: PackagedResults;
}

export function writeResults(file: string, results: Results): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
