import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Publisher, PublishError } from '../../shared/publisher';
import { region } from '../../shared/config';
import { bookingSnapshot, eventMetadata } from '../../samples';
import { startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from '../services/calendar/support';

/** The publisher against the local stack's EventBridge: what it sends is what crosses the bus. */
let bus: CalendarCrewStack;
beforeAll(async () => {
  bus = await startCalendarCrewStack([]);
});
afterAll(() => bus?.stop());

const bookingReceived = (bookingId: string) => ({
  detailType: 'BookingReceived' as const,
  detail: {
    metadata: eventMetadata({ bookingId, idempotencyKey: `${bookingId}:r1:BookingReceived` }),
    data: { booking: bookingSnapshot({ bookingId }) },
  },
});

describe('the publisher on the local bus', () => {
  it('puts 25 events in batches and each crosses the bus once, under the id it returned', async () => {
    const bookings = Array.from({ length: 25 }, () => uniqueBookingId('P'));
    const ids = await bus.publisher.publish(bookings.map(bookingReceived));
    const crossed = (await bus.busEvents()).filter((e) => bookings.includes(e.detail.metadata.bookingId!));
    expect(crossed).toHaveLength(25);
    expect(new Set(crossed.map((e) => e.id))).toEqual(new Set(ids));
    for (const event of crossed) expect(event.source).toBe('charterflow.webhook');
  });

  it('names the booking whose event the bus refused, after retrying it alone', async () => {
    const publisher = new Publisher(new EventBridgeClient({ region: region(), endpoint: bus.stack.endpoints.aws }), {
      busName: 'charterflow-no-such-bus',
      maxAttempts: 2,
      baseDelayMs: 1,
    });
    const bookingId = uniqueBookingId('P');
    const error = await publisher.publish([bookingReceived(bookingId)]).catch((e) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect(error.message).toContain(`BookingReceived of booking ${bookingId}`);
  });
});
