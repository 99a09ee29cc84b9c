import type { BookingSnapshot } from '../../shared/contract/events';
import { followUpMetadata } from '../../shared/contract/metadata';
import type { ConsumedEvent } from '../../shared/consumer';
import type { Publisher } from '../../shared/publisher';
import type { BookingSteps } from '../../shared/steps';
import type { Logger } from '../../shared/logger';
import type { CalendarEntryRequest, JadaCalendarApi } from './jada-calendar-api';

/** The calendar entry for a booking: what the operator sees on the JADA internal calendar. */
export function calendarEntryRequest(booking: BookingSnapshot): CalendarEntryRequest {
  return {
    bookingId: booking.bookingId,
    // The start carries its own offset (2026-12-05T17:00:00-08:00): its first ten characters are the local date.
    date: booking.trip.start.slice(0, 10),
    start: booking.trip.start,
    durationHours: booking.trip.durationHours,
    boat: booking.boat.name,
    partySize: booking.partySize,
    title: `${booking.boat.name} charter, ${booking.renter.firstName} ${booking.renter.lastName.slice(0, 1)}. (party of ${booking.partySize})`,
  };
}

export interface CalendarDeps {
  steps: BookingSteps;
  publisher: Publisher;
  jada: JadaCalendarApi;
  logger: Logger;
  /** Epoch ms by which downstream calls must be over (from the Lambda's remaining time). */
  deadline?: number;
}

/**
 * BookingReceived -> one JADA calendar entry -> CalendarEntryCreated. The step record makes a redelivery or
 * replay a no-op (or only the missing emit); the Idempotency-Key covers a crash between POST and record.
 */
export async function createCalendarEntry(event: ConsumedEvent<'BookingReceived'>, deps: CalendarDeps) {
  const { booking } = event.detail.data;
  const { metadata } = event.detail;
  return deps.steps.runOnce(
    { bookingId: booking.bookingId, step: 'calendar', revision: booking.revision },
    async () =>
      deps.jada.createEntry(calendarEntryRequest(booking), {
        idempotencyKey: metadata.idempotencyKey,
        bookingId: booking.bookingId,
        logger: deps.logger,
        deadline: deps.deadline,
      }),
    (entry) =>
      deps.publisher.publishOne('CalendarEntryCreated', {
        metadata: followUpMetadata(event, 'CalendarEntryCreated'),
        data: { booking, calendarEntryId: entry.entryId },
      }),
    deps.logger,
  );
}

