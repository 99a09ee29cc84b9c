import { basename, join } from 'node:path';
import { parseParams, type DeployParams } from '../../deploy/params';
import { SOURCE_CODE_PROPERTY, sourceTemplate, stageParams } from '../../deploy/source-template';
import { readStackModel } from '../aws/cloudformation/index';
import type { StackModel } from '../aws/cloudformation/model';
import { readPackage } from '../aws/cloudformation/package-dir';

/**
 * The one model the stack is wired from, in either mode: the template `serverless package` wrote (packaged), or
 * the same template made in-process with each function's code at its sources (source mode, the edit loop).
 */

export type StackMode = 'source' | 'packaged';

export interface ModelOfStack {
  mode: StackMode;
  stage: string;
  /** The stage's deploy parameters: what the template only names (SCC table, buckets, distribution). */
  params: DeployParams;
  model: StackModel;
}

export interface ModelOptions {
  region: string;
  accountId: string;
  /** The local SQS base URL: a queue's Ref is its URL. */
  queueUrlBase: string;
}

/** The stage the local stack runs: its names are charterflow-local-*, as the operator's commands expect. */
export const LOCAL_STAGE = 'local';

export async function sourceModel(options: ModelOptions): Promise<ModelOfStack> {
  const params = stageParams(LOCAL_STAGE);
  const { template } = await sourceTemplate(LOCAL_STAGE, params);
  const model = readStackModel(template, {
    ...options,
    stackName: `charterflow-${LOCAL_STAGE}`,
    codeOf: (logicalId, code) => {
      const sourceRoot = (code as Record<string, unknown> | undefined)?.[SOURCE_CODE_PROPERTY];
      if (typeof sourceRoot !== 'string') throw new Error(`${logicalId}: no source directory in its Code`);
      return { sourceRoot };
    },
  });
  return { mode: 'source', stage: LOCAL_STAGE, params, model };
}

/** A `serverless package` output directory, as it is: its template, its zips, the parameters it was packaged with. */
export function packagedModel(dir: string, options: ModelOptions): ModelOfStack {
  const packaged = readPackage(dir);
  const params = parseParams(packaged.params);
  const model = readStackModel(packaged.template, {
    ...options,
    stackName: `charterflow-${packaged.stage}`,
    codeOf: (logicalId, code) => {
      const key = (code as { S3Key?: unknown } | undefined)?.S3Key;
      if (typeof key !== 'string') throw new Error(`${logicalId}: its Code names no S3Key (the function's zip)`);
      return { zipFile: join(dir, basename(key)) };
    },
  });
  return { mode: 'packaged', stage: packaged.stage, params, model };
}

/** The service a function runs: handlers are services/<name>/handler.handler. */
export function serviceOfHandler(handler: string): string | undefined {
  return /^services\/([^/]+)\//.exec(handler)?.[1];
}
