import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { eventPatternOf, type ConsumerDeclaration } from '../../shared/declaration';
import { packageOffline, readTemplate } from '../deploy/package';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** Every file of the copy with its content hash (node_modules is a link to ours and not walked). */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.name === 'node_modules' || entry.name === '.serverless' || entry.name === '.esbuild') continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile())
        files.set(relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir);
  return files;
}

const notCopied = new Set(['node_modules', '.git', '.serverless', '.esbuild', '.charterflow', 'test-output']);

describe('new consumer, end to end on a copy of the project', () => {
  it('scaffolds with `npx charterflow new consumer`, touches nothing outside its folders but the diagram, packages, and its test passes on the local stack', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'charterflow-copy-'));
    temporary.push(copy);
    cpSync(root, copy, {
      recursive: true,
      filter: (source) => !notCopied.has(relative(root, source).split(/[\\/]/)[0]!),
    });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    // The child vitest must not think it runs inside this one.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_OPTIONS'),
    );

    const before = snapshot(copy);
    const scaffold = await run('npx', ['charterflow', 'new', 'consumer', 'cabin-notes', '--on', 'CrewEventCreated'], {
      cwd: copy,
      env,
    });
    expect(scaffold.stdout).toContain('created services/cabin-notes/handler.ts');
    // A running stack subscribed its consumers when it started: the new one needs a restart.
    expect(scaffold.stdout).toMatch(/restart the stack \(Ctrl-C, then npm start\)/);
    const after = snapshot(copy);
    const changed = [...after.keys()].filter((path) => before.get(path) !== after.get(path)).sort();
    expect([...before.keys()].filter((path) => !after.has(path))).toEqual([]);
    expect(changed).toEqual([
      'docs/event-flow.md',
      'services/cabin-notes/cabin-notes.ts',
      'services/cabin-notes/declaration.ts',
      'services/cabin-notes/handler.ts',
      'test/services/cabin-notes/cabin-notes.test.ts',
    ]);
    expect(readFileSync(join(copy, 'docs/event-flow.md'), 'utf8')).toContain(
      'evt_CrewEventCreated --> svc_cabin_notes',
    );
    // What the scaffold writes passes the project's lint as it is (the copy is no git checkout: no .gitignore).
    const lintArgs = [
      'lint',
      '--error-on-warnings',
      '--vcs-enabled=false',
      'services/cabin-notes',
      'test/services/cabin-notes',
    ];
    await run(join(copy, 'node_modules/.bin/biome'), lintArgs, { cwd: copy, env }).catch((error) => {
      throw new Error(`the scaffolded consumer fails the lint:\n${error.stdout}\n${error.stderr}`);
    });

    await packageOffline(copy);
    const template = readTemplate(copy);
    const { declaration } = (await import(join(copy, 'services/cabin-notes/declaration.ts'))) as {
      declaration: ConsumerDeclaration;
    };
    expect(template.Resources.CabinNotesRule?.Properties.EventPattern).toEqual(eventPatternOf(declaration));
    expect(template.Resources.CabinNotesDeadLetterQueue?.Type).toBe('AWS::SQS::Queue');
    expect(statSync(join(copy, '.serverless/cabinNotes.zip')).size).toBeGreaterThan(0);

    const test = await run('npx', ['vitest', 'run', 'test/services/cabin-notes'], { cwd: copy, env }).catch((error) => {
      throw new Error(`the scaffolded test failed:\n${error.stdout}\n${error.stderr}`);
    });
    expect(test.stdout).toMatch(/Tests\s+.*2 passed/);
  }, 480_000);
});
