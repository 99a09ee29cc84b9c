import type { BundleFigures } from './bundles';
import type { DirectRunFigures, RunFigures } from './chain';
import { BASELINE_STEPS, type ConsumerCallsAndDollars, type CostBreakdown, type CostComparison } from './cost';
import type { PackagedColdStart } from './packaged-figures';
import type { BusAtRateFigures, LocalBusFigures } from './eventbridge';
import type { GrowthLevel, GrowthPlan } from './growth';
import type { Invocation } from './harness';
import type { ReplayFigures } from './replay';
import type { Figure } from './report';
import { median, round, summarize } from './stats';
import { formatColumns, formatValue } from './table';

/**
 * The bench's figures, one function per section of its table (README "Benchmarks" numbers them the same), each
 * from what was measured: plain data in, figures out, so the wording and the aims sit apart from the runs.
 */

const KB = 1024;

/** The chain with only the consumers that emit, at 1 booking in flight. */
export interface ChainWithoutListeners {
  consumers: string[];
  run: RunFigures;
}

/** One function's invocations at 1 booking in flight, split into our code and the downstream calls. */
export interface HopSplit {
  invocations: number;
  totalMs: number;
  downstreamMs: number;
  ownMs: number;
}

const inFlightOf = (run: RunFigures) => Math.min(run.concurrency, run.bookings);

/** 1. Webhook to guest page at each concurrency, and a change of the 1-in-flight bookings against a new booking. */
export function endToEndFigures(runs: readonly RunFigures[], changes: RunFigures): Figure[] {
  const figures: Figure[] = [];
  const total = runs.reduce((sum, r) => sum + r.bookings, 0);
  const section = `1. end to end, choreography (${total} bookings in all)`;
  for (const run of runs) {
    const inFlight = inFlightOf(run);
    const s = summarize(run.latencies);
    const how = `webhook 202 to GuestPagePublished at an SQS tap on the bus (SentTimestamp); ${run.bookings} bookings`;
    figures.push({ section, name: `p50, ${inFlight} in flight`, value: s.p50, unit: 'ms', how });
    figures.push({ section, name: `p95, ${inFlight} in flight`, value: s.p95, unit: 'ms', how });
    figures.push({ section, name: `p99, ${inFlight} in flight`, value: s.p99, unit: 'ms', how });
    figures.push({
      section,
      name: `throughput, ${inFlight} in flight`,
      value: round(run.throughput),
      unit: 'bookings/s',
      how: 'bookings / (first send to last GuestPagePublished)',
    });
    figures.push({
      section,
      name: `CPU per booking, ${inFlight} in flight`,
      value: round(run.cpuMsPerBooking, 1),
      unit: 'ms',
      how: 'process.cpuUsage() of the one process holding stack, consumers and stand-ins / bookings',
    });
  }
  const s = summarize(changes.latencies);
  const fresh = summarize(runs[0]!.latencies);
  const how = `booking.modified (revision 2) of a published booking: webhook 202 to GuestPageUpdated at the tap; ${changes.bookings} changes`;
  figures.push({ section, name: 'change p50, 1 in flight', value: s.p50, unit: 'ms', how });
  figures.push({ section, name: 'change p95, 1 in flight', value: s.p95, unit: 'ms', how });
  figures.push({
    section,
    name: 'change/new booking p50, 1 in flight',
    value: round(s.p50 / fresh.p50),
    unit: 'x',
    aim: { op: '<=', value: 1 },
    how: 'a change costs no more than a new booking',
  });
  figures.push({
    section,
    name: 'CPU per change, 1 in flight',
    value: round(changes.cpuMsPerBooking, 1),
    unit: 'ms',
    how: 'process.cpuUsage() / changes',
  });
  return figures;
}

/**
 * 2. The same calls in sequence without the bus, and the choreography's overhead over it: at each concurrency
 * (runs[i] against direct[i]), and without the listeners at 1 in flight.
 */
