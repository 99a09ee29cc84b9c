/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the wait before
 * retry number `retry` (0 for the first) is random between 0 and min(cap, base * 2^retry). Every retry loop of
 * ours that talks to AWS or a downstream API waits this way.
 */
export function fullJitter(baseMs: number, retry: number, capMs = 5_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** retry);
}
