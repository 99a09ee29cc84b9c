import { setCrashPlanner, type CrashPhase } from '../../shared/crash-points';
import type { StackOptions } from './stack';

/**
 * What the kill test (test/chain/kill.test.ts) asks of `npm start` through the environment; nothing is set
 * otherwise, and an operator never needs these:
 * - CHARTERFLOW_FUNCTION_TIMEOUT_MS, CHARTERFLOW_RETRY_BASE_MS, CHARTERFLOW_RETRY_MAX_MS: a short function timeout
 *   and retries that come after it, as Lambda's come a minute after a 29-s timeout;
 * - CHARTERFLOW_KILL_AT=<consumer>:<call>:<before|after>[:<revision>]: the process kills itself (SIGKILL) when
 *   the first invocation of that consumer (on that revision) to reach that downstream call does
 *   (shared/crash-points.ts).
 */
export function crashTestingFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Pick<StackOptions, 'functionTimeoutMs' | 'backoff'> {
  const number = (name: string) => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a whole number of ms, got "${text}"`);
    return value;
  };
  const base = number('CHARTERFLOW_RETRY_BASE_MS');
  const options: Pick<StackOptions, 'functionTimeoutMs' | 'backoff'> = {
    functionTimeoutMs: number('CHARTERFLOW_FUNCTION_TIMEOUT_MS'),
    backoff: base === undefined ? undefined : { baseMs: base, maxMs: number('CHARTERFLOW_RETRY_MAX_MS') ?? base * 4 },
  };
  const killAt = env.CHARTERFLOW_KILL_AT;
  if (killAt) {
    const [consumer, call, phase, revision] = killAt.split(':');
    if (
      !consumer ||
      !Number.isInteger(Number(call)) ||
      (phase !== 'before' && phase !== 'after') ||
      (revision !== undefined && !Number.isInteger(Number(revision)))
    )
      throw new Error(`CHARTERFLOW_KILL_AT must be <consumer>:<call>:<before|after>[:<revision>], got "${killAt}"`);
    // Before any handler is imported: the SDK clients carry the crash points only when asked as they are made.
    env.CHARTERFLOW_CRASH_POINTS = '1';
    // Every invocation of the consumer carries the plan: the first to reach the call ends the process.
    setCrashPlanner((invocation) =>
      invocation.consumer === consumer && (revision === undefined || invocation.revision === Number(revision))
        ? { at: Number(call), phase: phase as CrashPhase, kill: true, calls: [] }
        : undefined,
    );
  }
  return options;
}
