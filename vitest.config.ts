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
  /\b(?:startStack|startWebhookStack|startCalendarCrewStack|packageOffline)\(|['"]node:child_process['"]/;

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
    projects: [
      // Unit files share their workers' module cache: importing the SDKs once instead of per file halves the lane.
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: integration, isolate: false } },
      { extends: true, test: { name: 'integration', include: integration } },
    ],
  },
});