export function directBaselineFigures(
  runs: readonly RunFigures[],
  direct: readonly DirectRunFigures[],
  withoutListeners: ChainWithoutListeners,
): Figure[] {
  const figures: Figure[] = [];
  const section = '2. direct orchestration baseline (bench/direct-orchestration.ts: same calls in sequence, no bus)';
  for (const [i, baseline] of direct.entries()) {
    const run = runs[i]!;
    const inFlight = inFlightOf(run);
    const s = summarize(run.latencies);
    const d = summarize(baseline.latencies);
    const how = `start to guest page invalidated; ${baseline.bookings} bookings`;
    figures.push({ section, name: `p50, ${inFlight} in flight`, value: d.p50, unit: 'ms', how });
    figures.push({ section, name: `p99, ${inFlight} in flight`, value: d.p99, unit: 'ms', how });
    figures.push({
      section,
      name: `throughput, ${inFlight} in flight`,
      value: round(baseline.throughput),
      unit: 'bookings/s',
      how: 'bookings / wall time',
    });
    figures.push({
      section,
      name: `CPU per booking, ${inFlight} in flight`,
      value: round(baseline.cpuMsPerBooking, 1),
      unit: 'ms',
      how: 'process.cpuUsage() / bookings',
    });
    figures.push({
      section,
      name: `choreography/direct p50, ${inFlight} in flight`,
      value: round(s.p50 / d.p50),
      unit: 'x',
      aim: { op: '<=', value: run.concurrency === 1 ? 1.2 : 1.5 },
      how: 'our overhead: p50 of section 1 / p50 of the baseline',
    });
    figures.push({
      section,
      name: `choreography/direct throughput, ${inFlight} in flight`,
      value: round(run.throughput / baseline.throughput),
      unit: 'x',
      how: 'bookings/s of section 1 / bookings/s of the baseline',
    });
  }
  const { consumers, run } = withoutListeners;
  const s = summarize(run.latencies);
  const d = summarize(direct[0]!.latencies);
  const how = `consumers that emit only (${consumers.join(', ')}); ${run.bookings} bookings, 1 in flight`;
  figures.push({
    section,
    name: 'choreography without listeners p50, 1 in flight',
    value: s.p50,
    unit: 'ms',
    how,
  });
  figures.push({
    section,
    name: 'CPU per booking without listeners, 1 in flight',
    value: round(run.cpuMsPerBooking, 1),
    unit: 'ms',
    how,
  });
  figures.push({
    section,
    name: 'without listeners/direct p50, 1 in flight',
    value: round(s.p50 / d.p50),
    unit: 'x',
    aim: { op: '<=', value: 1.2 },
    how: 'listeners run in their own Lambdas in AWS; here they share the CPU',
  });
  return figures;
}

/** Each function's invocations, in the order the functions first ran: medians of the whole, downstream, and the rest. */
export function hopSplits(invocations: readonly Invocation[]): Record<string, HopSplit> {
  const splits: Record<string, HopSplit> = {};
  for (const [consumer, list] of Object.entries(groupBy(invocations, (i) => i.consumer))) {
    splits[consumer] = {
      invocations: list.length,
      totalMs: median(list.map((i) => i.totalMs)),
      downstreamMs: median(list.map((i) => i.downstreamMs)),
      ownMs: median(list.map((i) => i.totalMs - i.downstreamMs)),
    };
  }
  return splits;
}

/** The bus's aim at a fixed rate: put to invoke, with nothing queued ahead. */
export const BUS_P99_AIM_MS = 5;

