import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Runs `npx serverless package --stage <stage>` in `root` the way CI does on a clean machine: no AWS
 * credentials, profile or endpoint in the environment, so any call to AWS would fail the packaging.
 * `packageDir` writes the package there (`--package`) instead of root/.serverless.
 */
export async function packageOffline(
  root: string,
  stage = 'ci',
  packageDir?: string,
): Promise<{ stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  const into = packageDir ? ['--package', packageDir] : [];
  try {
    return await promisify(execFile)('npx', ['serverless', 'package', '--stage', stage, ...into], {
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

/**
 * The file names in a zip, from its central directory (PKWARE APPNOTE 4.3.12/4.3.16). Our own few lines:
 * no zip reader is among the project's dependencies, and listing needs no decompression.
 */
export function zipEntries(file: string): string[] {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${file} is not a zip: no end of central directory`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}
