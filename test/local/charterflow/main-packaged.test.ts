import { afterAll, describe, expect, it, inject } from 'vitest';
import { killMains, startMain } from './main-process';

/** `npm start -- --package-dir`: the banner says whether this run enforces the functions' IAM roles. */

afterAll(() => killMains());

describe('npm start, packaged', () => {
  it.each([
    [[], /^ {2}IAM {20}enforced: each function may make only the calls its role's policies allow/m],
    [['--no-iam'], /^ {2}IAM {20}not enforced for this run \(--no-iam\)$/m],
  ])(
    'with %j, the banner says so of IAM',
    async (flags, line) => {
      const stack = await startMain(['--package-dir', inject('packageDir'), '--ephemeral', '--port', '0', ...flags]);
      try {
        expect(stack.output()).toMatch(line);
      } finally {
        expect(await stack.stop()).toBe(0);
      }
    },
    60_000,
  );
});
