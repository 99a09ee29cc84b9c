import '../shared/node-support';
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { discoverServices } from '../local/charterflow/consumers';
import type { ConsumerDeclaration } from '../shared/declaration';
import { benchBundles } from './bundles';
import { directDeps, runChain, runChanges, runDirect, type DirectRunFigures, type RunFigures } from './chain';
import { costPerThousandBookings, functionUses, prices, type CostBreakdown } from './cost';
import { pagePaths } from '../services/guest-page/publish';
import { benchLocalBus } from './eventbridge';
import { runGrowth } from './growth';
import { startBenchStack, type Invocation } from './harness';
import { formatTable, writeResults, type Figure, type Machine } from './report';
import { median, round, summarize } from './stats';
import { profiled } from './profile';

/**
 * `npm run bench [-- --quick]`: how fast the chain is, what it costs and how it grows, on the local stack.
 * Prints a table (each figure with how it was measured) and writes bench/results.json. No thresholds: the
 * aims are printed beside the figures, a missed one fails nothing.
 */

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
// A replay in full flow queues thousands of SDK requests behind 50 sockets; the SDK warns once a second.
// The bench counts those warnings (raw.sdkSocketWarnings) instead of printing them between its lines.
let sdkSocketWarnings = 0;
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (String(args[0]).includes('socket usage at capacity')) sdkSocketWarnings++;
  else warn(...args);
};

const plans = {
  full: {
    chain: [
      { concurrency: 1, bookings: 50 },
      { concurrency: 10, bookings: 150 },
      { concurrency: 50, bookings: 300 },
    ],
    busEvents: 2_000,
    coldStartRuns: 20,
    growth: {
      levels: [100, 1_000, 10_000],
      replayEvents: 10_000,
      sequential: 20,
      concurrent: 40,
      skipSamples: 20,
      replayConcurrency: 10,
    },
  },
  quick: {
    chain: [
      { concurrency: 1, bookings: 5 },
      { concurrency: 10, bookings: 10 },
      { concurrency: 50, bookings: 15 },
    ],
    busEvents: 200,
    coldStartRuns: 5,
    growth: {
      levels: [100, 500],
      replayEvents: 500,
      sequential: 5,
      concurrent: 10,
      skipSamples: 5,
      replayConcurrency: 10,
    },
  },
};

