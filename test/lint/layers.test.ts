import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm run lint` fails on an import against the layers, on shipped code importing test/, and on a cycle. Each
 * case is test/fixtures/layers (a small tree that keeps every rule) with one file added or changed, cruised in
 * a directory of its own with the project's .dependency-cruiser.cjs as it is. The cruise runs in this process
 * (what the depcruise command does after reading its flags) because starting the command costs seconds a case.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = '.dependency-cruiser.cjs';
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Each violation as "<rule>: <from> → <to>" (a cycle: every module of it, back to the first). */
function violationsIn(report: string): string[] {
  const violations: string[] = [];
  for (const line of stripVTControlCharacters(report).split('\n')) {
    const start = /^\s+error ([\w-]+): (.*)$/.exec(line);
    if (start) violations.push(`${start[1]}: ${start[2]!.trim()}`);
    else if (/^\s+\S/.test(line) && violations.at(-1)?.endsWith('→'))
      violations.push(`${violations.pop()} ${line.trim()}`);
  }
  return violations;
}

async function lint(files: Record<string, string> = {}): Promise<{ failed: boolean; violations: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'charterflow-layers-'));
  dirs.push(dir);
  cpSync(join(root, 'test/fixtures/layers'), dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const options = await extractDepcruiseOptions(join(root, config));
  const tsConfig = extractTSConfig(options.tsConfig!.fileName!);
  // The lint script's `depcruise --config .dependency-cruiser.cjs .`, from the tree's root; the command's reporter.
  const { exitCode, output } = await cruise(['.'], { ...options, baseDir: dir, outputType: 'err' }, {}, { tsConfig });
  return { failed: exitCode !== 0, violations: violationsIn(String(output)) };
}

describe('the layers lint', () => {
  it('is what npm run lint runs, on the whole tree, after Biome', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.lint).toMatch(
      new RegExp(`^biome check .* && depcruise --config ${config.replaceAll('.', '\\.')} \\.$`),
    );
  });

  it('passes the fixture tree, where every layer imports only those below it', async () => {
    expect(await lint()).toEqual({ failed: false, violations: [] });
  });

  it.each([
    [
      'a service imports deploy/',
      'services/calendar/roles.ts',
      "import { roles } from '../../deploy/template';\n\nexport const calendarRole = roles.calendar;\n",
      'services-imports-down: services/calendar/roles.ts → deploy/template.ts',
    ],
    [
      'shared/ imports a type from cli/ (type-only imports count)',
      'shared/consumers.ts',
      "import type { consumers } from '../cli/main';\n\nexport type Consumers = ReturnType<typeof consumers>;\n",
      'shared-imports-down: shared/consumers.ts → cli/main.ts',
    ],
    [
      'cli/ imports local/',
      'cli/status.ts',
      "import { localStack } from '../local/stack';\n\nexport const status = () => localStack().consumers;\n",
      'cli-imports-down: cli/status.ts → local/stack.ts',
    ],
    [
      'cli/ imports bench/',
      'cli/stats.ts',
      "import { runBench } from '../bench/main';\n\nexport const stats = () => runBench();\n",
      'cli-imports-down: cli/stats.ts → bench/main.ts',
    ],
    [
      'a service imports the samples',
      'services/calendar/example.ts',
      "import { sampleBooking } from '../../samples';\n\nexport const example = sampleBooking();\n",
      'services-imports-down: services/calendar/example.ts → samples/index.ts',
    ],
  ])('fails when %s', async (_, path, text, violation) => {
    expect(await lint({ [path]: text })).toEqual({ failed: true, violations: [violation] });
  });

  it.each([
    [
      'cli/send-sample.ts',
      "import { fixture } from '../test/support';\n\nexport const send = () => fixture().booking;\n",
    ],
    ['scripts/demo.ts', "import { fixture } from '../test/support';\n\nexport const demo = () => fixture();\n"],
  ])('fails when shipped code imports test/: %s', async (path, text) => {
    expect(await lint({ [path]: text })).toEqual({
      failed: true,
      violations: [`no-test-imports-outside-test: ${path} → test/support.ts`],
    });
  });

  it.each([
    [
      'local/aws/s3/index.ts',
      "import { guestSite } from '../../charterflow/guest-site';\n\nexport const bucket = guestSite;\n",
    ],
    ['local/stand-ins/scc.ts', "import { startS3 } from '../aws/s3';\n\nexport const scc = startS3;\n"],
    [
      'local/lambda/index.ts',
      "import { guestSite } from '../charterflow/guest-site';\n\nexport const run = guestSite;\n",
    ],
  ])('fails when a walled part of local/ imports another: %s', async (path, text) => {
    const result = await lint({
      'local/charterflow/guest-site.ts': "export const guestSite = 'guest-site';\n",
      'local/aws/s3/index.ts': "export const startS3 = () => 's3';\n",
      [path]: text,
    });
    expect(result.failed).toBe(true);
    expect(result.violations).toEqual([expect.stringMatching(new RegExp(`^local-[\\w-]+-walled: ${path} → local/`))]);
  });

  it('fails on a cycle, type-only imports included', async () => {
    const trip = `import type { Booking } from './contract';

export const LONGEST_TRIP_HOURS = 24 * 14;
export type Trip = Pick<Booking, 'durationHours'>;
`;
    expect(await lint({ 'shared/trip.ts': trip })).toEqual({
      failed: true,
      violations: ['no-circular: shared/contract.ts → shared/trip.ts → shared/contract.ts'],
    });
  });
});
