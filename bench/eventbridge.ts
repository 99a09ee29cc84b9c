import { performance } from 'node:perf_hooks';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { LOCAL_ACCOUNT_ID } from '../local/aws/service';
import { startEdge, type RequestHandler } from '../local/aws/edge';
import { createEventBridge } from '../local/aws/eventbridge';
import { LocalQueues } from '../local/aws/sqs/queues';

const REGION = 'us-west-2';
const BATCH = 10;
const CONCURRENT_REQUESTS = 8;

const unused: RequestHandler = (_req, res) => {
  res.statusCode = 501;
  res.end();
};

export interface LocalBusFigures {
  /** Events accepted per second: PutEvents over HTTP through the SDK, 10 entries a call, 8 calls in flight. */
  putEventsPerSecond: number;
  /** From just before the PutEvents call to the Lambda target's invocation, in ms. */
  putToInvokeMs: { p50: number; p99: number };
}

/** The bus at a fixed rate well below its capacity: what one event waits, with nothing queued ahead of it. */
export interface BusAtRateFigures {
  /** Events a second asked for, and sent. */
  ratePerSecond: number;
  seconds: number;
  events: number;
  /** From just before each PutEvents (one entry) to the Lambda target's invocation, in ms. */
  putToInvokeMs: { p50: number; p99: number; max: number };
}

interface LocalBus {
  client: EventBridgeClient;
  bridge: Awaited<ReturnType<typeof createEventBridge>>;
  /** Keys of events sent, to the performance.now() just before their PutEvents. */
  sentAt: Map<string, number>;
  latencies: number[];
}

/**
 * The local bus alone, in-process and ephemeral: the real SDK client, the edge, one rule with one Lambda
 * target whose handler only records when it ran. What it measures is the bus's own cost.
 */
async function withLocalBus<T>(work: (bus: LocalBus) => Promise<T>): Promise<T> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const queues = new LocalQueues({ region: REGION, accountId: LOCAL_ACCOUNT_ID });
  const bridge = await createEventBridge({
    region: REGION,
    accountId: LOCAL_ACCOUNT_ID,
    queues,
    invokeLambda: (_arn, event) => {
      const key = (event.detail as { key: string }).key;
      const started = sentAt.get(key);
      if (started !== undefined) latencies.push(performance.now() - started);
      return Promise.resolve();
    },
  });
  const edge = await startEdge({
    port: 0,
    region: REGION,
    accountId: LOCAL_ACCOUNT_ID,
    services: [bridge, queues],
    dynamodb: unused,
    s3: unused,
    cloudfront: unused,
  });
  const client = new EventBridgeClient({
    region: REGION,
    endpoint: edge.url,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    await client.send(
      new PutRuleCommand({ Name: 'bench', EventPattern: JSON.stringify({ source: ['charterflow.bench'] }) }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: 'bench',
        Targets: [{ Id: 'fn', Arn: `arn:aws:lambda:${REGION}:${LOCAL_ACCOUNT_ID}:function:bench` }],
      }),
    );
    // Warm up the connection and the code paths before measuring.
    await client.send(
      new PutEventsCommand({
        Entries: [{ Source: 'charterflow.bench', DetailType: 'Warmup', Detail: '{"key":"warmup"}' }],
      }),
    );
    await bridge.idle();
    return await work({ client, bridge, sentAt, latencies });
  } finally {
    client.destroy();
    await edge.stop();
    await bridge.stop();
    queues.stop();
  }
}

const entryOf = (key: string) => ({
  Source: 'charterflow.bench',
  DetailType: 'BookingReceived',
  Detail: JSON.stringify({ key, metadata: { bookingId: 'XHQGMDH' } }),
});

/** Saturation: as many events as the bus takes, 10 entries a call, 8 calls in flight. */
export function benchLocalBus(opts: { events: number }): Promise<LocalBusFigures> {
  return withLocalBus(async ({ client, bridge, sentAt, latencies }) => {
    const batches: string[][] = [];
    for (let i = 0; i < opts.events; i += BATCH)
      batches.push(Array.from({ length: Math.min(BATCH, opts.events - i) }, (_, j) => `e${i + j}`));
    let next = 0;
    const started = performance.now();
    const sender = async () => {
      while (next < batches.length) {
        const keys = batches[next++]!;
        const now = performance.now();
        for (const key of keys) sentAt.set(key, now);
        const result = await client.send(new PutEventsCommand({ Entries: keys.map(entryOf) }));
        if (result.FailedEntryCount) throw new Error(`PutEvents failed ${result.FailedEntryCount} entries`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, sender));
    const putSeconds = (performance.now() - started) / 1000;
    await bridge.idle();
    return {
      putEventsPerSecond: Math.round(opts.events / putSeconds),
      putToInvokeMs: { p50: round(percentileOf(latencies, 50)), p99: round(percentileOf(latencies, 99)) },
    };
  });
}

/**
 * A fixed rate, one event a PutEvents, each sent on its own schedule whether or not the last has arrived (an
 * open loop: a slow event does not slow the sender and hide itself). Apart from the saturation run, whose p99
 * measures the queue in front of the bus, not the bus.
 */
export function benchBusAtRate(opts: { ratePerSecond: number; seconds: number }): Promise<BusAtRateFigures> {
  const events = Math.round(opts.ratePerSecond * opts.seconds);
  const intervalMs = 1000 / opts.ratePerSecond;
  return withLocalBus(async ({ client, bridge, sentAt, latencies }) => {
    const sends: Promise<unknown>[] = [];
    const started = performance.now();
    for (let i = 0; i < events; i++) {
      const due = started + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const key = `r${i}`;
      sentAt.set(key, performance.now());
      sends.push(client.send(new PutEventsCommand({ Entries: [entryOf(key)] })));
    }
    await Promise.all(sends);
    await bridge.idle();
    return {
      ratePerSecond: opts.ratePerSecond,
      seconds: opts.seconds,
      events: latencies.length,
      putToInvokeMs: {
        p50: round(percentileOf(latencies, 50)),
        p99: round(percentileOf(latencies, 99)),
        max: round(Math.max(...latencies)),
      },
    };
  });
}

function percentileOf(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const round = (ms: number) => Math.round(ms * 100) / 100;
