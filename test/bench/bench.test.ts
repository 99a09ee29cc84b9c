import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBundle, bytesByPackage, lambdaBuildOptions } from '../../bench/bundles';
import { awsCallOf, costPerThousandBookings, functionUses, prices } from '../../bench/cost';
import { bookingChangeOf } from '../../bench/harness';
import { cloneText } from '../../bench/history';
import { formatTable, meetsAim, type Figure } from '../../bench/report';
import { inPool, summarize, unionLength } from '../../bench/stats';
import { bookingConfirmedAs } from '../../samples';

/** The bench's pure parts: its arithmetic, its table, its history cloning, and its agreement with the deploy. */

describe('summarize', () => {
  it('summarize gives count, p50, p95, p99 and the mean, rounded to hundredths', () => {
    expect(summarize([1, 2, 3.333, 4])).toEqual({ count: 4, p50: 2, p95: 4, p99: 4, mean: 2.58 });
  });
});

describe('unionLength (downstream time of an invocation)', () => {
  it.each([
    [[], 0],
    [[[0, 10]], 10],
    [
      [
        [0, 10],
        [20, 25],
      ],
      15,
    ],
    [
      [
        [0, 10],
        [5, 15],
      ],
      15,
    ],
    [
      [
        [5, 15],
        [0, 10],
        [2, 3],
      ],
      15,
    ],
    [
      [
        [0, 100],
        [10, 20],
      ],
      100,
    ],
  ] as [[number, number][], number][])('of %j is %d', (intervals, expected) => {
    expect(unionLength(intervals)).toBe(expected);
  });
});

it('inPool keeps results in the order of the items and never runs more than asked at once', async () => {
  let running = 0;
  let most = 0;
  const results = await inPool([30, 10, 20, 5, 15], 2, async (ms, i) => {
    most = Math.max(most, ++running);
    await new Promise((resolve) => setTimeout(resolve, ms));
    running--;
    return i * 10;
  });
  expect(results).toEqual([0, 10, 20, 30, 40]);
  expect(most).toBe(2);
});