/** 3, first: the bus's own latency at a fixed rate well below its capacity, apart from the saturation run. */
export function busAtRateFigures(rate: BusAtRateFigures): Figure[] {
  const section = '3. per hop';
  const how = `bench/eventbridge.ts: ${rate.ratePerSecond} events/s for ${rate.seconds} s, one a PutEvents on its own schedule (open loop), to a Lambda target's call; ${rate.events} events`;
  return [
    {
      section,
      name: `bus at ${rate.ratePerSecond}/s put-to-invoke p50`,
      value: rate.putToInvokeMs.p50,
      unit: 'ms',
      how,
    },
    {
      section,
      name: `bus at ${rate.ratePerSecond}/s put-to-invoke p99`,
      value: rate.putToInvokeMs.p99,
      unit: 'ms',
      aim: { op: '<=', value: BUS_P99_AIM_MS },
      how,
    },
    {
      section,
      name: `bus at ${rate.ratePerSecond}/s put-to-invoke max`,
      value: rate.putToInvokeMs.max,
      unit: 'ms',
      how,
    },
  ];
}

/** 3. The bus alone, then each function's invocation split into our code and the calls it waits on. */
export function perHopFigures(bus: LocalBusFigures, busEvents: number, splits: Record<string, HopSplit>): Figure[] {
  const figures: Figure[] = [];
  const section = '3. per hop';
  const busHow = `saturation, apart from the fixed rate: PutEvents via SDK to a Lambda target's call, ${busEvents} events, as fast as taken (queueing, not the bus)`;
  figures.push({ section, name: 'bus put-to-invoke p50', value: bus.putToInvokeMs.p50, unit: 'ms', how: busHow });
  figures.push({ section, name: 'bus put-to-invoke p99', value: bus.putToInvokeMs.p99, unit: 'ms', how: busHow });
  figures.push({
    section,
    name: 'bus PutEvents accepted',
    value: bus.putEventsPerSecond,
    unit: 'events/s',
    how: '10 entries a call, 8 calls in flight',
  });
  for (const [consumer, split] of Object.entries(splits)) {
    const how = `median of ${split.invocations} invocations at 1 booking in flight; downstream = SDK and JADA/SCC HTTP requests, timed by a wrapper`;
    figures.push({ section, name: `${consumer}: invocation`, value: round(split.totalMs), unit: 'ms', how });
    figures.push({
      section,
      name: `${consumer}: our code`,
      value: round(split.ownMs),
      unit: 'ms',
      how: 'invocation minus downstream, per invocation, median',
    });
    figures.push({
      section,
      name: `${consumer}: downstream calls`,
      value: round(split.downstreamMs),
      unit: 'ms',
      how: 'union of the call intervals, median',
    });
  }
  return figures;
}

/** 4. Each handler's bundle: its size, and its cold start with the import and the first event apart. */
export function bundleFigures(bundles: readonly BundleFigures[]): Figure[] {
  const section = '4. Lambda bundles';
  return bundles.flatMap((b): Figure[] => [
    {
      section,
      name: `${b.name}: minified`,
      value: round(b.minifiedBytes / KB, 1),
      unit: 'KB',
      aim: { op: '<', value: 250 },
      how: 'esbuild with serverless.yml custom.esbuild options (bench/bundles.ts), handler.mjs',
    },
    {
      section,
      name: `${b.name}: gzipped`,
      value: round(b.gzippedBytes / KB, 1),
      unit: 'KB',
      how: 'zlib gzip of the same file',
    },
    {
      section,
      name: `${b.name}: cold start`,
      value: round(b.coldStartMs.median, 1),
      unit: 'ms',
      aim: { op: '<', value: 150 },
      how: `fresh node process: import + first event (new booking), median of ${b.coldStartMs.runs.length}`,
    },
    {
      section,
      name: `${b.name}: import`,
      value: round(b.coldStartMs.importMedian, 1),
      unit: 'ms',
      how: 'import() of handler.mjs in the fresh process (Lambda init), median',
    },
    {
      section,
      name: `${b.name}: first event`,
      value: round(b.coldStartMs.firstEventMedian, 1),
      unit: 'ms',
      how: 'the first invocation after the import, median',
    },
  ]);
}

