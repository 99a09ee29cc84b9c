import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { DetailType, EventDetail } from './contract/events';
import { EventBridgeEnvelope, eventContracts } from './contract-validators.generated';
import { ContractViolation, parseOrThrow } from './contract/validate';
import type { ConsumerDeclaration } from './declaration';
import { createLogger, type Logger } from './logger';

export interface ConsumedEvent<T extends DetailType> {
  /** EventBridge event id: differs between a delivery and its replay. */
  id: string;
  detailType: T;
  source: string;
  time: string;
  /** Set by EventBridge on events re-sent from an archive. */
  replayName?: string;
  detail: EventDetail<T>;
}

export interface ConsumerTools {
  /** A logger for this invocation only: every line carries the booking id, the event and the consumer. */
  logger: Logger;
  context: Context;
}

export type ConsumerHandler = (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void>;

/**
 * Wraps a consumer's action for Lambda: parses the EventBridge envelope (Powertools parser schema, in its generated zod/mini form), checks
 * that the detail-type is one the consumer declared and that the detail meets its contract, and throws a
 * ContractViolation naming the field otherwise, so a malformed event fails the invocation and ends in the
 * rule's DLQ with that reason instead of being dropped.
 */
export function consumer<T extends DetailType>(
  declaration: ConsumerDeclaration<T>,
  act: (event: ConsumedEvent<T>, tools: ConsumerTools) => Promise<void>,
): middy.MiddyfiedHandler<EventBridgeEvent<string, unknown>, void, Error, Context> {
  const baseLogger = createLogger(declaration.name);

  return middy<EventBridgeEvent<string, unknown>, void, Error, Context>().handler(async (raw, context) => {
    const event = parseConsumedEvent(declaration, raw);
    const logger = baseLogger.createChild();
    logger.appendPersistentKeys({
      bookingId: event.detail.metadata.bookingId,
      detailType: event.detailType,
      eventId: event.id,
      correlationId: event.detail.metadata.correlationId,
      ...(event.replayName ? { replayName: event.replayName } : {}),
    });
    const started = performance.now();
    try {
      await act(event, { logger, context });
    } catch (error) {
      logger.error('consumer failed; the event will be retried, then dead-lettered', {
        outcome: 'failed',
        latencyMs: Math.round(performance.now() - started),
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
      throw error;
    }
  });
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
  const schema = eventContracts[detailType as T].schema;
  const detail = parseOrThrow(schema, envelope.detail, `${detailType} detail`) as EventDetail<T>;
  return {
    id: envelope.id,
    detailType: detailType as T,
    source: envelope.source,
    time: envelope.time,
    replayName: envelope['replay-name'],
    detail,
  };
}
