import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ClientRequest } from 'node:http';
import { createServer } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { openBusTap } from '../cli/bus-tap';
import { discoverServices } from '../deploy/discover';
import type { LambdaHandler } from '../local/lambda';
import { startStack, type LocalStack, type StackOptions } from '../local/charterflow/stack';
import { parseSecrets } from '../services/webhook/signature';
import { region, secretNames } from '../shared/config';
import { deployedNames } from '../shared/declaration';
import { signedDelivery } from '../shared/signed-delivery';
import { atOffsetOf } from '../shared/trip';
import { bookingConfirmedAs, bookingIdNumber, bookingModified, tripStartOf } from '../samples';
import { awsCallOf, type AwsCall } from './cost';
import { unionLength } from './stats';

/**
 * The local stack as the bench drives it: ephemeral, free ports, service logs off; a tap on the bus (a rule
 * with an SQS target, as an operator would watch it) that tells when each booking's GuestPagePublished
 * crossed the bus; and a wrapper around every consumer that splits its time into our code and the
 * downstream calls it waits on: the HTTP requests it makes, to JADA and SCC (the stand-ins) and to AWS (the SDK).
 */

export interface Invocation {
  consumer: string;
  detailType: string;
  replay: boolean;
  totalMs: number;
  downstreamMs: number;
  /** The AWS calls it made (SDK requests), e.g. DynamoDB.GetItem, S3.PutObject. */
  calls: AwsCall[];
}

interface InvocationRecord {
  intervals: [number, number][];
  calls: AwsCall[];
}

const invocationScope = new AsyncLocalStorage<InvocationRecord>();
let watching = false;
/** host:port of the running stacks' JADA and SCC stand-ins: their requests are downstream time, not AWS calls. */
const standInHosts = new Set<string>();

/**
 * Runs `work` as one measured invocation: its downstream time and AWS calls (the direct baseline uses it for
 * its one function).
 */
export async function measured<T>(
  work: () => Promise<T>,
): Promise<{ result: T; totalMs: number; downstreamMs: number; calls: AwsCall[] }> {
  watchDownstreamCalls();
  const record: InvocationRecord = { intervals: [], calls: [] };
  const at = performance.now();
  const result = await invocationScope.run(record, work);
  return { result, totalMs: performance.now() - at, downstreamMs: unionLength(record.intervals), calls: record.calls };
}

/** Records the downstream calls made inside an invocation: once per process (the channels are global). */
function watchDownstreamCalls(): void {
  if (watching) return;
  watching = true;
  const started = new WeakMap<ClientRequest, { record: InvocationRecord; at: number }>();
  countItemsOnEnd();
  subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: ClientRequest };
    const record = invocationScope.getStore();
    if (!record) return;
    started.set(request, { record, at: performance.now() });
    if (standInHosts.has(String(request.getHeader('host')))) return;
    const call = awsCallOf({
      method: request.method,
      path: request.path,
      target: request.getHeader('x-amz-target') as string | undefined,
      copySource: request.getHeader('x-amz-copy-source') !== undefined,
    });
    if (!call) return;
    const items = itemsSent.get(request);
    if (items !== undefined) call.items = items;
    record.calls.push(call);
  });
  // A request that failed (refused, timed out) was waited on too.
  const finished = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const start = started.get(request);
    if (!start) return;
    started.delete(request);
    start.record.intervals.push([start.at, performance.now()]);
  };
  subscribe('http.client.response.finish', finished);
  subscribe('http.client.request.error', finished);
}

/** DynamoDB calls billed per item they carry: their items are counted from the request body. */
const MULTI_ITEM = new Set(['TransactWriteItems', 'TransactGetItems', 'BatchWriteItem', 'BatchGetItem']);

/** Items each DynamoDB transaction or batch request carried, read from its body as it was sent. */
const itemsSent = new WeakMap<ClientRequest, number>();

/**
 * Node publishes a request's start once its body is written, too late to read it there. The SDK hands a JSON
 * body to end() in one piece: read the items of a transaction or batch there. A body that cannot be read leaves
 * them unknown, and the cost counts the call as one item.
 */
function countItemsOnEnd(): void {
  const end = ClientRequest.prototype.end as (this: ClientRequest, ...args: unknown[]) => ClientRequest;
  ClientRequest.prototype.end = function (this: ClientRequest, ...args: unknown[]) {
    const [body] = args;
    const target = this.getHeader('x-amz-target');
    const operation = typeof target === 'string' ? (target.split('.')[1] ?? '') : '';
    if (MULTI_ITEM.has(operation) && (typeof body === 'string' || body instanceof Uint8Array)) {
      const items = itemsOf(operation, Buffer.from(body).toString('utf8'));
      if (items !== undefined) itemsSent.set(this, items);
    }
    return end.apply(this, args);
  } as ClientRequest['end'];
}