/**
 * 5. The archive replayed, and each consumer's skip of a done event beside its processing of a new one (the
 * 1-in-flight invocations of section 3). No replay (history never reached it): no figures.
 */
export function replayFigures(
  replay: ReplayFigures | undefined,
  skips: readonly Invocation[],
  newAtOneInFlight: readonly Invocation[],
  replayConcurrency: number,
): Figure[] {
  if (!replay) return [];
  const figures: Figure[] = [];
  const section = '5. replay';
  figures.push({
    section,
    name: 'archived events replayed',
    value: replay.archivedEvents,
    unit: 'events',
    how: 'StartReplay of the whole archive to the consumer rules (FilterArns), all already done',
  });
  figures.push({
    section,
    name: 'replay rate',
    value: round(replay.eventsPerSecond, 1),
    unit: 'events/s',
    aim: { op: '>=', value: 1_000 },
    how: `archived events / (StartReplay to bus idle); ${replay.invocations.length} consumer invocations, at most ${replayConcurrency} at once per function`,
  });
  const processedBy = groupBy(newAtOneInFlight, (i) => i.consumer);
  for (const [consumer, list] of Object.entries(groupBy(skips, (i) => i.consumer))) {
    figures.push({
      section,
      name: `${consumer}: skip already-done`,
      value: round(median(list.map((i) => i.totalMs))),
      unit: 'ms',
      how: `median of ${list.length} done events redelivered one at a time (replay-name set)`,
    });
    figures.push({
      section,
      name: `${consumer}: skip, our code`,
      value: round(median(list.map((i) => i.totalMs - i.downstreamMs)), 2),
      unit: 'ms',
      aim: { op: '<', value: 1 },
      how: 'the skip minus its AWS calls (the revision record read), median',
    });
    const processed = processedBy[consumer];
    if (processed)
      figures.push({
        section,
        name: `${consumer}: process new`,
        value: round(median(processed.map((i) => i.totalMs))),
        unit: 'ms',
        how: 'median at 1 booking in flight (section 3)',
      });
  }
  return figures;
}

/** 6. End to end, throughput and each consumer's invocation again at each size of history. */
export function growthFigures(
  levels: readonly GrowthLevel[],
  plan: Pick<GrowthPlan, 'sequential' | 'concurrent'>,
): Figure[] {
  const section = '6. growth with history';
  const latencyHow = `${plan.sequential} bookings one at a time; history = one real booking cloned (bench/history.ts)`;
  return levels.flatMap((level): Figure[] => {
    const at = `${level.history} in history`;
    return [
      { section, name: `e2e p50, ${at}`, value: level.endToEndMs.p50, unit: 'ms', how: latencyHow },
      { section, name: `e2e p95, ${at}`, value: level.endToEndMs.p95, unit: 'ms', how: latencyHow },
      {
        section,
        name: `throughput, ${at}`,
        value: round(level.throughput),
        unit: 'bookings/s',
        how: `${plan.concurrent} bookings, 10 in flight`,
      },
      ...Object.entries(level.consumerMs).map(([consumer, ms]) => ({
        section,
        name: `${consumer} invocation, ${at}`,
        value: ms,
        unit: 'ms',
        how: 'median, one booking at a time',
      })),
    ];
  });
}

