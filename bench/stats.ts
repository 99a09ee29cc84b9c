import { percentile } from '../shared/percentile';

/** The bench's arithmetic, pure so test/bench checks it without a stack. */

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  const mean = values.length === 0 ? NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    count: values.length,
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    mean: round(mean),
  };
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** Two decimals: finer than a millisecond means nothing on a loaded laptop. */
export const round = (value: number, digits = 2) => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

/** Total length of a set of [start, end] intervals, overlaps counted once (parallel calls are one wait). */
export function unionLength(intervals: readonly (readonly [number, number])[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [start, stop] of sorted) {
    if (stop <= end) continue;
    total += stop - Math.max(start, end);
    end = stop;
  }
  return total;
}

/** Runs `act` over the items with at most `concurrency` in flight, in order of the items. */
export async function inPool<T, R>(
  items: readonly T[],
  concurrency: number,
  act: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await act(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
