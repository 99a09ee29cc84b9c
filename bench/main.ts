import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { discoverServices } from '../deploy/discover';
import type { ConsumerDeclaration } from '../shared/declaration';
import { benchBundles, type BundleFigures } from './bundles';
import { directDeps, runChain, runChanges, runDirect, type DirectRunFigures, type RunFigures } from './chain';
import { compareCosts, type CostComparison } from './cost';
import { pagePaths } from '../services/guest-page/publish';
import { benchBusAtRate, benchLocalBus, type BusAtRateFigures, type LocalBusFigures } from './eventbridge';
import {
  bundleFigures,
  busAtRateFigures,
  costFigures,
  formatCallsAndDollars,
  monthlyCostFigures,
  packagedColdStartFigures,
  ratioFigures,
  directBaselineFigures,
  endToEndFigures,
  growthFigures,
  hopSplits,
  perHopFigures,
  replayFigures,
  type ChainWithoutListeners,
  type HopSplit,
} from './figures';
import { runGrowth } from './growth';
import { startBenchStack, type Invocation } from './harness';
import { formatTable, writeResults, type Figure, type Machine } from './report';
import { round, summarize } from './stats';
import { profiled } from './profile';
import { PLOTS_DIR, writePlots } from './plot';
import { measurePackaged, type PackagedMeasurement } from './packaged';
import {
  chainSideBySide,
  coldStartMedians,
  formatPackaged,
  packagedChainRuns,
  SOURCE_ONLY,
  type PackagedResults,
} from './packaged-figures';
import { DEFAULT_ISOLATED_CONCURRENCY } from '../local/lambda/isolated';

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
    busRate: { ratePerSecond: 100, seconds: 30 },
    coldStartRuns: 20,
    packagedColdStartSamples: 5,
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
    busRate: { ratePerSecond: 100, seconds: 3 },
    coldStartRuns: 5,
    packagedColdStartSamples: 1,
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

type Plan = (typeof plans)[keyof typeof plans];
type Growth = Awaited<ReturnType<typeof runGrowth>>;
const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const mode = values.quick ? 'quick' : 'full';
  const plan = plans[mode];
  const startedAt = new Date();
  const host = machine();
  log(`charterflow bench (${mode}) on ${host.cpus} x ${host.cpuModel}, Node ${host.node}`);

  const bundles = await measureBundles(plan);
  const busAtRate = await measureBusAtRate(plan);
  const bus = await measureLocalBus(plan);
  const chain = await measureChainAndBaseline(plan);
  const withoutListeners = await measureChainWithoutListeners(plan);
  const growth = await measureGrowthAndReplay(plan);
  const packaged = await measurePackaged({ chain: plan.chain, coldStartSamples: plan.packagedColdStartSamples }, log);

  const hops = hopSplits(chain.hopInvocations);
  const costs = priceOneInFlightRuns(chain);
  const packagedFigures = packagedResults(packaged, chain.runs, bundles);
  const figures = [
    ...endToEndFigures(chain.runs, chain.changes),
    ...directBaselineFigures(chain.runs, chain.direct, withoutListeners),
    ...busAtRateFigures(busAtRate),
    ...perHopFigures(bus, plan.busEvents, hops),
    ...bundleFigures(bundles),
    ...replayFigures(growth.replay, growth.skips, chain.hopInvocations, plan.growth.replayConcurrency),
    ...growthFigures(growth.levels, plan.growth),
    ...costFigures(costs, chain.runs[0]!.bookings),
    ...monthlyCostFigures(costs),
    ...packagedColdStartFigures(packagedFigures.coldStarts),
    ...ratioFigures(chain.runs, chain.direct, packaged.runs),
  ];
  const raw = rawSamples({ bundles, bus, busAtRate, chain, withoutListeners, growth, hops, costs });
  printAndWrite({ startedAt, mode, host, figures, raw, packaged: packagedFigures });
}

