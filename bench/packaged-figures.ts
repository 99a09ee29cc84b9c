import type { ColdStart } from '../local/lambda/isolated';
import type { BundleFigures } from './bundles';
import type { RunFigures } from './chain';
import { formatColumns, formatValue } from './table';
import { median, round, summarize, type Summary } from './stats';

/**
 * The packaged run's figures beside source mode's, pure: the chain's latencies at the same in-flight levels, and
 * the cold starts each packaged environment measured of itself.
 */

/** One line of the side-by-side table: the same figure in both modes (NaN where a mode did not measure it). */
export interface SideBySide {
  figure: string;
  unit: string;
  source: number;
  packaged: number;
}

/** A packaged function's cold starts, medians over the samples (one fresh environment each). */
export interface PackagedColdStart {
  service: string;
  functionName: string;
  nodeVersion: string;
  samples: number;
  processStartMs: number;
  importMs: number;
  initMs: number;
  coldStartMs: number;
  /** Section 4's figure for the same handler: its bundle imported and run once in a bare node process. */
  sourceBundleColdStartMs?: number;
}

export interface PackagedChainRun {
  bookings: number;
  concurrency: number;
  throughput: number;
  summary: Summary;
}

/** What stays source-only, and why: printed under the tables and kept in results.json. */
export const SOURCE_ONLY = [
  'per-hop split (section 3), replay skips (5) and cost (7): they wrap each handler in this process to time it',
  'CPU per booking: packaged functions run in child processes that process.cpuUsage() does not see',
];

const inFlightOf = (run: { concurrency: number; bookings: number }) => Math.min(run.concurrency, run.bookings);

/** p50, p95 and throughput at each in-flight level both modes ran, source runs and packaged runs in plan order. */
export function chainSideBySide(source: readonly RunFigures[], packaged: readonly RunFigures[]): SideBySide[] {
  const rows: SideBySide[] = [];
  for (const run of packaged) {
    const inFlight = inFlightOf(run);
    const other = source.find((s) => inFlightOf(s) === inFlight);
    const s = other ? summarize(other.latencies) : undefined;
    const p = summarize(run.latencies);
    rows.push(
      { figure: `e2e p50, ${inFlight} in flight`, unit: 'ms', source: s?.p50 ?? NaN, packaged: p.p50 },
      { figure: `e2e p95, ${inFlight} in flight`, unit: 'ms', source: s?.p95 ?? NaN, packaged: p.p95 },
      {
        figure: `throughput, ${inFlight} in flight`,
        unit: 'bookings/s',
        source: other ? round(other.throughput) : NaN,
        packaged: round(run.throughput),
      },
    );
  }
  return rows;
}

/**
 * Per function, the median of each part of its cold starts. `samples` holds one list per fresh stack; only a
 * function's first cold start in each counts (a later one may have started under load, beside a busy one).
 */
export function coldStartMedians(
  samples: readonly (readonly ColdStart[])[],
  serviceOf: (functionName: string) => string,
  bundles: readonly BundleFigures[] = [],
): PackagedColdStart[] {
  const byFunction = new Map<string, ColdStart[]>();
  for (const sample of samples) {
    const seen = new Set<string>();
    for (const coldStart of sample) {
      if (seen.has(coldStart.functionName)) continue;
      seen.add(coldStart.functionName);
      byFunction.set(coldStart.functionName, [...(byFunction.get(coldStart.functionName) ?? []), coldStart]);
    }
  }
  return [...byFunction].map(([functionName, list]) => {
    const service = serviceOf(functionName);
    const bundle = bundles.find((b) => b.name === service);
    const med = (pick: (c: ColdStart) => number) => round(median(list.map(pick)), 1);
    return {
      service,
      functionName,
      nodeVersion: list[0]!.nodeVersion,
      samples: list.length,
      processStartMs: med((c) => c.processStartMs),
      importMs: med((c) => c.importMs),
      initMs: med((c) => c.initMs),
      coldStartMs: med((c) => c.coldStartMs),
      ...(bundle ? { sourceBundleColdStartMs: round(bundle.coldStartMs.median, 1) } : {}),
    };
  });
}

export function packagedChainRuns(runs: readonly RunFigures[]): PackagedChainRun[] {
  return runs.map((run) => ({
    bookings: run.bookings,
    concurrency: run.concurrency,
    throughput: round(run.throughput),
    summary: summarize(run.latencies),
  }));
}

/** results.json's `packaged`: the run of a `serverless package` output, beside source mode. */
export interface PackagedResults {
  /** `serverless package --stage local`, offline. */
  packageMs: number;
  /** startStack() of the packaged chain's stack: unzipping the bundles included. */
  stackStartupMs: number;
  /** Environments of one function at once (IsolatedLambda's default; source mode's LocalLambda allows more). */
  environmentsPerFunction: number;
  chain: PackagedChainRun[];
  sideBySide: SideBySide[];
  coldStarts: PackagedColdStart[];
  sourceOnly: string[];
}

/** The two tables on the terminal: the chain in both modes, then the packaged cold starts with section 4 beside them. */
export function formatPackaged(results: PackagedResults): string {
  const value = (v: number, unit: string) => `${formatValue(v)} ${unit}`.trim();
  const chain = formatColumns(
    ['figure', 'source', 'packaged'],
    results.sideBySide.map((r) => [r.figure, value(r.source, r.unit), value(r.packaged, r.unit)]),
  );
  const coldStarts = formatColumns(
    ['function', 'process start', 'import', 'init', 'cold start', 'samples', 'section 4: bundle in bare node'],
    results.coldStarts.map((c) => [
      c.service,
      value(c.processStartMs, 'ms'),
      value(c.importMs, 'ms'),
      value(c.initMs, 'ms'),
      value(c.coldStartMs, 'ms'),
      String(c.samples),
      c.sourceBundleColdStartMs === undefined ? 'n/a' : value(c.sourceBundleColdStartMs, 'ms'),
    ]),
  );
  return [
    `[packaged beside source: webhook 202 to GuestPagePublished at the bus tap, same bookings and in-flight levels]`,
    `source: the TypeScript in this process; packaged: \`serverless package\` output, each function in child processes on its runtime's Node, at most ${results.environmentsPerFunction} environments a function, warmed before the runs`,
    chain,
    '',
    '[packaged cold starts: the honest ones, each function in a fresh environment of its own, measured by the environment]',
    'process start = Node start to the runtime running; import = the bundle; init = spawn to asking for the first event (Lambda init);',
    'cold start = spawn to the first event answered. Median over fresh stacks, the first cold start of each function in each.',
    'section 4 is not the same thing: the bundle imported and run once in a bare node process, no Runtime API, no process start counted.',
    coldStarts,
    '',
    `source mode only: ${results.sourceOnly.join('; ')}`,
    `packaged with serverless package in ${formatValue(results.packageMs / 1000)} s; packaged stack started in ${formatValue(results.stackStartupMs)} ms`,
  ].join('\n');
}
