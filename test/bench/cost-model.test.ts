import { describe, expect, it } from 'vitest';
import type { DirectRunFigures, RunFigures } from '../../bench/chain';
import {
  billedUnits,
  callsAndDollars,
  freeTier,
  functionUses,
  monthlyCost,
  monthlyCosts,
  prices,
  type BilledUnits,
} from '../../bench/cost';
import { busAtRateFigures, formatCallsAndDollars, packagedColdStartFigures, ratioFigures } from '../../bench/figures';
import { itemsOf } from '../../bench/harness';
import { benchPlots, plotFiguresOf } from '../../bench/plot';
import type { Results } from '../../bench/report';
import { meetsAim } from '../../bench/report';
import { summarize } from '../../bench/stats';

/** The monthly cost model with the free tiers, calls beside dollars, and the figures the bench adds for them. */

const model = { memoryMb: 1024, pathsPerInvalidation: 2 };

const units = (over: Partial<BilledUnits>): BilledUnits => ({
  lambdaRequests: 0,
  lambdaGbSeconds: 0,
  eventBridgeEvents: 0,
  dynamoDbWriteUnits: 0,
  dynamoDbReadUnits: 0,
  s3Writes: 0,
  s3Reads: 0,
  invalidationPaths: 0,
  emails: 0,
  secretsManagerCalls: 0,
  sqsRequests: 0,
  ...over,
});

describe('billed units of a booking', () => {
  it('bills a DynamoDB transaction as one call but two write units an item', () => {
    const [use] = functionUses(
      [
        {
          consumer: 'guest-mail',
          totalMs: 10,
          calls: [
            { service: 'DynamoDB', operation: 'TransactWriteItems', items: 2 },
            { service: 'DynamoDB', operation: 'PutItem' },
          ],
        },
      ],
      1,
    );
    expect(use!.callsPerBooking).toEqual({ 'DynamoDB.TransactWriteItems': 1, 'DynamoDB.PutItem': 1 });
    expect(billedUnits([use!], model).dynamoDbWriteUnits).toBe(2 * 2 + 1);
    const [row] = callsAndDollars([use!], model);
    expect(row).toMatchObject({ callsPerBooking: 2, dynamoDbWriteUnitsPerBooking: 5 });
    expect(row!.dollarsPerThousandBookings).toBeCloseTo(
      1000 * (5 * prices.dynamoDbPerWriteUnit + prices.lambdaPerRequest + 0.01 * prices.lambdaPerGbSecond),
      12,
    );
  });

  it('counts a transaction whose items went unread as one item, still twice', () => {
    const use = {
      name: 'x',
      invocationsPerBooking: 0,
      meanMs: 0,
      callsPerBooking: { 'DynamoDB.TransactWriteItems': 1 },
    };
    expect(billedUnits([use], model).dynamoDbWriteUnits).toBe(2);
  });

  it('reads the items of a transaction and of a batch from the request body', () => {
    expect(itemsOf('TransactWriteItems', JSON.stringify({ TransactItems: [{}, {}, {}] }))).toBe(3);
    expect(itemsOf('BatchWriteItem', JSON.stringify({ RequestItems: { a: [{}, {}], b: [{}] } }))).toBe(3);
    expect(itemsOf('BatchGetItem', JSON.stringify({ RequestItems: { a: { Keys: [{}, {}] } } }))).toBe(2);
    expect(itemsOf('TransactWriteItems', 'not json')).toBeUndefined();
  });
});

