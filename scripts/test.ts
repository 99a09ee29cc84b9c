// `npm test`: the typecheck, the lint and format check (`npm run lint`), then every vitest suite; ends with the one line CI reads:
// `tests: N passed, N failed`. Extra arguments go to vitest (e.g. `npm test -- test/shared`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const extra = process.argv.slice(2);
const report = 'test-output/vitest.json';
mkdirSync('test-output', { recursive: true });
rmSync(report, { force: true });

const typecheck = spawnSync('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'], { stdio: 'inherit' });
const typecheckFailed = typecheck.status !== 0 ? 1 : 0;
if (typecheckFailed) console.error('typecheck failed (counted as one failed test)');

// Lint rules only for now; formatting joins once the tree has been formatted in one go.
const lint = spawnSync('npm', ['run', '--silent', 'lint'], { stdio: 'inherit' });
const lintFailed = lint.status !== 0 ? 1 : 0;
if (lintFailed) console.error('lint failed (counted as one failed test)');

const vitest = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  // A suite that fails to load has no tests to count; it still fails the run.
  failed += results.testResults.filter(
    (r: { status: string; assertionResults: unknown[] }) => r.status === 'failed' && r.assertionResults.length === 0,
  ).length;
} catch {
  failed += 1;
  console.error('vitest wrote no report');
}
failed += typecheckFailed + lintFailed;
if (vitest.status !== 0 && failed === 0) failed = 1;

console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