/** Items in a DynamoDB transaction or batch request body (undefined: not one). */
export function itemsOf(operation: string, body: string): number | undefined {
  try {
    const request = JSON.parse(body) as {
      TransactItems?: unknown[];
      RequestItems?: Record<string, unknown[] | { Keys?: unknown[] }>;
    };
    if (operation.startsWith('Transact')) return request.TransactItems?.length;
    if (!request.RequestItems) return undefined;
    return Object.values(request.RequestItems).reduce<number>(
      (sum, table) => sum + (Array.isArray(table) ? table.length : (table.Keys?.length ?? 0)),
      0,
    );
  } catch {
    return undefined;
  }
}

export interface BenchStack {
  stack: LocalStack;
  webhookSecret: string;
  /** Every function invocation, timed by the wrapper: source mode only (empty in packaged mode). */
  invocations: Invocation[];
  /** Signs and posts a new confirmed booking; resolves at its 202 with the epoch ms it was accepted. */
  send(bookingId: string): Promise<number>;
  /** Signs and posts a change of a published booking (revision 2: later start, longer, more guests); resolves at its 202. */
  sendChange(bookingId: string): Promise<number>;
  /** Epoch ms the booking's GuestPagePublished was delivered to the tap (SQS SentTimestamp). */
  published(bookingId: string): Promise<number>;
  /** Epoch ms the booking's GuestPageUpdated (the change's end) was delivered to the tap. */
  updated(bookingId: string): Promise<number>;
  nextBookingId(): string;
  /**
   * At most `limit` executions of each function at once, the rest waiting their turn (Lambda's reserved
   * concurrency); undefined = the local stack's default (DEFAULT_LOCAL_CONCURRENCY).
   */
  limitConcurrency(limit: number | undefined): void;
  stop(): Promise<void>;
}

/**
 * One mailbox port for every stack the bench starts in this process: guest-mail's SES client is built once, at
 * import, with the mailbox's address, and the handler module outlives the stack it was first imported for.
 */
let mailboxPort: Promise<number> | undefined;

/**
 * A port that is free now, below the ephemeral ranges (Linux from 32768, macOS and Windows from 49152): between
 * two stacks the mailbox's port is unbound, and a port the system hands out (port 0, or an outgoing
 * connection's own port) could be taken in that gap, as happened once with a bench's SDK connection.
 */
async function portForTheRun(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port between 20000 and 32000 on 127.0.0.1 for the bench mailbox');
}

export interface BenchStackOptions {
  consumers?: string[];
  /**
   * Run this `serverless package` output instead of the sources: each function in processes of its own, so
   * nothing wraps its handler (no invocations recorded, no concurrency limit); the chain's timings still hold.
   */
  packageDir?: string;
  /** Packaged mode: each execution environment's cold start. */
  onColdStart?: StackOptions['onColdStart'];
}

