import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Our CloudWatch metrics, written as embedded metric format (EMF) log lines by Powertools Metrics: no API
 * call and no latency in the invocation; CloudWatch Logs extracts them. Namespace `charterflow`, one
 * dimension `service` (the service's folder name). The names below are the ones the dashboard and the
 * alarms in deploy/observability.ts read: one fact, one place.
 */
export const METRICS_NAMESPACE = 'charterflow';

export const metricNames = {
  /** A consumer did its work (or only re-emitted an event a crash had kept from going out). */
  eventsActedOn: 'eventsActedOn',
  /** The event was already handled: a redelivery or a replay. */
  eventsSkippedAsDuplicate: 'eventsSkippedAsDuplicate',
  /** The event carried an older revision than the one already handled. */
  eventsSkippedAsStale: 'eventsSkippedAsStale',
  /** The event was not for this consumer to act on (any other reason to skip). */
  eventsSkipped: 'eventsSkipped',
  /** The invocation failed: EventBridge or Lambda retries it, then dead-letters it. */
  eventsFailed: 'eventsFailed',
  /** One value per call the consumer waited on outside its own code (HTTP APIs, AWS SDK), in ms. */
  downstreamLatency: 'downstreamLatency',
  bookingsReceived: 'bookingsReceived',
  bookingsChanged: 'bookingsChanged',
  bookingsCancelled: 'bookingsCancelled',
  doubleBookingsDetected: 'doubleBookingsDetected',
  /** From the webhook's receipt of a booking revision to its guest page being live, in ms. */
  bookingToPageLatency: 'bookingToPageLatency',
} as const;

export { Metrics, MetricUnit };
export type MetricUnitValue = (typeof MetricUnit)[keyof typeof MetricUnit];

/** What a consumer may do with the invocation's metrics: add one. Flushing is the wrapper's job. */
export interface InvocationMetrics {
  addMetric(name: string, unit: MetricUnitValue, value: number): unknown;
}

/**
 * One Metrics instance per invocation, flushed at its end: in Lambda one invocation runs at a time, but
 * the local stack runs many at once in one process, and a shared instance would flush one invocation's
 * metrics with another's. POWERTOOLS_METRICS_DISABLED=true (the local stack without logs, the bench) keeps
 * the lines out of the output.
 */
export function createMetrics(service: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
}

/**
 * The running invocations' metrics, by request id, so code with no handle on them (the HTTP client, SDK
 * middleware) can add one. The Lambda runtime's invoke store says which invocation is running (the local
 * stack keeps one per invocation too); without a store, one invocation runs at a time, as in Lambda.
 * Not an AsyncLocalStorage of our own: on Node 20 (and 22, without async context frames) it slows every
 * promise of the process (measured: about 20 ms more CPU in a cold start of calendar).
 */
const running = new Map<string, InvocationMetrics>();
let latest: InvocationMetrics | undefined;

interface RuntimeInvokeStore {
  getRequestId(): string;
}
const invokeStore = () => (globalThis as { awslambda?: { InvokeStore?: RuntimeInvokeStore } }).awslambda?.InvokeStore;

function currentMetrics(): InvocationMetrics | undefined {
  const requestId = invokeStore()?.getRequestId();
  return (requestId ? running.get(requestId) : undefined) ?? latest;
}

/** Runs `fn` with `metrics` as the metrics of invocation `requestId`, for recordDownstreamLatency. */
export async function withInvocationMetrics<T>(
  metrics: InvocationMetrics,
  requestId: string,
  fn: () => Promise<T>,
): Promise<T> {
  running.set(requestId, metrics);
  latest = metrics;
  try {
    return await fn();
  } finally {
    running.delete(requestId);
    if (latest === metrics) latest = undefined;
  }
}

/** Adds one downstream call's latency to the running invocation's metrics; nothing outside an invocation. */
export function recordDownstreamLatency(latencyMs: number): void {
  currentMetrics()?.addMetric(metricNames.downstreamLatency, MetricUnit.Milliseconds, Math.round(latencyMs));
}

/** The narrow shape of an AWS SDK v3 client that timeDownstreamCalls needs. */
interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/**
 * Times every request an AWS SDK v3 client sends (retries included, as the invocation waits on them) as a
 * downstream latency, through the SDK's own middleware stack: services keep their clients and carry no
 * timing code. Returns the client.
 */
export function timeDownstreamCalls<C>(client: C): C {
  (client as MiddlewareClient).middlewareStack.add(
    (next) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        recordDownstreamLatency(performance.now() - started);
      }
    },
    { step: 'initialize', name: 'charterflowDownstreamLatency' },
  );
  return client;
}

/**
 * The booking-to-live-page latency of one booking revision: from the webhook's receipt (the event
 * metadata's receivedAt) to `now`, added to `metrics`. Events from before receivedAt existed carry none:
 * then nothing is added. Returns the latency in ms, or undefined.
 */
export function addBookingToPageLatency(
  metrics: InvocationMetrics,
  metadata: { receivedAt?: string } | object,
  now: Date = new Date(),
): number | undefined {
  const receivedAt = (metadata as { receivedAt?: unknown }).receivedAt;
  if (typeof receivedAt !== 'string') return undefined;
  const received = Date.parse(receivedAt);
  if (Number.isNaN(received)) return undefined;
  const latencyMs = Math.max(0, now.getTime() - received);
  metrics.addMetric(metricNames.bookingToPageLatency, MetricUnit.Milliseconds, latencyMs);
  return latencyMs;
}