describe('a month of bookings with the free tiers', () => {
  it('charges no invalidation path until the month passes 1,000 of them', () => {
    const perBooking = units({ invalidationPaths: 2 });
    expect(monthlyCost(perBooking, 100).byService.CloudFront).toBe(0);
    expect(monthlyCost(perBooking, 500).byService.CloudFront).toBe(0);
    expect(monthlyCost(perBooking, 1_000).byService.CloudFront).toBeCloseTo(
      (2_000 - freeTier.cloudFrontInvalidationPaths) * prices.cloudFrontPerInvalidationPath,
      12,
    );
  });

  it("takes Lambda's 1M requests and 400,000 GB-s, and SQS's 1M requests, off first", () => {
    const perBooking = units({ lambdaRequests: 200, lambdaGbSeconds: 50, sqsRequests: 200 });
    expect(monthlyCost(perBooking, 1_000).byService.Lambda).toBe(0);
    expect(monthlyCost(perBooking, 1_000).byService.SQS).toBe(0);
    const busy = monthlyCost(perBooking, 10_000);
    expect(busy.byService.Lambda).toBeCloseTo(
      1_000_000 * prices.lambdaPerRequest + 100_000 * prices.lambdaPerGbSecond,
      9,
    );
    expect(busy.byService.SQS).toBeCloseTo(1_000_000 * prices.sqsPerRequest, 9);
  });

  it('gives SES, EventBridge, on-demand DynamoDB and Secrets Manager no allowance', () => {
    const perBooking = units({ emails: 1, eventBridgeEvents: 5, dynamoDbWriteUnits: 10, secretsManagerCalls: 1 });
    const month = monthlyCost(perBooking, 100);
    expect(month.byService.SES).toBeCloseTo(100 * 0.0001, 12);
    expect(month.byService.EventBridge).toBeCloseTo(500 * prices.eventBridgePerEvent, 12);
    expect(month.byService.DynamoDB).toBeCloseTo(1_000 * prices.dynamoDbPerWriteUnit, 12);
    expect(month.byService.SecretsManager).toBeCloseTo(100 * prices.secretsManagerPerCall, 12);
    expect(month.total).toBeCloseTo(
      Object.values(month.byService).reduce((a, b) => a + b, 0),
      12,
    );
  });

  it('prices both at 100, 1,000 and 10,000 bookings a month', () => {
    const months = monthlyCosts(units({ invalidationPaths: 2 }), units({ invalidationPaths: 2 }));
    expect(months.map((m) => m.bookingsPerMonth)).toEqual([100, 1_000, 10_000]);
    expect(months[2]!.choreography.total).toBeCloseTo(19_000 * prices.cloudFrontPerInvalidationPath, 9);
  });
});

