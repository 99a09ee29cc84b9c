import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Runs `npx serverless package --stage <stage>` in `root` the way CI does on a clean machine: no AWS
 * credentials, profile or endpoint in the environment, so any call to AWS would fail the packaging.
 */
export async function packageOffline(root: string, stage = 'ci'): Promise<{ stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  try {
    return await promisify(execFile)('npx', ['serverless', 'package', '--stage', stage], {
      cwd: root,
      env,
      maxBuffer: 32 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`serverless package --stage ${stage} failed in ${root}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

export interface CfnResource {
  Type: string;
  Properties: Record<string, any>;
  DependsOn?: string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Value: unknown }>;
}

export const readTemplate = (root: string): CfnTemplate =>
  JSON.parse(readFileSync(join(root, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'));
