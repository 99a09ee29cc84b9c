import { randomUUID } from 'node:crypto';
import { discoverServices } from '../deploy/discover';
import { deployedNames, type ConsumerDeclaration } from '../shared/declaration';
import { runChain } from './chain';
import type { BenchStack, Invocation } from './harness';
import { startHistory, type History } from './history';
import { runReplay, type ReplayFigures } from './replay';
import { profiled } from './profile';
import { median, summarize, type Summary } from './stats';

export interface GrowthLevel {
  /** Bookings in the archive and tables before measuring. */
  history: number;
  seedSeconds: number;
  endToEndMs: Summary;
  throughput: number;
  /** Median of each consumer's invocation time for new events at this level (one booking at a time), in ms. */
  consumerMs: Record<string, number>;
}

export interface GrowthPlan {
  levels: number[];
  /** Archived events to replay (5 per booking): the replay runs once history holds that many. */
  replayEvents: number;
  /** Bookings one at a time (latency), then ten at a time (throughput), at each level. */
  sequential: number;
  concurrent: number;
  /** Done bookings whose events are redelivered one at a time to time a skip. */
  skipSamples: number;
  /** Concurrent executions per function during the replay (Lambda's reserved concurrency). */
  replayConcurrency: number;
}

const perConsumer = (invocations: Invocation[]) => {
  const by: Record<string, number[]> = {};
  for (const i of invocations) {
    by[i.consumer] ??= [];
    by[i.consumer]!.push(i.totalMs);
  }
  return Object.fromEntries(Object.entries(by).map(([name, times]) => [name, Math.round(median(times) * 100) / 100]));
};

/** The key figures at growing history, and the replay of the archive when it holds plan.replayEvents. */
export async function runGrowth(bench: BenchStack, plan: GrowthPlan, log: (line: string) => void) {
  const since = new Date(Date.now() - 1_000);
  const history = await startHistory(bench);
  const levels: GrowthLevel[] = [];
  let replay: ReplayFigures | undefined;
  let skips: Invocation[] = [];
  const replayAt = Math.ceil(plan.replayEvents / 5);
  const milestones = [...new Set([...plan.levels, replayAt])].sort((a, b) => a - b);
  try {
    for (const target of milestones) {
      const seedSeconds = await history.growTo(target);
      await bench.stack.eventBridge.idle();
      if (target === replayAt) {
        log(`  replaying ${target * 5} archived events...`);
        // Unbounded, the in-process LocalLambda runs every replayed delivery at once: 10,000 events queue
        // tens of thousands of SDK requests, which time out and dead-letter. Lambda would bound it.
        bench.limitConcurrency(plan.replayConcurrency);
        try {
          replay = await profiled('replay', () => runReplay(bench, since));
        } finally {
          bench.limitConcurrency(undefined);
        }
        skips = await profiled('skips', () => redeliverDone(bench, history, plan.skipSamples));
      }
      if (!plan.levels.includes(target)) continue;
      log(`  growth: ${history.bookings} bookings in history (seeded in ${seedSeconds.toFixed(1)} s), measuring...`);
      const atLevel = history.bookings;
      const before = bench.invocations.length;
      const sequential = await runChain(bench, plan.sequential, 1);
      await bench.stack.eventBridge.idle();
      const sequentialInvocations = bench.invocations.slice(before).filter((i) => !i.replay);
      const concurrent = await runChain(bench, plan.concurrent, 10);
      await bench.stack.eventBridge.idle();
      history.add(plan.sequential + plan.concurrent);
      levels.push({
        history: atLevel,
        seedSeconds,
        endToEndMs: summarize(sequential.latencies),
        throughput: concurrent.throughput,
        consumerMs: perConsumer(sequentialInvocations),
      });
    }
  } finally {
    history.close();
  }
  return { levels, replay, skips };
}

/**
 * Already-done events handed to each consumer one at a time, as a replay delivers them (with replay-name):
 * the time to skip, without the queueing of a replay in full flow.
 */
async function redeliverDone(bench: BenchStack, history: History, bookings: number): Promise<Invocation[]> {
  const consumers = (await discoverServices())
    .filter((s) => s.declaration.kind === 'consumer')
    .map((s) => ({ name: s.name, consumes: (s.declaration as ConsumerDeclaration).consumes as readonly string[] }));
  const before = bench.invocations.length;
  for (let n = 1; n <= bookings; n++) {
    for (const event of history.eventsOf(n)) {
      for (const consumer of consumers.filter((c) => c.consumes.includes(event['detail-type']))) {
        const envelope = {
          version: '0',
          id: randomUUID(),
          ...event,
          account: '000000000000',
          time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          region: 'us-west-2',
          resources: [],
          'replay-name': 'bench-skip',
        };
        await bench.stack.lambda.invoke(bench.stack.lambda.arnOf(deployedNames(consumer.name).functionName), envelope);
      }
    }
  }
  return bench.invocations.slice(before);
}
