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

/**
 * The local bus alone, in-process and ephemeral: the real SDK client, the edge, one rule with one Lambda
 * target whose handler only records when it ran. What it measures is the bus's own cost.
 */
export async function benchLocalBus(opts: { events: number }): Promise<LocalBusFigures> {
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
        const result = await client.send(
          new PutEventsCommand({
            Entries: keys.map((key) => ({
              Source: 'charterflow.bench',
              DetailType: 'BookingReceived',
              Detail: JSON.stringify({ key, metadata: { bookingId: 'XHQGMDH' } }),
            })),
          }),
        );
        if (result.FailedEntryCount) throw new Error(`PutEvents failed ${result.FailedEntryCount} entries`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, sender));
    const putSeconds = (performance.now() - started) / 1000;
    await bridge.idle();

    latencies.sort((a, b) => a - b);
    const percentile = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
    return {
      putEventsPerSecond: Math.round(opts.events / putSeconds),
      putToInvokeMs: { p50: round(percentile(50)), p99: round(percentile(99)) },
    };
  } finally {
    client.destroy();
    await edge.stop();
    await bridge.stop();
    queues.stop();
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
