import { describe, expect, it } from 'vitest';
import type { DirectRunFigures, RunFigures } from '../../bench/chain';
import { compareCosts } from '../../bench/cost';
import {
  costFigures,
  directBaselineFigures,
  endToEndFigures,
  hopSplits,
  replayFigures,
  type ChainWithoutListeners,
} from '../../bench/figures';
import type { Invocation } from '../../bench/harness';
import type { Figure } from '../../bench/report';

/** The bench's figures from measured data: which figure each section gives, its value and its aim. */

const run = (concurrency: number, latencies: number[], throughput = 10): RunFigures => ({
  bookings: latencies.length,
  concurrency,
  latencies,
  throughput,
  cpuMsPerBooking: 50,
  bookingIds: latencies.map((_, i) => `BST-${i}`),
});
const directRun = (concurrency: number, latencies: number[], throughput = 20): DirectRunFigures => ({
  ...run(concurrency, latencies, throughput),
  invocations: [],
});
const invocation = (consumer: string, totalMs: number, downstreamMs: number, calls: string[] = []): Invocation => ({
  consumer,
  detailType: 'BookingReceived',
  replay: false,
  totalMs,
  downstreamMs,
  calls: calls.map((c) => {
    const [service, operation] = c.split('.') as [Invocation['calls'][number]['service'], string];
    return { service, operation };
  }),
});
const byName = (figures: readonly Figure[], name: string) => figures.find((f) => f.name === name);

describe('end to end figures', () => {
  const runs = [run(1, [40, 50, 60]), run(10, [400, 500, 600, 700])];

  it('count the bookings of every concurrency in the section, and give p50/p95/p99 at each', () => {
    const figures = endToEndFigures(runs, run(1, [45, 50, 55]));
    expect(new Set(figures.map((f) => f.section))).toEqual(
      new Set(['1. end to end, choreography (7 bookings in all)']),
    );
    expect(byName(figures, 'p50, 1 in flight')?.value).toBe(50);
    expect(byName(figures, 'p99, 4 in flight')?.value).toBe(700);
  });

  it('set a change against a new booking at 1 in flight, aiming at no more', () => {
    const ratio = byName(endToEndFigures(runs, run(1, [70, 75, 80])), 'change/new booking p50, 1 in flight');
    expect(ratio).toMatchObject({ value: 1.5, aim: { op: '<=', value: 1 } });
  });
});

describe('direct baseline figures', () => {
  const withoutListeners: ChainWithoutListeners = { consumers: ['webhook', 'calendar'], run: run(1, [30, 36, 40]) };

  it.each([
    [1, 1.2],
    [10, 1.5],
  ])('aim choreography/direct p50 at %d in flight to at most %d', (concurrency, aim) => {
    const figures = directBaselineFigures(
      [run(concurrency, [60, 60])],
      [directRun(concurrency, [30, 30])],
      withoutListeners,
    );
    const inFlight = Math.min(concurrency, 2);
    expect(byName(figures, `choreography/direct p50, ${inFlight} in flight`)).toMatchObject({
      value: 2,
      aim: { op: '<=', value: aim },
    });
    expect(byName(figures, `choreography/direct throughput, ${inFlight} in flight`)?.value).toBe(0.5);
  });

  it('set the chain without listeners against the 1-in-flight baseline, naming its consumers', () => {
    const figures = directBaselineFigures([run(1, [60])], [directRun(1, [30])], withoutListeners);
    const ratio = byName(figures, 'without listeners/direct p50, 1 in flight');
    expect(ratio).toMatchObject({ value: 1.2, aim: { op: '<=', value: 1.2 } });
    expect(byName(figures, 'choreography without listeners p50, 1 in flight')?.how).toContain('(webhook, calendar)');
  });
});

describe('per hop splits', () => {
  it("take our code as each invocation's own time, then the median, not the difference of two medians", () => {
    const splits = hopSplits([invocation('crew', 10, 9), invocation('crew', 20, 2), invocation('crew', 30, 29)]);
    // Medians: whole 20, downstream 9; 20 - 9 = 11 would be no invocation's own time (1, 18, 1).
    expect(splits.crew).toEqual({ invocations: 3, totalMs: 20, downstreamMs: 9, ownMs: 1 });
  });
});

describe('replay figures', () => {
  const replay = { archivedEvents: 500, seconds: 2, eventsPerSecond: 250, invocations: [] };

  it('are none when history never reached the replay', () => {
    expect(replayFigures(undefined, [invocation('crew', 1, 0.5)], [], 10)).toEqual([]);
  });

  it('give processing a new event only for consumers that ran at 1 in flight', () => {
    const figures = replayFigures(
      replay,
      [invocation('crew', 1.2, 0.4), invocation('guest-mail', 1.3, 0.5)],
      [invocation('crew', 18, 14)],
      10,
    );
    expect(byName(figures, 'replay rate')).toMatchObject({ value: 250, aim: { op: '>=', value: 1_000 } });
    expect(byName(figures, 'crew: skip, our code')).toMatchObject({ value: 0.8, aim: { op: '<', value: 1 } });
    expect(byName(figures, 'crew: process new')?.value).toBe(18);
    expect(byName(figures, 'guest-mail: skip already-done')).toBeDefined();
    expect(byName(figures, 'guest-mail: process new')).toBeUndefined();
  });
});

describe('cost figures', () => {
  const model = { memoryMb: 512, pathsPerInvalidation: 2 };
  const choreography = {
    bookings: 1,
    invocations: [
      invocation('webhook', 20, 10, ['DynamoDB.PutItem', 'EventBridge.PutEvents']),
      invocation('calendar', 20, 10, ['EventBridge.PutEvents']),
      invocation('guest-page', 40, 30, ['S3.PutObject', 'CloudFront.CreateInvalidation']),
      invocation('guest-mail', 20, 10, ['SES.SendEmail']),
    ],
  };
  const direct = {
    bookings: 1,
    invocations: [invocation('direct-orchestration', 30, 25, ['S3.PutObject', 'CloudFront.CreateInvalidation'])],
  };

  it("price only the baseline's steps for the same-steps comparison: no webhook, ledger or mail", () => {
    const costs = compareCosts(choreography, direct, model);
    expect(costs.sameScope.byService.SES).toBe(0);
    expect(costs.choreography.byService.SES).toBeGreaterThan(0);
    expect(costs.sameScope.byService.DynamoDB).toBe(0);
    expect(costs.sameScope.byService.CloudFront).toBe(costs.direct.byService.CloudFront);
  });

  it('set the same steps against the baseline with and without the invalidation both pay', () => {
    const costs = compareCosts(choreography, direct, model);
    const figures = costFigures(costs, 1);
    const withoutInvalidations = (b: typeof costs.direct) => b.total - b.byService.CloudFront!;
    expect(byName(figures, 'choreography/direct cost, same steps, without invalidations')?.value).toBeCloseTo(
      withoutInvalidations(costs.sameScope) / withoutInvalidations(costs.direct),
      2,
    );
    expect(byName(figures, 'choreography/direct cost, same steps')?.value).toBeCloseTo(1, 1);
  });
});