/** The packaged run as results.json keeps it: its chain beside source mode's, and its cold starts. */
function packagedResults(
  measured: PackagedMeasurement,
  sourceRuns: readonly RunFigures[],
  bundles: readonly BundleFigures[],
): PackagedResults {
  return {
    packageMs: measured.packageMs,
    stackStartupMs: measured.stackStartupMs,
    environmentsPerFunction: DEFAULT_ISOLATED_CONCURRENCY,
    chain: packagedChainRuns(measured.runs),
    sideBySide: chainSideBySide(sourceRuns, measured.runs),
    coldStarts: coldStartMedians(measured.coldStarts, measured.serviceOf, bundles),
    sourceOnly: SOURCE_ONLY,
  };
}

function measureBundles(plan: Plan): Promise<BundleFigures[]> {
  log('bundles: building with the deployment esbuild options, timing cold starts...');
  return benchBundles(plan.coldStartRuns, log);
}

function measureBusAtRate(plan: Plan): Promise<BusAtRateFigures> {
  const { ratePerSecond, seconds } = plan.busRate;
  log(`local bus at a fixed rate: ${ratePerSecond} events/s for ${seconds} s...`);
  return benchBusAtRate(plan.busRate);
}

function measureLocalBus(plan: Plan): Promise<LocalBusFigures> {
  log(`local bus, saturated: ${plan.busEvents} events...`);
  return benchLocalBus({ events: plan.busEvents });
}

interface ChainAndBaseline {
  /** The choreography at each concurrency of the plan, in its order (1 in flight first). */
  runs: RunFigures[];
  /** The 1-in-flight bookings, each changed once (revision 2). */
  changes: RunFigures;
  /** The direct orchestration at the same concurrencies. */
  direct: DirectRunFigures[];
  /** Every function invocation of the 1-in-flight choreography run. */
  hopInvocations: Invocation[];
}

/** The choreography, its changes and the direct baseline, on one local stack. */
async function measureChainAndBaseline(plan: Plan): Promise<ChainAndBaseline> {
  log('chain: starting the local stack...');
  const bench = await startBenchStack();
  const runs: RunFigures[] = [];
  const direct: DirectRunFigures[] = [];
  let hopInvocations: Invocation[] = [];
  try {
    // Warm-up: the first booking imports every handler (a cold start, measured above, not here).
    await runChain(bench, 3, 1);
    await bench.stack.eventBridge.idle();
    for (const { concurrency, bookings } of plan.chain) {
      const before = bench.invocations.length;
      log(`  choreography: ${bookings} bookings, ${Math.min(concurrency, bookings)} in flight...`);
      const run = () => runChain(bench, bookings, concurrency);
      runs.push(concurrency === 1 ? await profiled('chain-1-in-flight', run) : await run());
      await bench.stack.eventBridge.idle();
      if (concurrency === 1) hopInvocations = bench.invocations.slice(before);
    }
    // A change costs no more than a new booking: the 1-in-flight bookings changed, one at a time.
    const changed = runs[0]!.bookingIds;
    log(`  changes: ${changed.length} bookings changed (revision 2), 1 in flight...`);
    const changes = await runChanges(bench, changed, 1);
    const deps = directDeps();
    try {
      await runDirect(bench, deps, 3, 1);
      for (const { concurrency, bookings } of plan.chain) {
        log(`  direct orchestration: ${bookings} bookings, ${Math.min(concurrency, bookings)} in flight...`);
        const run = () => runDirect(bench, deps, bookings, concurrency);
        direct.push(concurrency === 1 ? await profiled('direct-1-in-flight', run) : await run());
      }
    } finally {
      deps.destroy();
    }
    return { runs, changes, direct, hopInvocations };
  } finally {
    await bench.stop();
  }
}

/**
 * The same bookings with only the consumers that emit (the chain itself), on a fresh stack: listeners such as
 * booking-ledger run in their own Lambdas in AWS, but here they share the one process and its CPU with the chain.
 */
