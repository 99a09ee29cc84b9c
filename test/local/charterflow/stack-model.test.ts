import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackModel } from '../../../local/aws/cloudformation/model';
import { LOCAL_ACCOUNT_ID } from '../../../local/aws/service';
import { packageStage } from '../../../local/charterflow/package';
import { LOCAL_STAGE, packagedModel, sourceModel } from '../../../local/charterflow/stack-model';

/**
 * Source mode reads a template made in-process (deploy/source-template.ts) in place of the packaged one. Both
 * must wire the same stack: every rule, target, retry policy, dead-letter queue, table, time to live, route,
 * function setting and variable the package holds, the source template holds the same. Only the code differs.
 */

const options = { region: 'us-west-2', accountId: LOCAL_ACCOUNT_ID, queueUrlBase: 'http://127.0.0.1:4566' };
let root: string;
let packaged: StackModel;
let source: StackModel;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'charterflow-stack-model-'));
  await packageStage(LOCAL_STAGE, join(root, 'package'));
  packaged = packagedModel(join(root, 'package'), options).model;
  source = (await sourceModel(options)).model;
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const withoutCode = (model: StackModel) => model.functions.map(({ code: _code, ...fn }) => fn);

describe('the source template wires what the package wires', () => {
  it('the same functions, with the same handler, runtime, memory, timeout, concurrency, variables and retries', () => {
    expect(withoutCode(source)).toEqual(withoutCode(packaged));
    expect(packaged.functions.length).toBeGreaterThan(1);
  });

  it('the same rules, targets, tables, queues, bus, archive, route and CloudFront Function', () => {
    for (const part of [
      'rules',
      'tables',
      'queues',
      'buses',
      'archives',
      'httpRoutes',
      'cloudFrontFunctions',
    ] as const) {
      expect(source[part], part).toEqual(packaged[part]);
      expect(packaged[part].length, part).toBeGreaterThan(0);
    }
  });

  it('the packaged functions name their zips; the source ones their service folders', () => {
    for (const fn of packaged.functions) expect(fn.code).toEqual({ zipFile: expect.stringMatching(/\.zip$/) });
    for (const fn of source.functions) expect(fn.code).toEqual({ sourceRoot: expect.stringMatching(/services\//) });
  });

  it('what the package holds beyond the stack is listed, not dropped', () => {
    const types = new Set(packaged.unemulated.map((r) => r.type));
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::CloudWatch::Dashboard'])
      expect(types, type).toContain(type);
  });
});