describe('the figures for the bus, the packaged cold starts and the ratio', () => {
  it('aims the bus p99 at a fixed rate to at most 5 ms, failing nothing', () => {
    const figures = busAtRateFigures({
      ratePerSecond: 100,
      seconds: 30,
      events: 3000,
      putToInvokeMs: { p50: 1.2, p99: 6, max: 9 },
    });
    const p99 = figures.find((f) => f.name === 'bus at 100/s put-to-invoke p99')!;
    expect(p99.aim).toEqual({ op: '<=', value: 5 });
    expect(meetsAim(p99)).toBe(false);
  });

  it('gives a packaged cold start as import and first event, aiming under 150 ms', () => {
    const figures = packagedColdStartFigures([
      {
        service: 'guest-page',
        functionName: 'charterflow-local-guest-page',
        nodeVersion: 'v22',
        samples: 1,
        processStartMs: 40,
        importMs: 90,
        initMs: 140,
        coldStartMs: 210,
      },
    ]);
    expect(figures.find((f) => f.name === 'guest-page: first event')?.value).toBe(70);
    const whole = figures.find((f) => f.name === 'guest-page: import + first event')!;
    expect(whole).toMatchObject({ value: 160, aim: { op: '<', value: 150 } });
    expect(meetsAim(whole)).toBe(false);
  });

  const run = (concurrency: number, latencies: number[]): RunFigures => ({
    bookings: latencies.length,
    concurrency,
    latencies,
    throughput: 1,
    cpuMsPerBooking: 1,
    bookingIds: [],
  });
  const direct = (concurrency: number, latencies: number[]): DirectRunFigures => ({
    ...run(concurrency, latencies),
    invocations: [],
  });

  it('sets each mode against the direct p50 at the same in-flight level, aiming at 1.5 at 1 in flight', () => {
    const figures = ratioFigures(
      [run(1, [30, 30]), run(10, [90, 90])],
      [direct(1, [20, 20]), direct(10, [30, 30])],
      [run(1, [40, 40])],
    );
    expect(figures.map((f) => [f.name, f.value])).toEqual([
      ['source, 1 in flight', 1.5],
      ['source, 2 in flight', 3],
      ['packaged, 1 in flight', 2],
    ]);
    expect(figures[0]!.aim).toEqual({ op: '<=', value: 1.5 });
    expect(figures[1]!.aim).toBeUndefined();
  });

  it('prints calls and dollars side by side, the most calls first, with a line for all', () => {
    const table = formatCallsAndDollars([
      {
        name: 'crew',
        invocationsPerBooking: 1,
        callsPerBooking: 4,
        dynamoDbWriteUnitsPerBooking: 2,
        dynamoDbReadUnitsPerBooking: 1,
        dollarsPerThousandBookings: 0.01,
        dollarsPerThousandWithoutInvalidations: 0.01,
      },
      {
        name: 'webhook',
        invocationsPerBooking: 1,
        callsPerBooking: 9,
        dynamoDbWriteUnitsPerBooking: 6,
        dynamoDbReadUnitsPerBooking: 2,
        dollarsPerThousandBookings: 0.02,
        dollarsPerThousandWithoutInvalidations: 0.02,
      },
    ]);
    const lines = table.split('\n');
    expect(lines[3]).toMatch(/^webhook\s+1\s+9\s+6\s+2\s+0\.0200/);
    expect(lines[4]).toMatch(/^crew/);
    expect(lines[5]).toMatch(/^all\s+2\s+13\s+8\s+3\s+0\.0300/);
  });
});

describe('the monthly cost plot', () => {
  const latency = summarize([10]);
  const results: Results = {
    startedAt: '2026-12-05T08:00:00.000Z',
    mode: 'quick',
    durationSeconds: 75,
    machine: { cpus: 2, cpuModel: 'AMD EPYC', node: 'v22.12.0', platform: 'linux x64' },
    figures: [],
    raw: {
      chain: [{ bookings: 5, concurrency: 1, summary: latency }],
      direct: [{ bookings: 5, concurrency: 1, summary: latency }],
      growth: [],
      cost: {
        choreography: { total: 10.5 },
        direct: { total: 10.1 },
        monthly: [
          { bookingsPerMonth: 100, choreography: { total: 0.05 }, direct: { total: 0.01 } },
          { bookingsPerMonth: 1000, choreography: { total: 5.5 }, direct: { total: 5.1 } },
          { bookingsPerMonth: 10000, choreography: { total: 100 }, direct: { total: 96 } },
        ],
      },
    },
  };

  it('draws the month against bookings a month, the choreography beside the direct, from results.json', () => {
    const plot = benchPlots(plotFiguresOf(results)).find((p) => p.file === 'cost-per-month.svg');
    expect(plot).toBeDefined();
    for (const series of ['choreography', 'direct', 'choreo., no free tier', 'direct, no free tier'])
      expect(plot!.svg).toContain(`<g data-series="${series}">`);
    expect(plot!.svg).toContain('>10,000</text>');
    const points = /<g data-series="direct">\n<polyline points="([^"]*)"/.exec(plot!.svg)![1]!.split(' ');
    expect(points).toHaveLength(3);
  });

  it('is not drawn from results that have no monthly cost', () => {
    const { cost: _cost, ...raw } = results.raw;
    expect(benchPlots(plotFiguresOf({ ...results, raw })).map((p) => p.file)).not.toContain('cost-per-month.svg');
  });
});