/** 7. Dollars per 1,000 bookings: the choreography, its steps the baseline also makes, the baseline, and their ratios. */
export function costFigures(costs: CostComparison, measuredBookings: number): Figure[] {
  const { prices, memoryMb, choreography, sameScope, direct } = costs;
  const section = `7. cost in AWS (public prices ${prices.region}, ${prices.checked}: bench/cost.ts)`;
  const how = (b: CostBreakdown) =>
    Object.entries(b.byService)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ');
  const measuredHow = `durations and AWS calls measured at 1 in flight (${measuredBookings} bookings) on the local stack, at ${memoryMb} MB (serverless.yml)`;
  // Both pay the same invalidation, which dwarfs the rest: without it, what choreography itself costs shows.
  const withoutInvalidations = (b: CostBreakdown) => b.total - (b.byService.CloudFront ?? 0);
  return [
    {
      section,
      name: 'choreography, per 1,000 bookings',
      value: round(choreography.total, 3),
      unit: 'USD',
      how: `${how(choreography)}; ${measuredHow}`,
    },
    {
      section,
      name: "choreography, the baseline's steps only",
      value: round(sameScope.total, 3),
      unit: 'USD',
      how: `${BASELINE_STEPS.join(', ')} (no webhook, ledger or mail): ${how(sameScope)}`,
    },
    {
      section,
      name: 'direct orchestration, per 1,000 bookings',
      value: round(direct.total, 3),
      unit: 'USD',
      how: `one function a booking: ${how(direct)}`,
    },
    {
      section,
      name: 'choreography/direct cost, same steps',
      value: round(sameScope.total / direct.total),
      unit: 'x',
      how: 'the price of the bus, the step records and the events',
    },
    {
      section,
      name: 'choreography/direct cost, same steps, without invalidations',
      value: round(withoutInvalidations(sameScope) / withoutInvalidations(direct)),
      unit: 'x',
      how: 'Lambda, EventBridge, DynamoDB and S3 only',
    },
  ];
}

/** The cost section's second part: a month of bookings with the free tiers, and the calls that make each booking. */
export function monthlyCostFigures(costs: CostComparison): Figure[] {
  const { prices } = costs;
  const section = `7. cost in AWS (public prices ${prices.region}, ${prices.checked}: bench/cost.ts)`;
  const calls = (uses: CostComparison['uses']) =>
    uses.reduce((sum, u) => sum + Object.values(u.callsPerBooking).reduce((a, b) => a + b, 0), 0);
  const sameScope = costs.uses.filter((u) => BASELINE_STEPS.includes(u.name) || u.name === 'webhook');
  const figures: Figure[] = [
    {
      section,
      name: 'AWS calls per new booking, choreography',
      value: round(calls(costs.uses), 2),
      unit: 'calls',
      how: 'SDK requests of every function of the chain, listeners included, per booking (a transaction is one call)',
    },
    {
      section,
      name: "AWS calls per new booking, the direct orchestration's scope",
      value: round(calls(sameScope), 2),
      unit: 'calls',
      how: `webhook, ${BASELINE_STEPS.join(', ')}`,
    },
    {
      section,
      name: 'AWS calls per new booking, direct orchestration',
      value: round(calls(costs.directUses), 2),
      unit: 'calls',
      how: 'its one function',
    },
  ];
  for (const month of costs.monthly) {
    const at = `${month.bookingsPerMonth.toLocaleString('en-US')} bookings a month`;
    const how = (b: CostBreakdown) =>
      `free tiers off first (Lambda 1M requests and 400,000 GB-s, 1,000 invalidation paths, SQS 1M): ${Object.entries(
        b.byService,
      )
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(', ')}`;
    figures.push(
      {
        section,
        name: `choreography, ${at}`,
        value: round(month.choreography.total, 3),
        unit: 'USD/month',
        how: how(month.choreography),
      },
      {
        section,
        name: `direct orchestration, ${at}`,
        value: round(month.direct.total, 3),
        unit: 'USD/month',
        how: how(month.direct),
      },
    );
  }
  return figures;
}

/** The aim of a packaged function's cold start, import and first event (as section 4 counts it). */
export const COLD_START_AIM_MS = 150;