async function measureChainWithoutListeners(plan: Plan): Promise<ChainWithoutListeners> {
  const consumers = (await discoverServices())
    .filter((s) => s.declaration.kind === 'consumer' && (s.declaration as ConsumerDeclaration).emits.length > 0)
    .map((s) => s.name);
  log(`chain without listeners (${consumers.join(', ')}): starting a fresh local stack...`);
  const bench = await startBenchStack({ consumers });
  try {
    await runChain(bench, 3, 1);
    return { consumers, run: await runChain(bench, plan.chain[0]!.bookings, 1) };
  } finally {
    await bench.stop();
  }
}

async function measureGrowthAndReplay(plan: Plan): Promise<Growth> {
  log('growth and replay: starting a fresh local stack...');
  const bench = await startBenchStack();
  try {
    return await runGrowth(bench, plan.growth, log);
  } finally {
    await bench.stop();
  }
}

/** The 1-in-flight choreography and direct runs priced at the deployed memory (cost.ts). */
function priceOneInFlightRuns(chain: ChainAndBaseline): CostComparison {
  return compareCosts({ invocations: chain.hopInvocations, bookings: chain.runs[0]!.bookings }, chain.direct[0]!, {
    memoryMb: deployedMemoryMb(),
    pathsPerInvalidation: pagePaths('X').length,
  });
}

/** results.json's raw part: the samples behind the figures, latencies summarised, booking ids left out. */
function rawSamples(measured: {
  bundles: BundleFigures[];
  bus: LocalBusFigures;
  busAtRate: BusAtRateFigures;
  chain: ChainAndBaseline;
  withoutListeners: ChainWithoutListeners;
  growth: Growth;
  hops: Record<string, HopSplit>;
  costs: CostComparison;
}): Record<string, unknown> {
  const { chain, withoutListeners, growth } = measured;
  return {
    bundles: measured.bundles,
    localBus: measured.bus,
    busAtRate: measured.busAtRate,
    chainWithoutListeners: {
      consumers: withoutListeners.consumers,
      ...withoutListeners.run,
      latencies: undefined,
      summary: summarize(withoutListeners.run.latencies),
    },
    chain: chain.runs.map(({ latencies, bookingIds: _ids, ...rest }) => ({ ...rest, summary: summarize(latencies) })),
    direct: chain.direct.map(({ latencies, bookingIds: _ids, invocations: _i, ...rest }) => ({
      ...rest,
      summary: summarize(latencies),
    })),
    changes: { cpuMsPerBooking: chain.changes.cpuMsPerBooking, summary: summarize(chain.changes.latencies) },
    growth: growth.levels,
    replay: growth.replay && {
      ...growth.replay,
      invocations: growth.replay.invocations.length,
      invocationMsInFlow: summarize(growth.replay.invocations.map((i) => i.totalMs)),
    },
    hops: measured.hops,
    cost: measured.costs,
    sdkSocketWarnings,
  };
}

/** The table on the terminal, and bench/results.json with the machine and the load it ran under. */
function printAndWrite(run: {
  startedAt: Date;
  mode: 'full' | 'quick';
  host: Machine;
  figures: Figure[];
  raw: Record<string, unknown>;
  packaged: PackagedResults;
}): void {
  const { startedAt, mode, host, figures, raw, packaged } = run;
  const durationSeconds = round((Date.now() - startedAt.getTime()) / 1000, 1);
  host.loadAverage!.end = round(loadavg()[0]!);
  console.log(`\n${formatTable(figures)}\n`);
  console.log(`${formatPackaged(packaged)}\n`);
  const cost = raw.cost as CostComparison | undefined;
  if (cost) console.log(`${formatCallsAndDollars(cost.perConsumer)}\n`);
  const file = fileURLToPath(new URL('results.json', import.meta.url));
  const results = { startedAt: startedAt.toISOString(), mode, durationSeconds, machine: host, figures, raw, packaged };
  writeResults(file, results);
  log(`plots: ${writePlots(results, PLOTS_DIR).join(', ')}`);
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

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
