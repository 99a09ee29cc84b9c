import { describe, expect, it } from 'vitest';
import { declaration as crew } from '../../services/crew/declaration';
import { parseConsumedEvent } from '../../shared/consumer';
import { BookingSnapshot } from '../../shared/contract/events';
import { exampleData } from '../../shared/contract/examples';
import { readEventDetail } from '../../shared/contract/read';
import { ContractViolation } from '../../shared/contract/validate';
import { bookingDetails, bookingSnapshot, bookingSnapshotV1, eventEnvelope, eventMetadata } from '../../samples';

const v1Detail = () => ({
  metadata: eventMetadata({ schemaVersion: '1.0', idempotencyKey: 'XHQGMDH:r1:CalendarEntryCreated' }),
  data: { booking: bookingSnapshotV1(), ...exampleData.CalendarEntryCreated },
});

describe('reading an event of contract major 1 (still in the archive)', () => {
  it('upgrades its booking to the current snapshot and hands its private details over apart', () => {
    const { detail, carried } = readEventDetail('CalendarEntryCreated', v1Detail());
    expect(detail.data.booking).toEqual(bookingSnapshot());
    expect(BookingSnapshot.safeParse(detail.data.booking).success).toBe(true);
    expect(carried).toEqual(bookingDetails());
    expect(JSON.stringify(detail)).not.toMatch(/Reyes|dana@example\.com|6195550100|1450|Birthday/);
    expect(detail.data.calendarEntryId).toBe(exampleData.CalendarEntryCreated.calendarEntryId);
  });

  it('is what a consumer gets: the detail in the current shape, the details as `carried`', () => {
    const event = parseConsumedEvent(crew, eventEnvelope('CalendarEntryCreated', v1Detail()));
    expect(event.detail.data.booking.renter).toEqual({ firstName: 'Dana' });
    expect(event.carried?.pricing.bookingTotal).toBe(1450);
  });

  it('still names the missing field of a broken major-1 event', () => {
    const broken = v1Detail() as { data: { booking: Record<string, unknown> } };
    delete broken.data.booking.pricing;
    expect(() => readEventDetail('CalendarEntryCreated', broken)).toThrow('data.booking.pricing');
  });
});

describe('reading an event of the current major', () => {
  const v2 = () => ({
    metadata: eventMetadata(),
    data: { booking: bookingSnapshot(), ...exampleData.CalendarEntryCreated },
  });

  it('carries no details, and refuses the old snapshot under the new version', () => {
    expect(readEventDetail('CalendarEntryCreated', v2()).carried).toBeUndefined();
    const mixed = { ...v2(), data: { ...v2().data, booking: { ...bookingSnapshotV1() } } };
    expect(() => readEventDetail('CalendarEntryCreated', mixed)).toThrow('data.booking.hasSpecialRequests');
  });

  it('refuses a major no consumer reads yet, naming the version', () => {
    const future = { ...v2(), metadata: eventMetadata({ schemaVersion: '3.0' }) };
    const error = (() => {
      try {
        readEventDetail('CalendarEntryCreated', future);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ContractViolation);
    expect((error as Error).message).toContain('metadata.schemaVersion: major 3 is not one this consumer reads (1, 2)');
  });
});
