import { describe, expect, it } from 'vitest';
import { BookingCancelled, BookingModified, BookingReceived } from '../../../shared/contract/events';
import { bookingEventOf, detailTypeOf, toBookingSnapshot } from '../../../services/webhook/booking';
import { bookingDetailsOf } from '../../../services/webhook/booking';
import { idempotencyKeyOf } from '../../../shared/contract/metadata';
import { bookingCancelled, bookingConfirmed, bookingDetails, bookingModified, bookingSnapshot } from '../../../samples';

const context = {
  webhookId: 'msg_second',
  correlationId: 'msg_first',
  occurredAt: new Date('2026-11-24T17:03:01.250Z'),
};

describe('mapping a Boatsetter payload to our booking snapshot', () => {
  it('maps every field of the confirmed sample into our words', () => {
    expect(toBookingSnapshot(bookingConfirmed())).toEqual(bookingSnapshot());
  });

  it('leaves captain and special requests out when Boatsetter leaves them out', () => {
    const payload = bookingConfirmed();
    delete payload.data.captain;
    delete payload.data.special_requests;
    const snapshot = toBookingSnapshot(payload);
    expect(snapshot).not.toHaveProperty('captain');
    expect(snapshot.hasSpecialRequests).toBe(false);
    expect(bookingDetailsOf(payload)).not.toHaveProperty('specialRequests');
  });

  it('counts a blank special request as no note, and keeps it as given in the private details', () => {
    const payload = bookingConfirmed();
    payload.data.special_requests = '  ';
    expect(toBookingSnapshot(payload).hasSpecialRequests).toBe(false);
    expect(bookingDetailsOf(payload).specialRequests).toBe('  ');
  });

  it("puts the renter's last name, email and phone, the prices and the note in the private details, none in the snapshot", () => {
    const payload = bookingConfirmed();
    expect(bookingDetailsOf(payload)).toEqual(bookingDetails());
    const snapshot = JSON.stringify(toBookingSnapshot(payload));
    for (const kept of ['Reyes', 'dana@example.com', '+16195550100', '1450', '217.5', '982.5', 'Birthday']) {
      expect(snapshot).not.toContain(kept);
    }
  });
});

describe('the event a delivery becomes', () => {
  it.each([
    ['booking.confirmed', 'BookingReceived'],
    ['booking.modified', 'BookingModified'],
    ['booking.cancelled', 'BookingCancelled'],
  ] as const)('%s becomes %s', (type, detailType) => {
    expect(detailTypeOf(type)).toBe(detailType);
  });

  it.each([
    ['BookingReceived', bookingConfirmed, BookingReceived],
    ['BookingModified', bookingModified, BookingModified],
    ['BookingCancelled', bookingCancelled, BookingCancelled],
  ] as const)('%s detail satisfies its contract schema', (detailType, fixture, schema) => {
    const event = bookingEventOf(fixture(), context);
    expect(event.detailType).toBe(detailType);
    expect(schema.safeParse(event.detail).success).toBe(true);
  });

  it('carries correlation (first webhook id), causation (this webhook id), schema version and a stable key', () => {
    const { detail } = bookingEventOf(bookingModified(), context);
    expect(detail.metadata).toEqual({
      bookingId: 'XHQGMDH',
      correlationId: 'msg_first',
      causationId: 'msg_second',
      schemaVersion: '2.1',
      occurredAt: '2026-11-24T17:03:01.250Z',
      idempotencyKey: 'XHQGMDH:r2:BookingModified',
      receivedAt: '2026-11-24T17:03:01.250Z',
    });
  });

  it('gives the same idempotency key to a retry and a different one to another revision or type', () => {
    expect(idempotencyKeyOf('XHQGMDH', 1, 'BookingReceived')).toBe(idempotencyKeyOf('XHQGMDH', 1, 'BookingReceived'));
    expect(idempotencyKeyOf('XHQGMDH', 1, 'BookingReceived')).not.toBe(
      idempotencyKeyOf('XHQGMDH', 2, 'BookingReceived'),
    );
    expect(idempotencyKeyOf('XHQGMDH', 3, 'BookingCancelled')).not.toBe(
      idempotencyKeyOf('XHQGMDH', 3, 'BookingModified'),
    );
  });
});
