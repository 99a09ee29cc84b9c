import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * `serverless package` for a stage, offline, into a directory: the artifact packaged mode runs, made exactly as
 * CI and a deploy make it. No AWS variable reaches it, so nothing in packaging can ask AWS for anything.
 */

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** osls's own entry point (it provides the `serverless` command), run with this Node. */
function serverlessBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('osls/package.json')), 'bin', 'serverless.js');
}

export async function packageStage(stage: string, outDir: string): Promise<{ ms: number }> {
  const started = Date.now();
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  try {
    await promisify(execFile)(process.execPath, [serverlessBin(), 'package', '--stage', stage, '--package', outDir], {
      cwd: projectRoot,
      env,
      maxBuffer: 32 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`serverless package --stage ${stage} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
  return { ms: Date.now() - started };
}
