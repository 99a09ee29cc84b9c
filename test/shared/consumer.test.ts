import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { consumer, parseConsumedEvent } from '../../shared/consumer';
import { defineConsumer, eventPatternOf } from '../../shared/declaration';
import { ContractViolation } from '../../shared/contract/validate';
import { bookingSnapshot, eventEnvelope, eventMetadata } from '../fixtures';

const declaration = defineConsumer({
  name: 'calendar-test',
  description: 'test consumer',
  consumes: ['BookingReceived'],
  emits: ['CalendarEntryCreated'],
});

const envelope = (detail: unknown, detailType = 'BookingReceived', extra: Record<string, unknown> = {}) =>
  eventEnvelope(detailType, detail, extra);

const goodDetail = () => ({ metadata: eventMetadata(), data: { booking: bookingSnapshot() } });
const context = { functionName: 'charterflow-local-calendar-test', awsRequestId: 'req-1' } as Context;

describe('the consumer wrapper', () => {
  it('hands the action a parsed, typed event', async () => {
    const act = vi.fn(async () => {});
    await consumer(declaration, act)(envelope(goodDetail(), 'BookingReceived', { 'replay-name': 'r-1' }), context);
    expect(act).toHaveBeenCalledTimes(1);
    const [event] = act.mock.calls[0] as unknown as [{ detail: { data: { booking: { bookingId: string } } }; replayName: string }];
    expect(event.detail.data.booking.bookingId).toBe('XHQGMDH');
    expect(event.replayName).toBe('r-1');
  });

  it('rejects a malformed detail with an error naming the field, without acting', async () => {
    const detail = goodDetail() as any;
    delete detail.data.booking.trip.start;
    const act = vi.fn(async () => {});
    const error = await consumer(declaration, act)(envelope(detail), context).catch((e) => e);
    expect(error).toBeInstanceOf(ContractViolation);
    expect(error.message).toContain('data.booking.trip.start');
    expect(act).not.toHaveBeenCalled();
  });

  it('rejects a detail-type it did not declare', () => {
    expect(() => parseConsumedEvent(declaration, envelope(goodDetail(), 'CrewEventCreated'))).toThrow(
      /detail-type: CrewEventCreated is not one of BookingReceived/,
    );
  });

  it('rejects something that is not an EventBridge event', () => {
    expect(() => parseConsumedEvent(declaration, { hello: 'world' })).toThrow(/EventBridge event is invalid: .*detail-type/);
  });

  it('lets the action fail the invocation, so EventBridge retries and dead-letters it', async () => {
    const failing = consumer(declaration, async () => {
      throw new Error('JADA calendar answered 500');
    });
    await expect(failing(envelope(goodDetail()), context)).rejects.toThrow('JADA calendar answered 500');
  });
});

describe('a declaration', () => {
  it('yields the rule pattern: the consumed detail-types from their producers', () => {
    const both = defineConsumer({
      name: 'ledger-test',
      description: 'x',
      consumes: ['CrewEventCreated', 'BookingReceived'],
      emits: [],
    });
    expect(eventPatternOf(both)).toEqual({
      source: ['charterflow.crew', 'charterflow.webhook'],
      'detail-type': ['BookingReceived', 'CrewEventCreated'],
    });
  });
});