export async function startBenchStack(options: BenchStackOptions = {}): Promise<BenchStack> {
  // Downstream retries keep their production shape; only the per-call timeout is generous for a busy laptop.
  process.env.CHARTERFLOW_HTTP_TIMEOUT_MS ??= '10000';
  mailboxPort ??= portForTheRun();
  const ports = { aws: 0, webhook: 0, guestSite: 0, mailbox: await mailboxPort, standIns: {} };
  const packaged = options.packageDir !== undefined;
  const stack = await startStack({
    ephemeral: true,
    ports,
    log: false,
    consumers: options.consumers ?? true,
    // A packaged function's environment is its own: the generous timeout has to be handed to it.
    ...(packaged
      ? {
          packageDir: options.packageDir,
          onColdStart: options.onColdStart,
          functionEnvironment: { CHARTERFLOW_HTTP_TIMEOUT_MS: process.env.CHARTERFLOW_HTTP_TIMEOUT_MS },
        }
      : {}),
  });
  const standIns = Object.values(stack.endpoints.standIns).map((url) => new URL(url).host);
  for (const host of standIns) standInHosts.add(host);
  const config = { region: region(), endpoint: stack.endpoints.aws };
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const secrets = new SecretsManagerClient(config);
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  secrets.destroy();
  const webhookSecret = parseSecrets(SecretString!)[0]!;

  const invocations: Invocation[] = [];
  watchDownstreamCalls();
  for (const { name, dir, declaration } of packaged ? [] : await discoverServices()) {
    // The webhook too (an http function): its calls and duration are part of what a booking costs.
    if (declaration.kind === 'consumer' && options.consumers && !options.consumers.includes(name)) continue;
    const file = pathToFileURL(join(dir, 'handler.ts')).href;
    // Registering again replaces the stack's entry: same handler module, timed around each invocation.
    stack.lambda.register(deployedNames(name).functionName, async () => {
      const { handler } = (await import(file)) as { handler: LambdaHandler };
      return async (event, context) => {
        const record: InvocationRecord = { intervals: [], calls: [] };
        const at = performance.now();
        try {
          return await invocationScope.run(record, () => handler(event, context));
        } finally {
          const { intervals, calls } = record;
          const e = event as { 'detail-type'?: string; 'replay-name'?: string };
          invocations.push({
            consumer: declaration.name,
            detailType: e['detail-type'] ?? 'http',
            replay: Boolean(e['replay-name']),
            totalMs: performance.now() - at,
            downstreamMs: unionLength(intervals),
            calls,
          });
        }
      };
    });
  }

  const tap = await openBusTap(events, sqs, {
    name: 'bench-tap-guest-page-published',
    pattern: { 'detail-type': ['GuestPagePublished', 'GuestPageUpdated'] },
  });

  // Keyed by detail-type and booking id: a change's GuestPageUpdated and the booking's GuestPagePublished apart.
  let counter = 0;
  const webhookUrl = new URL('/webhooks/boatsetter', stack.endpoints.webhook);
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  let polling = true;
  const poll = async () => {
    while (polling) {
      for (const event of await tap.receive({ waitSeconds: 1 })) {
        const key = `${event['detail-type']}:${event.detail.metadata.bookingId!}`;
        const at = event.sentAt;
        const waiter = waiting.get(key);
        if (waiter) {
          waiting.delete(key);
          waiter(at);
        } else if (!arrived.has(key)) arrived.set(key, at);
      }
    }
  };
  const pollers = Array.from({ length: 3 }, () =>
    poll().catch((error: unknown) => (polling ? Promise.reject(error) : undefined)),
  );
  const arrival = (detailType: string, bookingId: string): Promise<number> => {
    const key = `${detailType}:${bookingId}`;
    const at = arrived.get(key);
    if (at !== undefined) {
      arrived.delete(key);
      return Promise.resolve(at);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(key);
        reject(new Error(`no ${detailType} for booking ${bookingId} within 60 s`));
      }, 60_000);
      waiting.set(key, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  };
  const post = async (bookingId: string, payload: unknown) => {
    const delivery = signedDelivery(payload, webhookSecret);
    const response = await fetch(webhookUrl, { method: 'POST', headers: delivery.headers, body: delivery.body });
    const acceptedAt = Date.now();
    const text = await response.text();
    if (response.status !== 202)
      throw new Error(`webhook answered ${response.status} for booking ${bookingId}: ${text}`);
    return acceptedAt;
  };

  return {
    stack,
    webhookSecret,
    invocations,
    nextBookingId: () => bookingIdNumber(++counter),
    limitConcurrency: (limit) => {
      if (packaged) throw new Error('limitConcurrency: source mode only (packaged functions keep their own limits)');
      stack.lambda.setConcurrency(limit);
    },
    send: (bookingId) => post(bookingId, bookingConfirmedAs(bookingId)),
    sendChange: (bookingId) => post(bookingId, bookingChangeOf(bookingId)),
    published: (bookingId) => arrival('GuestPagePublished', bookingId),
    updated: (bookingId) => arrival('GuestPageUpdated', bookingId),
    async stop() {
      polling = false;
      await Promise.allSettled(pollers);
      sqs.destroy();
      events.destroy();
      await stack.stop();
      for (const host of standIns) standInHosts.delete(host);
    },
  };
}

/** Boatsetter's change of the sample (samples/boatsetter/booking-modified.json) for another booking, on that booking's day. */
export function bookingChangeOf(bookingId: string) {
  const payload = bookingModified();
  payload.data.booking_id = bookingId;
  // Ninety minutes later, as in the sample change: the booking's own day, so no double booking.
  payload.data.trip.start = atOffsetOf(tripStartOf(bookingId), Date.parse(tripStartOf(bookingId)) + 90 * 60_000);
  return payload;
}
