import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { ClientRequest } from 'node:http';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { openBusTap } from '../cli/bus-tap';
import { discoverServices } from '../local/consumers';
import type { LambdaHandler } from '../local/lambda';
import { startStack, type LocalStack } from '../local/stack';
import { parseSecrets } from '../services/webhook/signature';
import { region, secretNames } from '../shared/config';
import { deployedNames, type ConsumerDeclaration } from '../shared/declaration';
import { signedDelivery } from '../shared/signed-delivery';
import { bookingConfirmedAs, bookingIdNumber } from '../test/fixtures';
import { unionLength } from './stats';

/**
 * The local stack as the bench drives it: ephemeral, free ports, service logs off; a tap on the bus (a rule
 * with an SQS target, as an operator would watch it) that tells when each booking's GuestPagePublished
 * crossed the bus; and a wrapper around every consumer that splits its time into our code and the
 * downstream calls it waits on (JADA, SCC over fetch; AWS over the SDK's HTTP requests).
 */

export interface Invocation {
  consumer: string;
  detailType: string;
  replay: boolean;
  totalMs: number;
  downstreamMs: number;
}

interface InvocationRecord {
  intervals: [number, number][];
}

const invocationScope = new AsyncLocalStorage<InvocationRecord>();
let watching = false;

/** Records the downstream calls made inside an invocation: once per process (channels and fetch are global). */
function watchDownstreamCalls(): void {
  if (watching) return;
  watching = true;
  const started = new WeakMap<ClientRequest, { record: InvocationRecord; at: number }>();
  subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: ClientRequest };
    const record = invocationScope.getStore();
    if (record) started.set(request, { record, at: performance.now() });
  });
  subscribe('http.client.response.finish', (message) => {
    const { request } = message as { request: ClientRequest };
    const start = started.get(request);
    if (start) start.record.intervals.push([start.at, performance.now()]);
  });
  const originalFetch = globalThis.fetch;
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    const record = invocationScope.getStore();
    const at = performance.now();
    try {
      return await originalFetch(...args);
    } finally {
      record?.intervals.push([at, performance.now()]);
    }
  };
}

export interface BenchStack {
  stack: LocalStack;
  webhookSecret: string;
  invocations: Invocation[];
  /** Signs and posts a new confirmed booking; resolves at its 202 with the epoch ms it was accepted. */
  send(bookingId: string): Promise<number>;
  /** Epoch ms the booking's GuestPagePublished was delivered to the tap (SQS SentTimestamp). */
  published(bookingId: string): Promise<number>;
  nextBookingId(): string;
  /**
   * At most `limit` executions of each function at once, the rest waiting their turn (Lambda's reserved
   * concurrency); undefined = the local stack's default (DEFAULT_LOCAL_CONCURRENCY).
   */
  limitConcurrency(limit: number | undefined): void;
  stop(): Promise<void>;
}

export async function startBenchStack(options: { consumers?: string[] } = {}): Promise<BenchStack> {
  // Downstream retries keep their production shape; only the per-call timeout is generous for a busy laptop.
  process.env.CHARTERFLOW_HTTP_TIMEOUT_MS ??= '10000';
  const stack = await startStack({ ephemeral: true, ports: { aws: 0, webhook: 0, guestSite: 0, standIns: {} }, log: false, consumers: options.consumers ?? true });
  const config = { region: region(), endpoint: stack.endpoints.aws };
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const secrets = new SecretsManagerClient(config);
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  secrets.destroy();
  const webhookSecret = parseSecrets(SecretString!)[0]!;

  const invocations: Invocation[] = [];
  watchDownstreamCalls();
  for (const { name, dir, declaration } of await discoverServices()) {
    if (declaration.kind !== 'consumer' || (options.consumers && !options.consumers.includes(name))) continue;
    const file = pathToFileURL(join(dir, 'handler.ts')).href;
    // Registering again replaces the stack's entry: same handler module, timed around each invocation.
    stack.lambda.register(deployedNames(name).functionName, async () => {
      const { handler } = (await import(file)) as { handler: LambdaHandler };
      return async (event, context) => {
        const record: InvocationRecord = { intervals: [] };
        const at = performance.now();
        try {
          return await invocationScope.run(record, () => handler(event, context));
        } finally {
          const { intervals } = record;
          const e = event as { 'detail-type': string; 'replay-name'?: string };
          invocations.push({
            consumer: (declaration as ConsumerDeclaration).name,
            detailType: e['detail-type'],
            replay: Boolean(e['replay-name']),
            totalMs: performance.now() - at,
            downstreamMs: unionLength(intervals),
          });
        }
      };
    });
  }


  const tap = await openBusTap(events, sqs, { name: 'bench-tap-guest-page-published', pattern: { 'detail-type': ['GuestPagePublished'] } });

  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  let polling = true;
  const poll = async () => {
    while (polling) {
      for (const event of await tap.receive({ waitSeconds: 1 })) {
        const bookingId = event.detail.metadata.bookingId!;
        const at = event.sentAt;
        const waiter = waiting.get(bookingId);
        if (waiter) {
          waiting.delete(bookingId);
          waiter(at);
        } else if (!arrived.has(bookingId)) arrived.set(bookingId, at);
      }
    }
  };
  const pollers = Array.from({ length: 3 }, () => poll().catch((error: unknown) => (polling ? Promise.reject(error) : undefined)));

  let counter = 0;
  const webhookUrl = new URL('/webhooks/boatsetter', stack.endpoints.webhook);
  return {
    stack,
    webhookSecret,
    invocations,
    nextBookingId: () => bookingIdNumber(++counter),
    limitConcurrency: (limit) => stack.lambda.setConcurrency(limit),
    async send(bookingId) {
      const delivery = signedDelivery(bookingConfirmedAs(bookingId), webhookSecret);
      const response = await fetch(webhookUrl, { method: 'POST', headers: delivery.headers, body: delivery.body });
      const acceptedAt = Date.now();
      const text = await response.text();
      if (response.status !== 202) throw new Error(`webhook answered ${response.status} for booking ${bookingId}: ${text}`);
      return acceptedAt;
    },
    published(bookingId) {
      const at = arrived.get(bookingId);
      if (at !== undefined) {
        arrived.delete(bookingId);
        return Promise.resolve(at);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(bookingId);
          reject(new Error(`no GuestPagePublished for booking ${bookingId} within 60 s`));
        }, 60_000);
        waiting.set(bookingId, (value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    },
    async stop() {
      polling = false;
      await Promise.allSettled(pollers);
      sqs.destroy();
      events.destroy();
      await stack.stop();
    },
  };
}
