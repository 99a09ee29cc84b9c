import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packageStage } from '../../local/charterflow/package';
import { LOCAL_STAGE } from '../../local/charterflow/stack-model';

/**
 * The packaged lane's artifact: the local stage packaged once, offline, as `npm start -- --packaged` packages it.
 * Every test file of the lane runs its stack from this directory (test/stack-mode.ts).
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), 'charterflow-packaged-lane-'));
  const packageDir = join(root, 'package');
  await packageStage(LOCAL_STAGE, packageDir);
  project.provide('packageDir', packageDir);
  return () => rmSync(root, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    packageDir: string;
  }
}
