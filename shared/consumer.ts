import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { BookingDetails } from './contract/booking-details';
import type { DetailType, EventDetail } from './contract/events';
import { readEventDetail } from './contract/read';
import { EventBridgeEnvelope } from './contract-validators.generated';
import { ContractViolation, parseOrThrow } from './contract/validate';
import type { ConsumerDeclaration } from './declaration';
import { underCrashPlan } from './crash-points';
import { underShadowGate } from './shadow';
import { createLogger, type Logger } from './logger';
import { getXRayTraceIdFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import {
  createMetrics,
  metricNames,
  MetricUnit,
  withInvocationMetrics,
  type InvocationMetrics,
  type Metrics,
} from './metrics';

export interface ConsumedEvent<T extends DetailType> {
  /** EventBridge event id: differs between a delivery and its replay. */
  id: string;
  detailType: T;
  source: string;
  time: string;
  /** Set by EventBridge on events re-sent from an archive. */
  replayName?: string;
  detail: EventDetail<T>;
  /** The private details an event of contract major 1 carried inline (shared/contract/read.ts). */
  carried?: BookingDetails;
}

export interface ConsumerTools {
  /**
   * A logger for this invocation only: every line carries the booking id, the event, the consumer, the
   * Lambda context (request id, cold start, function name) and the X-Ray trace id.
   */
  logger: Logger;
  context: Context;
  /** This invocation's metrics (namespace charterflow, dimension service), flushed when it ends. */
  metrics: InvocationMetrics;
}

/**
 * What a consumer made of an event, counted by the wrapper: 'acted' and 'emitted-only' (a crash had kept
 * the next event from going out; only that was redone) as eventsActedOn, 'duplicate' (a redelivery or
 * replay of what is done) and 'stale' (an older revision than the one handled) as skipped, 'skipped' for
 * any other reason not to act.
 */
export type ConsumerOutcome = 'acted' | 'emitted-only' | 'duplicate' | 'stale' | 'skipped';

export type ConsumerAction<T extends DetailType> = (
  event: ConsumedEvent<T>,
  tools: ConsumerTools,
  // biome-ignore lint/suspicious/noConfusingVoidType: an action that returns nothing is an async function's Promise<void>
) => Promise<void | { outcome: ConsumerOutcome }>;

const outcomeMetric: Record<ConsumerOutcome, string> = {
  acted: metricNames.eventsActedOn,
  'emitted-only': metricNames.eventsActedOn,
  duplicate: metricNames.eventsSkippedAsDuplicate,
  stale: metricNames.eventsSkippedAsStale,
  skipped: metricNames.eventsSkipped,
};

/**
 * What a service's action returned, as the wrapper counts it: a ConsumerOutcome as it is (applyLatest's result
 * carries a RevisionOutcome, shared/revisions.ts), 'skipped' as a duplicate, and nothing at all as 'acted'.
 */
export function consumerOutcomeOf(result: unknown): ConsumerOutcome {
  const outcome = (result as { outcome?: unknown } | undefined)?.outcome;
  if (outcome === 'skipped') return 'duplicate';
  return typeof outcome === 'string' && outcome in outcomeMetric ? (outcome as ConsumerOutcome) : 'acted';
}

export type ConsumerHandler = (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void>;

/**
 * Wraps a consumer's action for Lambda: parses the EventBridge envelope (Powertools parser schema, in its generated zod/mini form), checks
 * that the detail-type is one the consumer declared and that the detail meets its contract, and throws a
 * ContractViolation naming the field otherwise, so a malformed event fails the invocation and ends in the
 * rule's DLQ with that reason instead of being dropped. Counts the outcome (or the failure) and flushes the
 * invocation's metrics as one EMF line when it ends, whatever the outcome.
 */
export function consumer<T extends DetailType>(
  declaration: ConsumerDeclaration<T>,
  act: ConsumerAction<T>,
): middy.MiddyfiedHandler<EventBridgeEvent<string, unknown>, void, Error, Context> {
  const loggers = new InvocationLoggers(createLogger(declaration.name));
  const spareMetrics: Metrics[] = [];

  return middy<EventBridgeEvent<string, unknown>, void, Error, Context>().handler(async (raw, context) => {
    const metrics = spareMetrics.pop() ?? createMetrics(declaration.name);
    const logger = loggers.take(context);
    try {
      await withInvocationMetrics(metrics, context.awsRequestId, () => handle(raw, context, metrics, logger));
    } catch (error) {
      metrics.addMetric(metricNames.eventsFailed, MetricUnit.Count, 1);
      throw error;
    } finally {
      // Publishing clears the metrics, their metadata and dimensions: the instance is as new for the next one.
      metrics.publishStoredMetrics();
      spareMetrics.push(metrics);
      loggers.give(logger);
    }
  });

  async function handle(raw: EventBridgeEvent<string, unknown>, context: Context, metrics: Metrics, logger: Logger) {
    const event = parseConsumedEvent(declaration, raw);
    logger.appendPersistentKeys({
      bookingId: event.detail.metadata.bookingId,
      detailType: event.detailType,
      eventId: event.id,
      correlationId: event.detail.metadata.correlationId,
    });
    if (event.replayName) logger.appendPersistentKeys({ replayName: event.replayName });
    // The EMF line is a log line too: the same ids lead from it to the booking's other lines and its trace.
    metrics.addMetadata('bookingId', event.detail.metadata.bookingId);
    metrics.addMetadata('correlationId', event.detail.metadata.correlationId);
    metrics.addMetadata('function_request_id', context.awsRequestId);
    const traceId = getXRayTraceIdFromEnv();
    if (traceId) metrics.addMetadata('xray_trace_id', traceId);
    const started = performance.now();
    try {
      // A test may stop this invocation at any downstream call (shared/crash-points.ts); inert otherwise.
      const result = await underCrashPlan(
        () => ({
          consumer: declaration.name,
          detailType: event.detailType,
          bookingId: event.detail.metadata.bookingId,
          revision: event.detail.data.booking.revision,
          eventId: event.id,
          requestId: context.awsRequestId,
        }),
        () =>
          underShadowGate(
            {
              consumer: declaration.name,
              bookingId: event.detail.metadata.bookingId,
              revision: event.detail.data.booking.revision,
              synthetic: event.detail.metadata.synthetic === true,
            },
            () => act(event, { logger, context, metrics }),
          ),
      );
      metrics.addMetric(outcomeMetric[result?.outcome ?? 'acted'], MetricUnit.Count, 1);
    } catch (error) {
      // A downstream that refused the request (a 4xx) will refuse Lambda's retries too: say so, so the operator
      // goes to the dead letter rather than waits for the retries.
      const hopeless = (error as { retryable?: unknown } | undefined)?.retryable === false;
      const message = hopeless
        ? 'consumer failed and retrying cannot help (the downstream refused the request); the event will be dead-lettered after the retries'
        : 'consumer failed; the event will be retried, then dead-lettered';
      logger.error(message, {
        outcome: 'failed',
        retryable: !hopeless,
        latencyMs: Math.round(performance.now() - started),
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
      // Lambda's dead letter keeps only the error's message (ErrorMessage): an AWS error's code goes in front of
      // it, so the operator reads AccessDeniedException or ThrottlingException in the dead letter itself.
      if (isAwsServiceError(error) && !error.message.startsWith(`${error.name}: `))
        error.message = `${error.name}: ${error.message}`;
      throw error;
    }
  }
}

/** An error an AWS service answered with (the SDK's ServiceException carries the response's $metadata). */
function isAwsServiceError(error: unknown): error is Error {
  return error instanceof Error && '$metadata' in error && typeof error.name === 'string';
}

/**
 * One logger per running invocation, each told that invocation's Lambda context (what Powertools'
 * injectLambdaContext does) and given its keys: the local stack runs invocations of one function at once, and
 * keys set on a shared logger could be another's. A logger is kept for the next invocation once one ends,
 * because making one costs more than a replayed event's whole skip; in Lambda, one invocation at a time, that
 * is a single logger for the container's life.
 */
class InvocationLoggers {
  private readonly spare: Logger[] = [];
  private invocations = 0;
  /** The keys an invocation sets, cleared before the logger is given to the next one. */
  private static readonly keys = ['bookingId', 'detailType', 'eventId', 'correlationId', 'replayName'];

  constructor(private readonly base: Logger) {}

  take(context: Context): Logger {
    const coldStart = this.invocations++ === 0;
    let logger = this.spare.pop();
    if (!logger) {
      logger = this.base.createChild();
      // A Powertools logger's cold-start flag is its own and says true on its first addContext: only the
      // container's first invocation may spend it.
      if (!coldStart) logger.addContext(context);
    }
    logger.addContext(context);
    return logger;
  }

  give(logger: Logger): void {
    logger.removePersistentKeys(InvocationLoggers.keys);
    this.spare.push(logger);
  }
}

export function parseConsumedEvent<T extends DetailType>(
  declaration: ConsumerDeclaration<T>,
  raw: unknown,
): ConsumedEvent<T> {
  const envelope = parseOrThrow(EventBridgeEnvelope(), raw, 'EventBridge event');
  const detailType = envelope['detail-type'];
  if (!(declaration.consumes as readonly string[]).includes(detailType)) {
    throw new ContractViolation(`event for ${declaration.name}`, [
      { path: 'detail-type', message: `${detailType} is not one of ${declaration.consumes.join(', ')}` },
    ]);
  }
  const { detail, carried } = readEventDetail(detailType as T, envelope.detail);
  return {
    id: envelope.id,
    detailType: detailType as T,
    source: envelope.source,
    time: envelope.time,
    replayName: envelope['replay-name'],
    detail,
    ...(carried ? { carried } : {}),
  };
}
