import { runChain } from './chain';
import type { BenchStack, Invocation } from './harness';
import { startHistory } from './history';
import { runReplay, type ReplayFigures } from './replay';
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
}

const perConsumer = (invocations: Invocation[]) => {
  const by: Record<string, number[]> = {};
  for (const i of invocations) (by[i.consumer] ??= []).push(i.totalMs);
  return Object.fromEntries(Object.entries(by).map(([name, times]) => [name, Math.round(median(times) * 100) / 100]));
};

/** The key figures at growing history, and the replay of the archive when it holds plan.replayEvents. */
export async function runGrowth(bench: BenchStack, plan: GrowthPlan, log: (line: string) => void) {
  const since = new Date(Date.now() - 1_000);
  const history = await startHistory(bench);
  const levels: GrowthLevel[] = [];
  let replay: ReplayFigures | undefined;
  const replayAt = Math.ceil(plan.replayEvents / 5);
  const milestones = [...new Set([...plan.levels, replayAt])].sort((a, b) => a - b);
  try {
    for (const target of milestones) {
      const seedSeconds = await history.growTo(target);
      await bench.stack.eventBridge.idle();
      if (target === replayAt) {
        log(`  replaying ${target * 5} archived events...`);
        replay = await runReplay(bench, since);
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
  return { levels, replay };
}
