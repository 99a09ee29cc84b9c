import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The design's third promise: a consumer is added without touching the others. The commit that added
 * services/guest-mail (the `npx charterflow new consumer` scaffold) lists no other service's files in
 * `git show --stat`; README.md is allowed, for the event-flow diagram the scaffold redraws.
 * Needs the project's git history: skipped in a copy without it (a shallow clone or an export).
 */

const root = fileURLToPath(new URL('../../..', import.meta.url));
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

function commitThatAdded(path: string): string | undefined {
  try {
    return git('log', '--diff-filter=A', '--format=%H', '--', path).split('\n').filter(Boolean).at(-1);
  } catch {
    return undefined;
  }
}

const added = commitThatAdded('services/guest-mail/declaration.ts');

describe('the commit that adds guest-mail', () => {
  it.runIf(added !== undefined)('touches no other service: its own folders, and the diagram in README.md', () => {
    const stat = git('show', '--stat=200', '--format=', added!);
    const files = git('show', '--name-only', '--format=', added!).split('\n').filter(Boolean);
    expect(stat).toContain('services/guest-mail/declaration.ts');
    const others = files.filter(
      (file) => !file.startsWith('services/guest-mail/') && !file.startsWith('test/services/guest-mail/'),
    );
    expect(others.filter((file) => file !== 'README.md')).toEqual([]);
  });
});
