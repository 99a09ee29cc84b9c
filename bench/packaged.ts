import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverServices } from '../deploy/discover';
import { packageStage } from '../local/charterflow/package';
import { LOCAL_STAGE } from '../local/charterflow/stack-model';
import { DEFAULT_ISOLATED_CONCURRENCY, type ColdStart } from '../local/lambda/isolated';
import { deployedNames } from '../shared/declaration';
import { runChain, type RunFigures } from './chain';
import { startBenchStack } from './harness';

/**
 * The chain against a `serverless package` output (the artifact a deploy uploads), each function in child
 * processes of its own, and the cold starts those processes measured of themselves. The same bookings and
 * in-flight levels as source mode, so the two sit side by side.
 */

export interface PackagedPlan {
  chain: readonly { concurrency: number; bookings: number }[];
  /** Fresh stacks whose first booking cold-starts every function once. */
  coldStartSamples: number;
}

export interface PackagedMeasurement {
  packageMs: number;
  stackStartupMs: number;
  runs: RunFigures[];
  /** One list per fresh stack: every cold start while its first bookings went through. */
  coldStarts: ColdStart[][];
  /** Deployed function name to service folder. */
  serviceOf: (functionName: string) => string;
}

export async function measurePackaged(plan: PackagedPlan, log: (line: string) => void): Promise<PackagedMeasurement> {
  const root = mkdtempSync(join(tmpdir(), 'charterflow-bench-packaged-'));
  const packageDir = join(root, 'package');
  try {
    log(`packaged: serverless package --stage ${LOCAL_STAGE}...`);
    const { ms: packageMs } = await packageStage(LOCAL_STAGE, packageDir);
    const { runs, coldStarts, stackStartupMs } = await measureChain(packageDir, plan, log);
    const samples = [coldStarts];
    for (let i = 1; i < plan.coldStartSamples; i++) {
      log(`  cold starts: fresh packaged stack ${i + 1} of ${plan.coldStartSamples}, one booking...`);
      samples.push(await coldStartsOfOneBooking(packageDir));
    }
    const names = new Map((await discoverServices()).map((s) => [deployedNames(s.name).functionName, s.name]));
    return { packageMs, stackStartupMs, runs, coldStarts: samples, serviceOf: (fn) => names.get(fn) ?? fn };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The plan's runs on one packaged stack, after a warm-up: its first booking cold-starts every function (the
 * first sample), then as many environments as the runs keep busy are started.
 */
async function measureChain(packageDir: string, plan: PackagedPlan, log: (line: string) => void) {
  const coldStarts: ColdStart[] = [];
  let warmingUp = true;
  log('  chain: starting a packaged stack...');
  const bench = await startBenchStack({
    packageDir,
    onColdStart: (coldStart) => {
      if (warmingUp) coldStarts.push(coldStart);
    },
  });
  const runs: RunFigures[] = [];
  try {
    await runChain(bench, 3, 1);
    warmingUp = false;
    // Source mode's functions are warm after one booking; packaged ones start an environment per booking in
    // flight. Without this the first burst measures ten cold starts a function on a laptop, not the chain.
    const most = Math.min(Math.max(...plan.chain.map((r) => r.concurrency)), DEFAULT_ISOLATED_CONCURRENCY);
    if (most > 1) {
      log(`  warming ${most} environments a function (${most} bookings, ${most} in flight, not measured)...`);
      await runChain(bench, most, most);
    }
    for (const { concurrency, bookings } of plan.chain) {
      log(`  packaged choreography: ${bookings} bookings, ${Math.min(concurrency, bookings)} in flight...`);
      runs.push(await runChain(bench, bookings, concurrency));
      await bench.stack.eventBridge.idle();
    }
    return { runs, coldStarts, stackStartupMs: bench.stack.startupMs };
  } finally {
    await bench.stop();
  }
}

/** A fresh packaged stack, one booking through the whole chain (its listeners too): each function's cold start. */
async function coldStartsOfOneBooking(packageDir: string): Promise<ColdStart[]> {
  const coldStarts: ColdStart[] = [];
  const bench = await startBenchStack({ packageDir, onColdStart: (coldStart) => coldStarts.push(coldStart) });
  try {
    await runChain(bench, 1, 1);
    return coldStarts;
  } finally {
    await bench.stop();
  }
}
