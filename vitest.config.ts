import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Two lanes. `unit`: every file that needs no local stack and spawns no process (seconds; `npm run test:unit`).
 * `integration`: the files that start a stack (startStack or a test helper around it) or run a child process.
 * A file's own code says which lane it is in, so a new test lands in the right one without being listed here;
 * a new helper that starts a stack belongs in `startsAStack`.
 */
const startsAStack =
  /\b(?:startStack|startBenchStack|startWebhookStack|startCalendarCrewStack|startMain|packageOffline|packageStage)\(|['"]node:child_process['"]/;

/**
 * `packaged`: the chain tests, run against the `serverless package` output, each function alone in its own
 * process on its runtime's Node (test/packaged/global-setup.ts packages once per run). They run there only,
 * but for the lifecycle property test, which also runs on the sources: there it crashes invocations at their
 * downstream calls (shared/crash-points.ts), which needs the functions in the test's own process.
 */
const bothLanes = ['test/chain/lifecycle.property.test.ts'];
const packaged = [
  'test/chain/calendar-crew.test.ts',
  'test/chain/lifecycle.test.ts',
  'test/chain/lifecycle.property.test.ts',
  'test/chain/observability.test.ts',
  'test/chain/personal-data.test.ts',
  'test/chain/scrub-guest-page.test.ts',
  'test/chain/scrub-races.test.ts',
  'test/local/charterflow/demo.test.ts',
  'test/local/charterflow/main-packaged.test.ts',
  'test/local/charterflow/main-packaged-shadow.test.ts',
  'test/local/charterflow/iam.test.ts',
  'test/local/charterflow/packaged.test.ts',
  'test/packaged/iam-operator.test.ts',
  'test/packaged/iam-removal.test.ts',
];

const root = fileURLToPath(new URL('.', import.meta.url));
const integration = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => join('test', file))
  .filter((file) => startsAStack.test(readFileSync(join(root, file), 'utf8')));

export default defineConfig({
  test: {
    // Integration files start an in-process local stack each; two cores, so files run in parallel but few.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The stack's JSON log lines (expected failures and injected faults among them) show only with a failing test.
    setupFiles: ['test/setup/quiet-logs.ts'],
    projects: [
      // Unit files share their workers' module cache: importing the SDKs once instead of per file halves the lane.
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: integration, isolate: false } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integration.filter((file) => !packaged.includes(file) || bothLanes.includes(file)),
        },
      },
      {
        extends: true,
        test: {
          name: 'packaged',
          include: packaged,
          globalSetup: ['test/packaged/global-setup.ts'],
          env: { CHARTERFLOW_TEST_STACK: 'packaged' },
          // Each function's first invocation in a new environment is a real cold start: a process and an import.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
