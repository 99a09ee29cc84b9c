import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { applyTarget, targetLine } from '../../cli/args';

/**
 * What every command of the operator's CLI shares: --local and --stage, the target said on stderr, arguments
 * checked with our words (never parseArgs'), and one line with the fix when there are no AWS credentials.
 */

async function runMain(argv: string[]) {
  const out: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => out.push(a.join(' '));
  try {
    return { code: await main(argv), out };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const ID_RULE = 'must be 6 to 12 upper-case letters and digits (like XHQGMDH)';

describe('arguments, checked with our message', () => {
  it.each([
    [['stats', '--last', '-1'], 'charterflow stats: --last must be a positive whole number, got "-1"'],
    [['stats', '--last', 'abc'], 'charterflow stats: --last must be a positive whole number, got "abc"'],
    [['stats', '--last', '2.5'], 'charterflow stats: --last must be a positive whole number, got "2.5"'],
    [['stats', '--last'], "charterflow stats: '--last' needs a value (see --help)"],
    [['stats', '--json=yes'], "charterflow stats: '--json' takes no value (see --help)"],
    [['status', '--limit', '-3'], 'charterflow status: --limit must be a positive whole number, got "-3"'],
    [['status', 'xhq-1'], `charterflow status: booking id ${ID_RULE}, got "xhq-1"`],
    [['status', '--stuck-after', '-5m'], 'charterflow status: --stuck-after must be a duration such as 10m, got "-5m"'],
    [['dlq', '--booking', 'abc'], `charterflow dlq: --booking ${ID_RULE}, got "abc"`],
    [['forget', 'XHQGMDH!', '--yes'], `charterflow forget: booking id ${ID_RULE}, got "XHQGMDH!"`],
    [['redrive', '--booking', '-1'], `charterflow redrive: --booking ${ID_RULE}, got "-1"`],
    [['replay', '--from', '1h ago', '--settle', '-2s'], 'charterflow replay: --settle must be a duration'],
    [['send-sample', '--booking', 'x'], `charterflow send-sample: --booking ${ID_RULE}, got "x"`],
    [['tail', '--bus'], "charterflow tail: '--bus' needs a value (see --help)"],
  ])('%j exits 2 with one line of ours', async (argv, message) => {
    const { code, out } = await runMain(argv);
    expect(code).toBe(2);
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(message);
    expect(out[0]).not.toMatch(/ambiguous|To specify|ERR_PARSE_ARGS/);
  });
});

describe('every command that talks to AWS takes --local and --stage', () => {
  it.each([
    ['send-sample'],
    ['tail'],
    ['status'],
    ['stats'],
    ['dlq'],
    ['forget', 'XHQGMDH', '--yes'],
    ['redrive'],
    ['replay', '--from', '1h ago'],
  ])('%s', async (...argv) => {
    // A stage name it refuses shows both options were taken, and that it checks before it calls anything.
    const { code, out } = await runMain([...argv, '--local', '--stage', 'Not-A-Stage']);
    expect(out).toEqual([
      `charterflow ${argv[0]}: --stage must be lower-case letters, digits and dashes, got "Not-A-Stage"`,
    ]);
    expect(code).toBe(2);
  });
});

describe('the target line', () => {
  it('names the local stack and its stage, or the stage and its region', () => {
    const saved = { ...process.env };
    try {
      delete process.env.AWS_ENDPOINT_URL;
      process.env.AWS_REGION = 'us-west-2';
      process.env.CHARTERFLOW_AWS_PORT = '4599';
      expect(applyTarget({ stage: 'prod' })).toBe('target: stage prod in us-west-2');
      expect(applyTarget({ local: true })).toBe('target: local stack http://127.0.0.1:4599 (stage prod)');
      process.env.AWS_ENDPOINT_URL = 'https://vpce-1.events.us-west-2.vpce.amazonaws.com';
      expect(targetLine()).toBe('target: stage prod at https://vpce-1.events.us-west-2.vpce.amazonaws.com (us-west-2)');
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe('without AWS credentials', () => {
  it.each([['status'], ['dlq'], ['stats']])(
    '%s prints its target, then one line that names the fix, exits 2, no stack trace',
    (command) => {
      const home = mkdtempSync(join(tmpdir(), 'charterflow-nocreds-'));
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_REGION: 'us-west-2',
      };
      const run = spawnSync(process.execPath, ['bin/charterflow.mjs', command, '--stage', 'prod'], {
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toEqual([
        'target: stage prod in us-west-2',
        `charterflow ${command}: no AWS credentials: use --local for the local stack (npm start), or set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) for a deployed stage`,
      ]);
      expect(run.status).toBe(2);
    },
    60_000,
  );
});
