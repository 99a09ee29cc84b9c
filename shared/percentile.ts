/**
 * Nearest-rank percentile (the value at rank ceil(p/100 * n)); NaN for no samples. Here, below both, because the
 * operator's `stats` command and the bench both read latencies with it.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