function machine(): Machine {
  const model = /^model name\s*:\s*(.+)$/m.exec(safeRead('/proc/cpuinfo'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return {
    cpus: cpus().length,
    cpuModel: model.trim(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: { start: round(loadavg()[0]!), end: NaN },
  };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

const KB = 1024;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const mode = values.quick ? 'quick' : 'full';
  const plan = plans[mode];
  const startedAt = new Date();
  const figures: Figure[] = [];
  const raw: Record<string, unknown> = {};
  const log = (line: string) => console.log(line);
  const host = machine();
  log(`charterflow bench (${mode}) on ${host.cpus} x ${host.cpuModel}, Node ${host.node}`);

  log('bundles: building with the deployment esbuild options, timing cold starts...');
  const bundles = await benchBundles(plan.coldStartRuns, log);
  raw.bundles = bundles;

  log(`local bus: ${plan.busEvents} events...`);
  const bus = await benchLocalBus({ events: plan.busEvents });
  raw.localBus = bus;

  log('chain: starting the local stack...');
  const bench = await startBenchStack();
  const chainRuns: RunFigures[] = [];
  const directRuns: DirectRunFigures[] = [];
  let hopInvocations: Invocation[] = [];
  let changeRun: RunFigures | undefined;
  try {
    // Warm-up: the first booking imports every handler (a cold start, measured above, not here).
    await runChain(bench, 3, 1);
    await bench.stack.eventBridge.idle();
    for (const { concurrency, bookings } of plan.chain) {
      const before = bench.invocations.length;
      log(`  choreography: ${bookings} bookings, ${Math.min(concurrency, bookings)} in flight...`);
      const run = () => runChain(bench, bookings, concurrency);
      chainRuns.push(concurrency === 1 ? await profiled('chain-1-in-flight', run) : await run());
      await bench.stack.eventBridge.idle();
      if (concurrency === 1) hopInvocations = bench.invocations.slice(before);
    }
    // A change costs no more than a new booking: the 1-in-flight bookings changed, one at a time.
    const changed = chainRuns[0]!.bookingIds;
    log(`  changes: ${changed.length} bookings changed (revision 2), 1 in flight...`);
    changeRun = await runChanges(bench, changed, 1);
    const deps = directDeps();
    try {
      await runDirect(bench, deps, 3, 1);
      for (const { concurrency, bookings } of plan.chain) {
        log(`  direct orchestration: ${bookings} bookings, ${Math.min(concurrency, bookings)} in flight...`);
        const run = () => runDirect(bench, deps, bookings, concurrency);
        directRuns.push(concurrency === 1 ? await profiled('direct-1-in-flight', run) : await run());
      }
    } finally {
      deps.destroy();
    }
  } finally {
    await bench.stop();
  }
  // The same bookings with only the consumers that emit (the chain itself): listeners such as booking-ledger
  // run in their own Lambdas in AWS, but here they share the one process and its CPU with the chain.
  const chainOnly = (await discoverServices())
    .filter((s) => s.declaration.kind === 'consumer' && (s.declaration as ConsumerDeclaration).emits.length > 0)
    .map((s) => s.name);
  log(`chain without listeners (${chainOnly.join(', ')}): starting a fresh local stack...`);
  const chainOnlyBench = await startBenchStack({ consumers: chainOnly });
  let chainOnlyRun: RunFigures;
  try {
    await runChain(chainOnlyBench, 3, 1);
    chainOnlyRun = await runChain(chainOnlyBench, plan.chain[0]!.bookings, 1);
  } finally {
    await chainOnlyBench.stop();
  }
  raw.chainWithoutListeners = {
    consumers: chainOnly,
    ...chainOnlyRun,
    latencies: undefined,
    summary: summarize(chainOnlyRun.latencies),
  };

  raw.chain = chainRuns.map(({ latencies, bookingIds: _ids, ...rest }) => ({ ...rest, summary: summarize(latencies) }));
  raw.direct = directRuns.map(({ latencies, bookingIds: _ids, invocations: _i, ...rest }) => ({
    ...rest,
    summary: summarize(latencies),
  }));
  raw.changes = changeRun && { cpuMsPerBooking: changeRun.cpuMsPerBooking, summary: summarize(changeRun.latencies) };

  log('growth and replay: starting a fresh local stack...');
  const growthBench = await startBenchStack();
  let growth: Awaited<ReturnType<typeof runGrowth>>;
  try {
    growth = await runGrowth(growthBench, plan.growth, log);
  } finally {
    await growthBench.stop();
  }
  raw.growth = growth.levels;
  raw.replay = growth.replay && {
    ...growth.replay,
    invocations: growth.replay.invocations.length,
    invocationMsInFlow: summarize(growth.replay.invocations.map((i) => i.totalMs)),
  };

  // --- figures -----------------------------------------------------------------------------------------
  const total = chainRuns.reduce((sum, r) => sum + r.bookings, 0);
  const e2e = `1. end to end, choreography (${total} bookings in all)`;
  for (const run of chainRuns) {
    const inFlight = Math.min(run.concurrency, run.bookings);
    const s = summarize(run.latencies);
    const how = `webhook 202 to GuestPagePublished at an SQS tap on the bus (SentTimestamp); ${run.bookings} bookings`;
    figures.push({ section: e2e, name: `p50, ${inFlight} in flight`, value: s.p50, unit: 'ms', how });
    figures.push({ section: e2e, name: `p95, ${inFlight} in flight`, value: s.p95, unit: 'ms', how });
    figures.push({ section: e2e, name: `p99, ${inFlight} in flight`, value: s.p99, unit: 'ms', how });
    figures.push({
      section: e2e,
      name: `throughput, ${inFlight} in flight`,
      value: round(run.throughput),
      unit: 'bookings/s',
      how: 'bookings / (first send to last GuestPagePublished)',
    });
    figures.push({
      section: e2e,
      name: `CPU per booking, ${inFlight} in flight`,
      value: round(run.cpuMsPerBooking, 1),
      unit: 'ms',
      how: 'process.cpuUsage() of the one process holding stack, consumers and stand-ins / bookings',
    });
  }
  if (changeRun) {
    const s = summarize(changeRun.latencies);
    const fresh = summarize(chainRuns[0]!.latencies);
    const how = `booking.modified (revision 2) of a published booking: webhook 202 to GuestPageUpdated at the tap; ${changeRun.bookings} changes`;
    figures.push({ section: e2e, name: 'change p50, 1 in flight', value: s.p50, unit: 'ms', how });
    figures.push({ section: e2e, name: 'change p95, 1 in flight', value: s.p95, unit: 'ms', how });
    figures.push({
      section: e2e,
      name: 'change/new booking p50, 1 in flight',
      value: round(s.p50 / fresh.p50),
      unit: 'x',
      aim: { op: '<=', value: 1 },
      how: 'a change costs no more than a new booking',
    });
    figures.push({
      section: e2e,
      name: 'CPU per change, 1 in flight',
      value: round(changeRun.cpuMsPerBooking, 1),
      unit: 'ms',
      how: 'process.cpuUsage() / changes',
    });
  }
  const baseline = '2. direct orchestration baseline (bench/direct-orchestration.ts: same calls in sequence, no bus)';
  for (const [i, direct] of directRuns.entries()) {
    const run = chainRuns[i]!;
    const inFlight = Math.min(run.concurrency, run.bookings);
    const s = summarize(run.latencies);
    const d = summarize(direct.latencies);
    figures.push({
      section: baseline,
      name: `p50, ${inFlight} in flight`,
      value: d.p50,
      unit: 'ms',
      how: `start to guest page invalidated; ${direct.bookings} bookings`,
    });
    figures.push({
      section: baseline,
      name: `p99, ${inFlight} in flight`,
      value: d.p99,
      unit: 'ms',
      how: `start to guest page invalidated; ${direct.bookings} bookings`,
    });
    figures.push({
      section: baseline,
      name: `throughput, ${inFlight} in flight`,
      value: round(direct.throughput),
      unit: 'bookings/s',
      how: 'bookings / wall time',
    });
    figures.push({
      section: baseline,
      name: `CPU per booking, ${inFlight} in flight`,
      value: round(direct.cpuMsPerBooking, 1),
      unit: 'ms',
      how: 'process.cpuUsage() / bookings',
    });
    figures.push({
      section: baseline,
      name: `choreography/direct p50, ${inFlight} in flight`,
      value: round(s.p50 / d.p50),
      unit: 'x',
      aim: { op: '<=', value: run.concurrency === 1 ? 1.2 : 1.5 },
      how: 'our overhead: p50 of section 1 / p50 of the baseline',
    });
    figures.push({
      section: baseline,
      name: `choreography/direct throughput, ${inFlight} in flight`,
      value: round(run.throughput / direct.throughput),
      unit: 'x',
      how: 'bookings/s of section 1 / bookings/s of the baseline',
    });
  }

  {
    const s = summarize(chainOnlyRun.latencies);
    const d = summarize(directRuns[0]!.latencies);
    const how = `consumers that emit only (${chainOnly.join(', ')}); ${chainOnlyRun.bookings} bookings, 1 in flight`;
    figures.push({
      section: baseline,
      name: 'choreography without listeners p50, 1 in flight',
      value: s.p50,
      unit: 'ms',
      how,
    });
    figures.push({
      section: baseline,
      name: 'CPU per booking without listeners, 1 in flight',
      value: round(chainOnlyRun.cpuMsPerBooking, 1),
      unit: 'ms',
      how,
    });
    figures.push({
      section: baseline,
      name: 'without listeners/direct p50, 1 in flight',
      value: round(s.p50 / d.p50),
      unit: 'x',
      aim: { op: '<=', value: 1.2 },
      how: 'listeners run in their own Lambdas in AWS; here they share the CPU',
    });
  }

  const hops = '3. per hop';
  figures.push({
    section: hops,
    name: 'bus put-to-invoke p50',
    value: bus.putToInvokeMs.p50,
    unit: 'ms',
    how: `bench/eventbridge.ts: PutEvents via SDK to a Lambda target's call, ${plan.busEvents} events`,
  });
  figures.push({
    section: hops,
    name: 'bus put-to-invoke p99',
    value: bus.putToInvokeMs.p99,
    unit: 'ms',
    how: `bench/eventbridge.ts: PutEvents via SDK to a Lambda target's call, ${plan.busEvents} events`,
  });
  figures.push({
    section: hops,
    name: 'bus PutEvents accepted',
    value: bus.putEventsPerSecond,
    unit: 'events/s',
    how: '10 entries a call, 8 calls in flight',
  });
  const byConsumer = groupBy(hopInvocations, (i) => i.consumer);
  const splits: Record<string, unknown> = {};
  for (const [consumer, list] of Object.entries(byConsumer)) {
    const totalMs = median(list.map((i) => i.totalMs));
    const downstreamMs = median(list.map((i) => i.downstreamMs));
    const ownMs = median(list.map((i) => i.totalMs - i.downstreamMs));
    splits[consumer] = { invocations: list.length, totalMs, downstreamMs, ownMs };
    const how = `median of ${list.length} invocations at 1 booking in flight; downstream = SDK and JADA/SCC HTTP requests, timed by a wrapper`;
    figures.push({ section: hops, name: `${consumer}: invocation`, value: round(totalMs), unit: 'ms', how });
    figures.push({
      section: hops,
      name: `${consumer}: our code`,
      value: round(ownMs),
      unit: 'ms',
      how: 'invocation minus downstream, per invocation, median',
    });
    figures.push({
      section: hops,
      name: `${consumer}: downstream calls`,
      value: round(downstreamMs),
      unit: 'ms',
      how: 'union of the call intervals, median',
    });
  }
  raw.hops = splits;

  for (const b of bundles) {
    const section = '4. Lambda bundles';
    figures.push({
      section,
      name: `${b.name}: minified`,
      value: round(b.minifiedBytes / KB, 1),
      unit: 'KB',
      aim: { op: '<', value: 250 },
      how: 'esbuild with serverless.yml custom.esbuild options (bench/bundles.ts), handler.mjs',
    });
    figures.push({
      section,
      name: `${b.name}: gzipped`,
      value: round(b.gzippedBytes / KB, 1),
      unit: 'KB',
      how: 'zlib gzip of the same file',
    });
    figures.push({
      section,
      name: `${b.name}: cold start`,
      value: round(b.coldStartMs.median, 1),
      unit: 'ms',
      aim: { op: '<', value: 150 },
      how: `fresh node process: import + first event (new booking), median of ${b.coldStartMs.runs.length}`,
    });
    figures.push({
      section,
      name: `${b.name}: import`,
      value: round(b.coldStartMs.importMedian, 1),
      unit: 'ms',
      how: 'import() of handler.mjs in the fresh process (Lambda init), median',
    });
    figures.push({
      section,
      name: `${b.name}: first event`,
      value: round(b.coldStartMs.firstEventMedian, 1),
      unit: 'ms',
      how: 'the first invocation after the import, median',
    });
  }

  if (growth.replay) {
    const r = growth.replay;
    const section = '5. replay';
    figures.push({
      section,
      name: 'archived events replayed',
      value: r.archivedEvents,
      unit: 'events',
      how: 'StartReplay of the whole archive to the consumer rules (FilterArns), all already done',
    });
    figures.push({
      section,
      name: 'replay rate',
      value: round(r.eventsPerSecond, 1),
      unit: 'events/s',
      aim: { op: '>=', value: 1_000 },
      how: `archived events / (StartReplay to bus idle); ${r.invocations.length} consumer invocations, at most ${plan.growth.replayConcurrency} at once per function`,
    });
    const skipped = groupBy(growth.skips, (i) => i.consumer);
    for (const [consumer, list] of Object.entries(skipped)) {
      const processed = byConsumer[consumer];
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
      if (processed)
        figures.push({
          section,
          name: `${consumer}: process new`,
          value: round(median(processed.map((i) => i.totalMs))),
          unit: 'ms',
          how: 'median at 1 booking in flight (section 3)',
        });
    }
  }

  for (const level of growth.levels) {
    const section = '6. growth with history';
    const at = `${level.history} in history`;
    figures.push({
      section,
      name: `e2e p50, ${at}`,
      value: level.endToEndMs.p50,
      unit: 'ms',
      how: `${plan.growth.sequential} bookings one at a time; history = one real booking cloned (bench/history.ts)`,
    });
    figures.push({
      section,
      name: `e2e p95, ${at}`,
      value: level.endToEndMs.p95,
      unit: 'ms',
      how: `${plan.growth.sequential} bookings one at a time; history = one real booking cloned (bench/history.ts)`,
    });
    figures.push({
      section,
      name: `throughput, ${at}`,
      value: round(level.throughput),
      unit: 'bookings/s',
      how: `${plan.growth.concurrent} bookings, 10 in flight`,
    });
    for (const [consumer, ms] of Object.entries(level.consumerMs)) {
      figures.push({
        section,
        name: `${consumer} invocation, ${at}`,
        value: ms,
        unit: 'ms',
        how: 'median, one booking at a time',
      });
    }
  }

  {
    const section = `7. cost in AWS (public prices ${prices.region}, ${prices.checked}: bench/cost.ts)`;
    const memoryMb = deployedMemoryMb();
    const model = { memoryMb, pathsPerInvalidation: pagePaths('X').length };
    const chainBookings = chainRuns[0]!.bookings;
    const uses = functionUses(hopInvocations, chainBookings);
    const choreography = costPerThousandBookings(uses, model);
    const sameScope = costPerThousandBookings(
      uses.filter((u) => ['calendar', 'crew', 'scrub', 'guest-page'].includes(u.name)),
      model,
    );
    const directUses = functionUses(directRuns[0]!.invocations, directRuns[0]!.bookings);
    const direct = costPerThousandBookings(directUses, model);
    const how = (b: CostBreakdown) =>
      Object.entries(b.byService)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(', ');
    const measuredHow = `durations and AWS calls measured at 1 in flight (${chainBookings} bookings) on the local stack, at ${memoryMb} MB (serverless.yml)`;
    figures.push({
      section,
      name: 'choreography, per 1,000 bookings',
      value: round(choreography.total, 3),
      unit: 'USD',
      how: `${how(choreography)}; ${measuredHow}`,
    });
    figures.push({
      section,
      name: "choreography, the baseline's steps only",
      value: round(sameScope.total, 3),
      unit: 'USD',
      how: `calendar, crew, scrub, guest-page (no webhook, ledger or mail): ${how(sameScope)}`,
    });
    figures.push({
      section,
      name: 'direct orchestration, per 1,000 bookings',
      value: round(direct.total, 3),
      unit: 'USD',
      how: `one function a booking: ${how(direct)}`,
    });
    figures.push({
      section,
      name: 'choreography/direct cost, same steps',
      value: round(sameScope.total / direct.total),
      unit: 'x',
      how: 'the price of the bus, the step records and the events',
    });
    // Both pay the same invalidation, which dwarfs the rest: without it, what choreography itself costs shows.
    const withoutInvalidations = (b: CostBreakdown) => b.total - (b.byService.CloudFront ?? 0);
    figures.push({
      section,
      name: 'choreography/direct cost, same steps, without invalidations',
      value: round(withoutInvalidations(sameScope) / withoutInvalidations(direct)),
      unit: 'x',
      how: 'Lambda, EventBridge, DynamoDB and S3 only',
    });
    raw.cost = { prices, memoryMb, choreography, sameScope, direct, uses, directUses };
  }

  raw.sdkSocketWarnings = sdkSocketWarnings;
  const durationSeconds = round((Date.now() - startedAt.getTime()) / 1000, 1);
  host.loadAverage!.end = round(loadavg()[0]!);
  console.log(`\n${formatTable(figures)}\n`);
  const file = fileURLToPath(new URL('results.json', import.meta.url));
  writeResults(file, { startedAt: startedAt.toISOString(), mode, durationSeconds, machine: host, figures, raw });
  log(
    `bench (${mode}) took ${durationSeconds} s (1-minute load average ${host.loadAverage!.start} at the start, ${host.loadAverage!.end} at the end); figures in bench/results.json`,
  );
}

/** The memory every function deploys with (serverless.yml provider.memorySize). */
function deployedMemoryMb(): number {
  const yml = readFileSync(fileURLToPath(new URL('../serverless.yml', import.meta.url)), 'utf8');
  const match = /^ {2}memorySize:\s*(\d+)/m.exec(yml);
  if (!match) throw new Error('serverless.yml has no provider.memorySize');
  return Number(match[1]);
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

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
