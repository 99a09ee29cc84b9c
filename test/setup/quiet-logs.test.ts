import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isLogLine, LogHold } from './log-hold';

/** npm test's console: the stack's log lines of a passing test stay out of it; a failing test shows its own. */

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

function runFixture(env: Record<string, string> = {}): Promise<string> {
  const vitest = fileURLToPath(new URL('../../node_modules/.bin/vitest', import.meta.url));
  const args = ['run', '--config', 'test/fixtures/quiet-logs/quiet-logs.config.ts', '--reporter=default'];
  const options = { cwd: root, env: { ...process.env, CHARTERFLOW_TEST_LOGS: '', ...env } };
  // The fixture has a failing test on purpose: vitest exits 1.
  return run(vitest, args, options).then(
    ({ stdout, stderr }) => stdout + stderr,
    (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
  );
}

describe('log lines in the test output', () => {
  it('keeps a passing test’s log lines out, shows a failing test’s, and leaves other lines alone', async () => {
    const output = await runFixture();
    expect(output).toContain('1 failed');
    expect(output).not.toContain('the warning of a passing test');
    expect(output).toContain('--- 1 log line(s) of the failed test "fails after an error" ---');
    expect(output).toContain('"message":"the error of a failing test"');
    expect(output).toContain('a plain line stays');
  }, 60_000);

  it('prints them all with CHARTERFLOW_TEST_LOGS=all', async () => {
    const output = await runFixture({ CHARTERFLOW_TEST_LOGS: 'all' });
    expect(output).toContain('the warning of a passing test');
    expect(output).toContain('the error of a failing test');
  }, 60_000);

  it.each([
    ['{"level":"WARN","message":"x"}', true],
    ['{"_aws":{"Timestamp":1},"eventsActedOn":1}', true],
    ['{"time":"2026-12-05T07:00:00Z","type":"platform.report","record":{}}', true],
    ['{"bookingId":"XHQGMDH"}', false],
    ['{not json', false],
    ['tests: 12 passed, 0 failed', false],
  ])('%s is a log line: %s', (line, expected) => {
    expect(isLogLine(line)).toBe(expected);
  });

  it('holds whole log lines and passes the rest through, a partial line included', () => {
    const hold = new LogHold();
    expect(hold.take('{"level":"ERROR","message":"a"}\nplain\n{"level":"INFO"}\npart')).toBe('plain\npart');
    expect(hold.release()).toEqual(['{"level":"ERROR","message":"a"}', '{"level":"INFO"}']);
    expect(hold.release()).toEqual([]);
  });
});
