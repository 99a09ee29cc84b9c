import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscoveredService, discoverServices } from '../../../../deploy/discover';
import { consumerLogicalIds, functionKeyOf, functionLogicalIdOf } from '../../../../deploy/names';
import { readStackModel, type StackModel } from '../../../../local/aws/cloudformation/index';
import { readPackage, unzipFunction } from '../../../../local/aws/cloudformation/package-dir';
import { LOCAL_ACCOUNT_ID } from '../../../../local/aws/service';
import { asyncRetriesOf, deployedNames, eventPatternOf, ownTableName } from '../../../../shared/declaration';
import { packageOffline } from '../../../deploy/package';

const root = new URL('../../../../', import.meta.url).pathname;
const stage = 'ci';
const queueUrlBase = 'http://127.0.0.1:4566';
let dir: string;
let model: StackModel;
let services: DiscoveredService[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'charterflow-package-'));
  await packageOffline(root, stage, dir);
  services = await discoverServices(root);
  const packaged = readPackage(dir);
  model = readStackModel(packaged.template, {
    region: packaged.region,
    accountId: LOCAL_ACCOUNT_ID,
    stackName: `charterflow-${packaged.stage}`,
    queueUrlBase,
    codeOf: (_logicalId, code) => ({ zipFile: join(dir, basename(String((code as { S3Key: string }).S3Key))) }),
  });
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const consumers = () => services.flatMap((s) => (s.declaration.kind === 'consumer' ? [s.declaration] : []));

describe('the packaged template, read into the local stack model, is what the declarations say', () => {
  it('reads the stage and its parameters from serverless-state.json', () => {
    const packaged = readPackage(dir);
    expect(packaged.stage).toBe('ci');
    expect(packaged.region).toBe('us-west-2');
    expect(packaged.params.archiveRetentionDays).toBe(365);
  });

  it('gives every consumer a rule on the bus with its declared pattern, retry policy and dead-letter queue', () => {
    expect(consumers().length).toBeGreaterThan(0);
    for (const declaration of consumers()) {
      const names = deployedNames(declaration.name, stage);
      const rule = model.rules.find((candidate) => candidate.logicalId === consumerLogicalIds(declaration.name).rule);
      expect(rule, declaration.name).toBeDefined();
      const queue = model.queues.find((candidate) => candidate.name === names.deadLetterQueueName);
      expect(rule).toMatchObject({ name: names.ruleName, busName: `charterflow-${stage}`, state: 'ENABLED' });
      expect(rule?.eventPattern).toEqual(eventPatternOf(declaration));
      expect(rule?.targets).toEqual([
        {
          Id: declaration.name,
          Arn: `arn:aws:lambda:us-west-2:${LOCAL_ACCOUNT_ID}:function:${names.functionName}`,
          RetryPolicy: {
            MaximumRetryAttempts: declaration.retry.maximumRetryAttempts,
            MaximumEventAgeInSeconds: declaration.retry.maximumEventAgeInSeconds,
          },
          DeadLetterConfig: { Arn: queue?.arn },
        },
      ]);
      // The queue policy lets exactly this rule send to the dead-letter queue.
      expect(JSON.stringify(queue?.policies)).toContain(rule?.arn);
    }
  });

  it('gives every function its zip, handler, runtime and, for a consumer, its asynchronous retries', async () => {
    for (const service of services) {
      const fn = model.functions.find((candidate) => candidate.logicalId === functionLogicalIdOf(service.name));
      expect(fn, service.name).toMatchObject({
        name: deployedNames(service.name, stage).functionName,
        handler: `services/${service.name}/handler.handler`,
        runtime: 'nodejs22.x',
        code: { zipFile: join(dir, `${functionKeyOf(service.name)}.zip`) },
      });
      const into = join(dir, 'unzipped', service.name);
      if (!fn || !('zipFile' in fn.code)) throw new Error(`${service.name}: no packaged function with a zip`);
      const files = await unzipFunction(fn.code.zipFile, into);
      expect(files).toContain(`services/${service.name}/handler.mjs`);
      if (service.declaration.kind !== 'consumer') continue;
      const retries = asyncRetriesOf(service.declaration);
      expect(fn?.asyncConfig).toEqual({
        maximumRetryAttempts: retries.maximumRetryAttempts,
        maximumEventAgeInSeconds: retries.maximumEventAge,
      });
    }
  });

  it('gives each declared table its time-to-live attribute', () => {
    const declared = consumers().flatMap((declaration) =>
      (declaration.tables ?? []).map((table) => ({ service: declaration.name, table })),
    );
    for (const { service, table } of declared) {
      const read = model.tables.find(
        (candidate) => candidate.definition.TableName === ownTableName(service, table.name, stage),
      );
      expect(read, `${service} ${table.name}`).toBeDefined();
      expect(read?.timeToLiveAttribute).toBe(table.ttlAttribute);
    }
  });

  it('routes the webhook to its function', () => {
    for (const service of services) {
      if (service.declaration.kind !== 'http') continue;
      const { method, path } = service.declaration.route;
      expect(model.httpRoutes).toContainEqual({
        routeKey: `${method} ${path}`,
        method,
        path,
        functionName: deployedNames(service.name, stage).functionName,
        payloadFormatVersion: '2.0',
      });
    }
  });

  it("carries the guest page's CloudFront function, as its file is", () => {
    const code = readFileSync(join(root, 'services/guest-page/cloudfront-function.js'), 'utf8');
    expect(model.cloudFrontFunctions).toEqual([
      expect.objectContaining({ code, runtime: 'cloudfront-js-2.0', name: 'charterflow-ci-guest-page' }),
    ]);
  });

  it('lists what the local stack does not emulate: alarms, the dashboard, log groups, the KMS key', () => {
    const types = new Set(model.unemulated.map((resource) => resource.type));
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard', 'AWS::Logs::LogGroup', 'AWS::KMS::Key'])
      expect(types, type).toContain(type);
    for (const consumed of ['AWS::Lambda::Permission', 'AWS::Lambda::EventInvokeConfig', 'AWS::Lambda::Function'])
      expect(types, consumed).not.toContain(consumed);
  });
});

