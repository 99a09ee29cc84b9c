import { afterAll, afterEach } from 'vitest';
import { LogHold } from './log-hold';

/**
 * Setup file (vitest.config.ts): JSON log lines written to this worker's stdout and stderr are held back and
 * printed only with a test that fails (test/setup/log-hold.ts says why). CHARTERFLOW_TEST_LOGS=all prints them
 * all, as before.
 */

interface Installed {
  hold: LogHold;
  write: (text: string) => void;
}

const KEY = Symbol.for('charterflow.test.quiet-logs');
const store = globalThis as { [KEY]?: Installed };

// Setup files run once per test file, and a unit worker runs many files in one process: patch the streams once.
function install(): Installed {
  const hold = new LogHold();
  const original = process.stderr.write.bind(process.stderr) as (text: string) => boolean;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) return write(chunk, ...rest);
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const shown = hold.take(text);
      if (shown.length > 0) return write(shown, ...rest);
      (rest.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
      return true;
    }) as typeof stream.write;
  }
  return { hold, write: (text) => void original(text) };
}

if (process.env.CHARTERFLOW_TEST_LOGS !== 'all') {
  store[KEY] ??= install();
  const { hold, write } = store[KEY];
  const show = (what: string) => {
    const lines = hold.release();
    if (lines.length === 0) return;
    write(`\n--- ${lines.length} log line(s) of ${what} ---\n${lines.join('\n')}\n--- end of log lines ---\n`);
  };
  // What a file logs before its first test (beforeAll) goes with that test.
  let testsEnded = 0;
  afterEach(({ task }) => {
    testsEnded++;
    if (task.result?.state === 'fail') show(`the failed test "${task.name}"`);
    else hold.drop();
  });
  // A file none of whose tests ran (its beforeAll failed): what it logged shows with it.
  afterAll(() => {
    if (testsEnded === 0) show('a file whose tests did not run');
    else hold.drop();
  });
}
