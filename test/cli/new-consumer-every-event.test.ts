import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { scaffoldConsumer, type NewConsumer } from '../../cli/new-consumer';
import { detailTypes } from '../../shared/contract/events';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

const notCopied = new Set(['node_modules', '.git', '.serverless', '.esbuild', '.charterflow', 'test-output']);
const kebab = (type: string) => type.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * One consumer per detail-type, and the shapes whose lines run longest: the longest name a consumer may have,
 * on every detail-type, and on several at once.
 */
const consumers: NewConsumer[] = [
  ...detailTypes.map((type) => ({ name: `on${kebab(type)}`, on: [type] })),
  { name: 'every-event-of-the-whole-charter', on: [...detailTypes] },
  { name: 'crewnotesandguestpagesbothnoted', on: ['GuestPagePublished', 'CrewEventCreated'] },
  { name: 'seven-of-them-with-a-longer-name', on: detailTypes.slice(3, 10) },
];

describe('new consumer, for every detail-type', () => {
  it('covers every event schema under schemas/events', () => {
    const schemas = readdirSync(join(root, 'schemas/events'))
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.replace(/\.json$/, ''));
    expect(schemas.sort()).toEqual([...detailTypes].sort());
    expect(Math.max(...consumers.map(({ name }) => name.length))).toBe(32);
  });

  it('passes the lint, the layers check, the typecheck and its own test as generated', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'charterflow-every-event-'));
    temporary.push(copy);
    cpSync(root, copy, {
      recursive: true,
      filter: (source) => !notCopied.has(relative(root, source).split(/[\\/]/)[0]!),
    });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const folders = consumers.flatMap((consumer) => {
      scaffoldConsumer(consumer, copy);
      return [`services/${consumer.name}`, `test/services/${consumer.name}`];
    });
    // The child vitest must not think it runs inside this one.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_OPTIONS'),
    );
    const bin = (tool: string) => join(copy, 'node_modules/.bin', tool);
    const check = (what: string, tool: string, args: string[]) =>
      run(bin(tool), args, { cwd: copy, env, maxBuffer: 16 * 1024 * 1024 }).catch((error) => {
        throw new Error(`the scaffolded consumers fail ${what}:\n${error.stdout}\n${error.stderr}`);
      });

    // `npm run lint` is these two over the whole tree; the copy is no git checkout, so Biome reads no .gitignore.
    await check('the lint', 'biome', ['check', '--error-on-warnings', '--vcs-enabled=false', ...folders]);
    await check('the layers check', 'depcruise', ['--config', '.dependency-cruiser.cjs', ...folders]);
    // The project's compiler options over the scaffolds and all they import, not the whole tree again.
    writeFileSync(
      join(copy, 'tsconfig.scaffolds.json'),
      JSON.stringify({ extends: './tsconfig.json', include: folders.map((folder) => `${folder}/**/*.ts`) }),
    );
    await check('the typecheck', 'tsc', ['--noEmit', '-p', 'tsconfig.scaffolds.json']);
    const tests = await check('their tests', 'vitest', [
      'run',
      ...consumers.map(({ name }) => `test/services/${name}/`),
    ]);
    expect(tests.stdout).toMatch(new RegExp(`Test Files\\s+.*${consumers.length} passed`));
    expect(tests.stdout).toMatch(new RegExp(`Tests\\s+.*${consumers.length * 2} passed`));
  }, 600_000);
});