/** 8. Packaged cold starts: each function in an environment of its own, import and first event apart. */
export function packagedColdStartFigures(coldStarts: readonly PackagedColdStart[]): Figure[] {
  const section = '8. packaged cold starts (serverless package output, each function in a fresh process of its own)';
  return coldStarts.flatMap((c): Figure[] => {
    const firstEvent = round(c.coldStartMs - c.initMs, 1);
    return [
      {
        section,
        name: `${c.service}: import + first event`,
        value: round(c.importMs + firstEvent, 1),
        unit: 'ms',
        aim: { op: '<', value: COLD_START_AIM_MS },
        how: `the bundle's import in its process, then spawn-to-answer minus Lambda init; median of ${c.samples}`,
      },
      {
        section,
        name: `${c.service}: import`,
        value: c.importMs,
        unit: 'ms',
        how: 'import() of the bundle, measured in the environment',
      },
      {
        section,
        name: `${c.service}: first event`,
        value: firstEvent,
        unit: 'ms',
        how: 'runtime asking for the first event to its answer',
      },
      {
        section,
        name: `${c.service}: spawn to first answer`,
        value: c.coldStartMs,
        unit: 'ms',
        how: `Node's own start (${c.processStartMs} ms) included, which Lambda's runtime pays before our code`,
      },
    ];
  });
}

/** The aim of choreography/direct at 1 in flight, in either mode. */
export const RATIO_AIM = 1.5;

/**
 * 9. Choreography/direct p50 at each in-flight level in both modes. The direct orchestration runs in this
 * process in both: packaged, it is the same baseline, the choreography alone moved into processes of its own.
 */
export function ratioFigures(
  source: readonly RunFigures[],
  direct: readonly DirectRunFigures[],
  packaged: readonly RunFigures[],
): Figure[] {
  const section = '9. choreography/direct p50, both modes';
  const figures: Figure[] = [];
  for (const [mode, runs] of [
    ['source', source],
    ['packaged', packaged],
  ] as const) {
    for (const run of runs) {
      const inFlight = inFlightOf(run);
      const baseline = direct.find((d) => inFlightOf(d) === inFlight);
      if (!baseline) continue;
      const c = summarize(run.latencies).p50;
      const d = summarize(baseline.latencies).p50;
      figures.push({
        section,
        name: `${mode}, ${inFlight} in flight`,
        value: round(c / d),
        unit: 'x',
        ...(inFlight === 1 ? { aim: { op: '<=' as const, value: RATIO_AIM } } : {}),
        how: `choreography p50 ${round(c)} ms (${run.bookings} bookings) / direct p50 ${round(d)} ms (${baseline.bookings})`,
      });
    }
  }
  return figures;
}

/** Calls and dollars side by side, one line a consumer: neither bought with the other. */
export function formatCallsAndDollars(rows: readonly ConsumerCallsAndDollars[]): string {
  const sorted = [...rows].sort((a, b) => b.callsPerBooking - a.callsPerBooking);
  const total = (pick: (r: ConsumerCallsAndDollars) => number) => rows.reduce((sum, r) => sum + pick(r), 0);
  const line = (name: string, pick: (f: (r: ConsumerCallsAndDollars) => number) => number) => [
    name,
    formatValue(pick((r) => r.invocationsPerBooking)),
    formatValue(pick((r) => r.callsPerBooking)),
    formatValue(pick((r) => r.dynamoDbWriteUnitsPerBooking)),
    formatValue(pick((r) => r.dynamoDbReadUnitsPerBooking)),
    pick((r) => r.dollarsPerThousandBookings).toFixed(4),
    pick((r) => r.dollarsPerThousandWithoutInvalidations).toFixed(4),
  ];
  return [
    '[calls and dollars per consumer, per new booking at 1 in flight; a DynamoDB transaction is one call, billed as two units an item]',
    formatColumns(
      [
        'consumer',
        'invocations',
        'AWS calls',
        'DynamoDB write units',
        'read units',
        'USD/1,000',
        'USD/1,000 without invalidations',
      ],
      [...sorted.map((r) => line(r.name, (f) => f(r))), line('all', total)],
    ),
  ].join('\n');
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Record<string, T[]> {
  const groups: Record<string, T[]> = {};
  for (const item of items) {
    const group = key(item);
    groups[group] ??= [];
    groups[group]!.push(item);
  }
  return groups;
}