describe('a package directory', () => {
  it('that is missing is an error naming it and saying to package', () => {
    const missing = join(tmpdir(), 'charterflow-no-such-package');
    expect(() => readPackage(missing)).toThrow(new RegExp(`${missing}.*serverless package`));
  });

  it('without its state file is an error naming the file', () => {
    const empty = mkdtempSync(join(tmpdir(), 'charterflow-empty-package-'));
    writeFileSync(join(empty, 'cloudformation-template-update-stack.json'), '{"Resources":{}}');
    try {
      expect(() => readPackage(empty)).toThrow(/serverless-state\.json.*serverless package/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('unzipping a function', () => {
  it("keeps each file's mode", async () => {
    const zip = join(dir, 'modes.zip');
    writeFileSync(zip, storedZip([{ name: 'bin/run.sh', content: '#!/bin/sh\n', mode: 0o755 }]));
    await unzipFunction(zip, join(dir, 'modes'));
    expect(statSync(join(dir, 'modes', 'bin/run.sh')).mode & 0o777).toBe(0o755);
  });

  it('refuses an entry that would land outside the directory', async () => {
    const zip = join(dir, 'escape.zip');
    writeFileSync(zip, storedZip([{ name: '../escaped.txt', content: 'out', mode: 0o644 }]));
    await expect(unzipFunction(zip, join(dir, 'escape'))).rejects.toThrow(/\.\.\/escaped\.txt/);
    expect(existsSync(join(dir, 'escaped.txt'))).toBe(false);
  });
});

/**
 * A zip of stored (uncompressed) entries with Unix modes, written by hand: zip writers refuse a `..` entry,
 * and the escape test needs one (PKWARE APPNOTE 4.3.7, 4.3.12, 4.3.16).
 */
function storedZip(entries: { name: string; content: string; mode: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const data = Buffer.from(entry.content);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100000 | entry.mode) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
