import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT_ID } from '../../../../local/aws/service';
import { startEdge, type Edge, type RequestHandler } from '../../../../local/aws/edge';
import {
  createEventBridge,
  type EventBridgeEvent,
  type EventLabels,
  type FunctionAsyncConfig,
  type LocalEventBridge,
} from '../../../../local/aws/eventbridge';
import { functionNameOf } from '../../../../local/lambda';
import { LocalQueues } from '../../../../local/aws/sqs/queues';
import type { Iam } from '../../../../local/aws/iam/model';

export const REGION = 'us-west-2';

const unused: RequestHandler = (_req, res) => {
  res.statusCode = 501;
  res.end();
};

export interface BusUnderTest {
  bridge: LocalEventBridge;
  queues: LocalQueues;
  edge: Edge;
  events: EventBridgeClient;
  sqs: SQSClient;
  /** Every Lambda invocation the bus made, in order. */
  invocations: Array<{ functionArn: string; event: EventBridgeEvent; requestId: string }>;
  stop(): Promise<void>;
}

export interface BusOptions {
  dataDir?: string;
  /** What an invoked Lambda function does; records and succeeds when absent. */
  lambda?: (functionArn: string, event: EventBridgeEvent) => Promise<void>;
  backoff?: { baseMs: number; maxMs: number };
  /** Functions' asynchronous-invocation settings by function name; Lambda's defaults for the others. */
  functions?: Record<string, FunctionAsyncConfig>;
  /** Or where to look them up (a LocalLambda's asyncConfigOf). */
  functionConfig?: (functionArn: string) => FunctionAsyncConfig | undefined;
  region?: string;
  accountId?: string;
  /** What a dead-letter log line adds to name the event (the stack names the booking). */
  eventLabels?: EventLabels;
  /** The stack's IAM, when the test enforces it on the dead-letter queues' sends. */
  iam?: () => Iam | undefined;
}

/**
 * The local EventBridge and SQS behind the edge on a free port, with real SDK clients pointed at it.
 * Backoff is shrunk to milliseconds: the tests check retry counts and outcomes, never timing.
 */
export async function startBus(options: BusOptions = {}): Promise<BusUnderTest> {
  const region = options.region ?? REGION;
  const accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
  const queues = new LocalQueues({
    region,
    accountId,
    ...(options.dataDir ? { dataDir: join(options.dataDir, 'sqs') } : {}),
  });
  const invocations: BusUnderTest['invocations'] = [];
  const bridge = await createEventBridge({
    ...(options.dataDir ? { dataDir: join(options.dataDir, 'events') } : {}),
    region,
    accountId,
    queues,
    invokeLambda: async (functionArn, event, { requestId }) => {
      invocations.push({ functionArn, event, requestId });
      await options.lambda?.(functionArn, event);
    },
    functionConfig: options.functionConfig ?? ((functionArn) => options.functions?.[functionNameOf(functionArn)]),
    backoff: options.backoff ?? { baseMs: 2, maxMs: 20 },
    eventLabels: options.eventLabels,
    ...(options.iam && { iam: options.iam }),
  });
  const edge = await startEdge({
    port: 0,
    region,
    accountId,
    services: [bridge, queues],
    dynamodb: unused,
    s3: unused,
    cloudfront: unused,
  });
  queues.setBaseUrl(edge.url);
  const clientConfig = {
    region,
    endpoint: edge.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const events = new EventBridgeClient(clientConfig);
  const sqs = new SQSClient(clientConfig);
  return {
    bridge,
    queues,
    edge,
    events,
    sqs,
    invocations,
    async stop() {
      events.destroy();
      sqs.destroy();
      await edge.stop();
      await bridge.stop();
      queues.stop();
    },
  };
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'charterflow-eventbridge-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Everything currently in a queue (no waiting: callers first await bridge.idle()). */
export async function drain(sqs: SQSClient, url: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 300,
        WaitTimeSeconds: 0,
      }),
    );
    if (!Messages || Messages.length === 0) return out;
    out.push(...Messages);
  }
}

export const lambdaArn = (name: string) => `arn:aws:lambda:${REGION}:${LOCAL_ACCOUNT_ID}:function:${name}`;
