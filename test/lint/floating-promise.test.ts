import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm run lint` fails on a floating promise. The fixtures sit outside the project's lint (they are meant to
 * fail), so they are linted in a directory of their own with the project's biome.json as it is.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'charterflow-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lint(): Promise<{ failed: boolean; findings: string[] }> {
  cpSync(join(root, 'test/fixtures/lint'), dir, { recursive: true });
  cpSync(join(root, 'biome.json'), join(dir, 'biome.json'));
  const biome = join(root, 'node_modules/.bin/biome');
  // The lint script's flags; the copy is not a git checkout, so no .gitignore to read.
  const args = ['check', '--error-on-warnings', '--vcs-enabled=false', '--reporter=github', '.'];
  const { failed, stdout } = await run(biome, args, { cwd: dir }).then(
    ({ stdout }) => ({ failed: false, stdout }),
    (error: { stdout: string }) => ({ failed: true, stdout: error.stdout }),
  );
  const findings = [...stdout.matchAll(/^::\w+ title=([^,]+),file=([^,]+),line=(\d+)/gm)].map(
    ([, rule, file, line]) => `${file!.slice(dir.length + 1)}:${line} ${rule}`,
  );
  return { failed, findings };
}

describe('the lint', () => {
  it('fails on each floating promise, and on nothing in the same calls handled', async () => {
    const { failed, findings } = await lint();
    expect(failed).toBe(true);
    expect(findings).toEqual([
      'floating-promise.ts:5 lint/nursery/noFloatingPromises',
      'floating-promise.ts:9 lint/nursery/noFloatingPromises',
      'floating-promise.ts:13 lint/nursery/noFloatingPromises',
    ]);
  });
});