describe('the results table', () => {
  const figures: Figure[] = [
    {
      section: 'bundles',
      name: 'calendar: minified',
      value: 594.2,
      unit: 'KB',
      aim: { op: '<', value: 250 },
      how: 'esbuild',
    },
    {
      section: 'bundles',
      name: 'crew: minified',
      value: 120,
      unit: 'KB',
      aim: { op: '<', value: 250 },
      how: 'esbuild',
    },
    { section: 'replay', name: 'replay rate', value: 1234.567, unit: 'events/s', how: 'archive / time' },
    {
      section: 'replay',
      name: 'nothing measured',
      value: NaN,
      unit: 'ms',
      aim: { op: '<=', value: 1.2 },
      how: 'n/a case',
    },
  ];

  it('says whether each aim is met, and nothing when there is no aim or no value', () => {
    expect(figures.map(meetsAim)).toEqual([false, true, undefined, undefined]);
    expect(meetsAim({ ...figures[0]!, value: 250 })).toBe(false);
    expect(meetsAim({ ...figures[0]!, value: 250, aim: { op: '<=', value: 250 } })).toBe(true);
    expect(meetsAim({ ...figures[2]!, aim: { op: '>=', value: 1_000 } })).toBe(true);
    expect(meetsAim({ ...figures[2]!, aim: { op: '>=', value: 2_000 } })).toBe(false);
  });

  it('groups by section, shows value, aim and how, with " for a repeated how', () => {
    const lines = formatTable(figures).split('\n');
    expect(lines[0]).toMatch(/^figure\s+value\s+aim\s+how it was measured$/);
    expect(lines).toContain('[bundles]');
    expect(lines.indexOf('[replay]')).toBeGreaterThan(lines.indexOf('[bundles]'));
    expect(lines.find((l) => l.startsWith('calendar: minified'))).toMatch(/594 KB\s+< 250 MISSED\s+esbuild$/);
    expect(lines.find((l) => l.startsWith('crew: minified'))).toMatch(/120 KB\s+< 250 ok\s+"$/);
    expect(lines.find((l) => l.startsWith('replay rate'))).toMatch(/1235 events\/s\s+archive \/ time$/);
    expect(lines.find((l) => l.startsWith('nothing measured'))).toMatch(/n\/a ms\s+<= 1\.2\s+n\/a case$/);
  });
});

describe('history clones (growth and replay)', () => {
  const item = JSON.stringify({
    pk: 'BOOKING#BK000001',
    sk: 'SCRUB#scc_128072384603da7a7645#86c5f4',
    ids: { calendarEntryId: 'cal_14fe8cec12a49824a688' },
    correlationId: 'msg_HA0EmhtGWP2RPTDw',
    notes: 'Boatsetter booking BK000001, revision 1',
  });

  it('replace the booking id and every generated id, keeping their shape', () => {
    const clone = JSON.parse(cloneText(item, 'BK000001', 7));
    expect(clone.pk).toBe('BOOKING#H0000007');
    expect(clone.notes).toBe('Boatsetter booking H0000007, revision 1');
    expect(clone.sk).toMatch(/^SCRUB#scc_[A-Za-z0-9]{20}#86c5f4$/);
    expect(clone.sk).not.toContain('128072384603da7a7645');
    expect(clone.ids.calendarEntryId).toMatch(/^cal_[A-Za-z0-9]{20}$/);
    expect(clone.correlationId).toMatch(/^msg_[A-Za-z0-9]{16}$/);
  });

  it('are distinct per number and the same for the same number', () => {
    expect(cloneText(item, 'BK000001', 1)).not.toBe(cloneText(item, 'BK000001', 2));
    expect(cloneText(item, 'BK000001', 3)).toBe(cloneText(item, 'BK000001', 3));
  });
});

it("the bench builds bundles with serverless.yml's esbuild options", () => {
  const yml = readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8');
  const block = yml.slice(yml.indexOf('  esbuild:'), yml.indexOf('\npackage:'));
  const option = (name: string) => new RegExp(`^\\s+${name}: (.+)$`, 'm').exec(block)?.[1]?.trim();
  expect(option('bundle')).toBe(String(lambdaBuildOptions.bundle));
  expect(option('minify')).toBe(String(lambdaBuildOptions.minify));
  expect(option('treeShaking')).toBe(String(lambdaBuildOptions.treeShaking));
  expect(option('target')).toBe(lambdaBuildOptions.target);
  expect(option('platform')).toBe(lambdaBuildOptions.platform);
  expect(option('format')).toBe(lambdaBuildOptions.format);
  expect(option('outputFileExtension')).toBe(lambdaBuildOptions.outExtension?.['.js']);
  expect(option('mainFields')).toBe(`[${lambdaBuildOptions.mainFields!.join(', ')}]`);
  expect(option('exclude')).toBe('[]');
  expect(option('plugins')).toBe('./deploy/esbuild-plugins.cjs');
  expect(block).toContain(`js: "${lambdaBuildOptions.banner!.js}"`);
});

it('bundle bytes are added up per package, scoped packages by scope and name, our own code as charterflow', () => {
  expect(
    bytesByPackage({
      'node_modules/@aws-sdk/client-s3/dist-es/index.js': { bytesInOutput: 100 },
      'node_modules/@aws-sdk/client-s3/dist-es/commands/PutObjectCommand.js': { bytesInOutput: 50 },
      'node_modules/@smithy/core/dist-es/index.js': { bytesInOutput: 70 },
      'node_modules/zod/v4/core/schemas.js': { bytesInOutput: 200 },
      'services/calendar/handler.ts': { bytesInOutput: 10 },
      'shared/consumer.ts': { bytesInOutput: 5 },
    }),
  ).toEqual([
    { source: 'zod', bytes: 200 },
    { source: '@aws-sdk/client-s3', bytes: 150 },
    { source: '@smithy/core', bytes: 70 },
    { source: 'charterflow', bytes: 15 },
  ]);
});

describe('which AWS call an SDK request is (the cost figure counts them)', () => {
  it.each([
    [{ method: 'POST', path: '/', target: 'DynamoDB_20120810.GetItem' }, 'DynamoDB.GetItem'],
    [{ method: 'POST', path: '/', target: 'AWSEvents.PutEvents' }, 'EventBridge.PutEvents'],
    [{ method: 'POST', path: '/', target: 'secretsmanager.GetSecretValue' }, 'SecretsManager.GetSecretValue'],
    [{ method: 'PUT', path: '/queenofsandiego.com/g/XHQGMDH.html' }, 'S3.PutObject'],
    [{ method: 'PUT', path: '/queenofsandiego.com/g/assets/1.jpg', copySource: true }, 'S3.CopyObject'],
    [{ method: 'HEAD', path: '/queenofsandiego.com/g/assets/1.jpg' }, 'S3.HeadObject'],
    [{ method: 'POST', path: '/2020-05-31/distribution/E123/invalidation' }, 'CloudFront.CreateInvalidation'],
    [{ method: 'POST', path: '/v2/email/outbound-emails' }, 'SES.SendEmail'],
  ])('%j is %s', (request, expected) => {
    const call = awsCallOf(request);
    expect(`${call?.service}.${call?.operation}`).toBe(expected);
  });

  it('is nothing for a target of another service', () => {
    expect(awsCallOf({ method: 'POST', path: '/', target: 'Kinesis_20131202.PutRecord' })).toBeUndefined();
  });
});

describe('US dollars per 1,000 bookings', () => {
  const model = { memoryMb: 512, pathsPerInvalidation: 2 };

  it('prices a function by requests and GB-seconds, its duration rounded up to the millisecond', () => {
    const cost = costPerThousandBookings(
      [{ name: 'calendar', invocationsPerBooking: 1, meanMs: 99.2, callsPerBooking: {} }],
      model,
    );
    expect(cost.byService.Lambda).toBeCloseTo(
      1000 * (prices.lambdaPerRequest + 0.5 * 0.1 * prices.lambdaPerGbSecond),
      12,
    );
    expect(cost.total).toBe(cost.byService.Lambda);
  });

  it('prices each call by its kind: reads and writes apart, an invalidation by its paths', () => {
    const cost = costPerThousandBookings(
      [
        {
          name: 'guest-page',
          invocationsPerBooking: 0,
          meanMs: 0,
          callsPerBooking: {
            'DynamoDB.GetItem': 2,
            'DynamoDB.UpdateItem': 3,
            'S3.HeadObject': 1,
            'S3.PutObject': 1,
            'CloudFront.CreateInvalidation': 1,
            'EventBridge.PutEvents': 1,
            'SES.SendEmail': 1,
          },
        },
      ],
      model,
    );
    expect(cost.byService.DynamoDB).toBeCloseTo(
      1000 * (2 * prices.dynamoDbPerReadUnit + 3 * prices.dynamoDbPerWriteUnit),
      12,
    );
    expect(cost.byService.S3).toBeCloseTo(1000 * (prices.s3PerRead + prices.s3PerWrite), 12);
    expect(cost.byService.CloudFront).toBeCloseTo(1000 * 2 * prices.cloudFrontPerInvalidationPath, 12);
    expect(cost.byService.EventBridge).toBeCloseTo(1000 * prices.eventBridgePerEvent, 12);
    expect(cost.byService.SES).toBeCloseTo(1000 * prices.sesPerEmail, 12);
  });

  it('adds measured invocations up per function and per booking', () => {
    const call = (operation: string) => ({ service: 'DynamoDB' as const, operation });
    const uses = functionUses(
      [
        { consumer: 'crew', totalMs: 10.2, calls: [call('GetItem'), call('UpdateItem')] },
        { consumer: 'crew', totalMs: 20, calls: [call('GetItem')] },
        { consumer: 'webhook', totalMs: 5, calls: [] },
      ],
      2,
    );
    expect(uses).toEqual([
      {
        name: 'crew',
        invocationsPerBooking: 1,
        meanMs: 15.5,
        callsPerBooking: { 'DynamoDB.GetItem': 1, 'DynamoDB.UpdateItem': 0.5 },
      },
      { name: 'webhook', invocationsPerBooking: 0.5, meanMs: 5, callsPerBooking: {} },
    ]);
  });
});

it("a booking's change is Boatsetter's revision 2 of that booking, on its own day", () => {
  const change = bookingChangeOf('BK000042');
  expect(change.type).toBe('booking.modified');
  expect(change.data.booking_id).toBe('BK000042');
  expect(change.data.revision).toBe(2);
  expect(Date.parse(change.data.trip.start) - Date.parse(bookingConfirmedAs('BK000042').data.trip.start)).toBe(
    90 * 60_000,
  );
});

it("a Lambda bundle validates with zod/mini, and carries neither zod's classic API nor event streams", async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'charterflow-bundle-'));
  try {
    const { inputs } = await buildBundle('crew', outdir);
    expect(inputs.some((path) => path.includes('zod/v4/mini/'))).toBe(true);
    expect(inputs.filter((path) => path.includes('zod/v4/classic/'))).toEqual([]);
    expect(inputs.filter((path) => path.includes('@smithy/core/dist-es/submodules/event-streams'))).toEqual([]);
    expect(inputs.filter((path) => path.includes('credential-provider-node'))).toEqual([]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
