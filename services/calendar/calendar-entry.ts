import type { BookingSnapshot } from '../../shared/contract/events';
import { followUpMetadata } from '../../shared/contract/metadata';
import type { ConsumedEvent } from '../../shared/consumer';
import { callContextOf } from '../../shared/http-client';
import type { Logger } from '../../shared/logger';
import { MetricUnit, metricNames, type InvocationMetrics } from '../../shared/metrics';
import type { OutgoingEvent, Publisher } from '../../shared/publisher';
import { applyLatest } from '../../shared/lifecycle';
import type { Change, RevisionLedger } from '../../shared/revisions';
import { tripTimes, tripWindow } from '../../shared/trip';
import type { BoatSchedule, Slot, SlotKey } from './boat-schedule';
import type { CalendarEntryRequest, JadaCalendarApi } from './jada-calendar-api';

/**
 * The calendar entry for a booking: what the operator sees on the JADA internal calendar. The party is named by
 * the renter's first name only: the last name is not on the bus, and the operator finds the booking by its id.
 */
export function calendarEntryRequest(booking: BookingSnapshot): CalendarEntryRequest {
  return {
    bookingId: booking.bookingId,
    // The date at the dock, as the guest page and the mail show it (a start written in UTC is read in San Diego).
    date: tripTimes(booking.trip).start.date,
    start: booking.trip.start,
    durationHours: booking.trip.durationHours,
    boat: booking.boat.name,
    partySize: booking.partySize,
    title: `${booking.boat.name} charter, ${booking.renter.firstName} (party of ${booking.partySize})`,
  };
}

/** The entry fields that differ between two versions of an entry, in the order JADA lists them. */
export function changedEntryFields(before: CalendarEntryRequest, after: CalendarEntryRequest): string[] {
  return (Object.keys(after) as (keyof CalendarEntryRequest)[]).filter((field) => before[field] !== after[field]);
}

/** What the JADA calendar holds for a booking, as the calendar consumer last left it. */
export interface CalendarHeld {
  entryId: string;
  status: 'active' | 'cancelled';
  entry: CalendarEntryRequest;
  /** Where the trip holds its boat in the schedule (none once cancelled). */
  slot?: SlotKey;
  /** The bookings JADA shows this entry double-booked with. */
  conflictsWith: string[];
}

export interface CalendarDeps {
  revisions: RevisionLedger;
  publisher: Publisher;
  jada: JadaCalendarApi;
  schedule: BoatSchedule;
  logger: Logger;
  /** Where a double booking is counted (CloudWatch: doubleBookingsDetected). */
  metrics?: Pick<InvocationMetrics, 'addMetric'>;
  /** Epoch ms by which downstream calls must be over (from the Lambda's remaining time). */
  deadline?: number;
}

export type BookingEvent = ConsumedEvent<'BookingReceived' | 'BookingModified' | 'BookingCancelled'>;

/**
 * Keeps the booking's JADA calendar entry at the booking's latest revision, whatever order its facts arrive in:
 * the first active revision creates the entry, a newer one updates it (only if an entry field changed), a
 * cancellation cancels it (or, seen first, leaves a tombstone so that nothing older creates it afterwards).
 * Every create or move also checks the boat's schedule for a double booking. Each applied revision is stated
 * on the bus, so crew and the guest page follow it even when JADA had nothing to change.
 */
export function applyToCalendar(event: BookingEvent, deps: CalendarDeps) {
  const { booking } = event.detail.data;
  return applyLatest<CalendarHeld>(deps, booking, {
    consumer: 'calendar',
    live: 'active',
    cancels: booking.status === 'cancelled',
    replayed: event.replayName !== undefined,
    keep: (active) => keep(event, active, deps),
    cancel: (active) => cancel(event, active, deps),
  });
}

async function cancel(event: BookingEvent, held: CalendarHeld, deps: CalendarDeps): Promise<Change<CalendarHeld>> {
  const { booking } = event.detail.data;
  const call = callContextOf(event, deps);
  await deps.jada.cancelEntry(held.entryId, call);
  const resolved = held.slot ? await deps.schedule.free(booking.bookingId, held.slot) : [];
  await markPartners(resolved, held.slot?.listingId, event, deps);
  const cancelled: CalendarHeld = { ...held, status: 'cancelled', slot: undefined, conflictsWith: [] };
  return {
    held: cancelled,
    emit: () =>
      publish(deps, [
        {
          detailType: 'CalendarEntryCancelled',
          detail: {
            metadata: followUpMetadata(event, 'CalendarEntryCancelled'),
            data: { booking, calendarEntryId: held.entryId },
          },
        },
        ...resolvedEvent(event, held.entryId, resolved),
      ]),
  };
}

async function keep(
  event: BookingEvent,
  active: CalendarHeld | undefined,
  deps: CalendarDeps,
): Promise<Change<CalendarHeld>> {
  const { booking } = event.detail.data;
  const call = callContextOf(event, deps);
  const entry = calendarEntryRequest(booking);

  let entryId: string;
  let changed: string[] = [];
  if (!active) {
    entryId = (await deps.jada.createEntry(entry, call)).entryId;
  } else {
    entryId = active.entryId;
    changed = changedEntryFields(active.entry, entry);
    if (changed.length > 0) await deps.jada.updateEntry(entryId, entry, call);
    else deps.logger.info('nothing on the calendar entry changed; JADA not called', { revision: booking.revision });
  }

  const trip = tripWindow(booking);
  const schedule = await deps.schedule.place(booking.bookingId, entryId, booking.boat.listingId, trip, active?.slot);
  const conflictsWith = schedule.conflictsWith.map((s) => s.bookingId).sort();
  if (conflictsWith.join() !== (active?.conflictsWith ?? []).join()) {
    await deps.jada.markConflicts(entryId, conflictsWith, markContext(event, deps, booking.bookingId, conflictsWith));
  }
  await markPartners([...schedule.detected, ...schedule.resolved], booking.boat.listingId, event, deps);
  if (schedule.detected.length > 0) {
    deps.logger.warn('double booking: the trip overlaps other bookings of the same boat', {
      conflictsWith: schedule.detected.map((s) => s.bookingId),
    });
    deps.metrics?.addMetric(metricNames.doubleBookingsDetected, MetricUnit.Count, schedule.detected.length);
  }

  const created = !active;
  const followUp: OutgoingEvent[] = [
    created
      ? {
          detailType: 'CalendarEntryCreated',
          detail: {
            metadata: followUpMetadata(event, 'CalendarEntryCreated'),
            data: { booking, calendarEntryId: entryId },
          },
        }
      : {
          detailType: 'CalendarEntryUpdated',
          detail: {
            metadata: followUpMetadata(event, 'CalendarEntryUpdated'),
            data: { booking, calendarEntryId: entryId, changed },
          },
        },
    ...(schedule.detected.length > 0
      ? [
          {
            detailType: 'CalendarConflictDetected' as const,
            detail: {
              metadata: followUpMetadata(event, 'CalendarConflictDetected'),
              data: {
                booking,
                calendarEntryId: entryId,
                trip: { start: trip.start, end: trip.end },
                conflictsWith: schedule.detected.map(({ bookingId, calendarEntryId, start, end }) => ({
                  bookingId,
                  calendarEntryId,
                  start,
                  end,
                })),
              },
            },
          },
        ]
      : []),
    ...resolvedEvent(event, entryId, schedule.resolved),
  ];
  return {
    held: { entryId, status: 'active', entry, slot: schedule.slot, conflictsWith },
    emit: () => publish(deps, followUp),
  };
}

/** Brings the double-booking mark of each other booking touched by this change up to date in JADA. */
async function markPartners(partners: Slot[], listingId: string | undefined, event: BookingEvent, deps: CalendarDeps) {
  if (!listingId) return;
  for (const partner of partners) {
    const conflictsWith = await deps.schedule.conflictsOf(partner.bookingId, listingId);
    await deps.jada.markConflicts(
      partner.calendarEntryId,
      conflictsWith,
      markContext(event, deps, partner.bookingId, conflictsWith),
    );
  }
}

function resolvedEvent(event: BookingEvent, calendarEntryId: string, resolved: Slot[]): OutgoingEvent[] {
  if (resolved.length === 0) return [];
  return [
    {
      detailType: 'CalendarConflictResolved',
      detail: {
        metadata: followUpMetadata(event, 'CalendarConflictResolved'),
        data: {
          booking: event.detail.data.booking,
          calendarEntryId,
          resolvedWith: resolved.map((s) => ({ bookingId: s.bookingId })),
        },
      },
    },
  ];
}

async function publish(deps: CalendarDeps, events: OutgoingEvent[]): Promise<string> {
  return (await deps.publisher.publish(events))[0]!;
}

/** A mark's key names the marked booking and the list it sets: a retry sends the same, a new list is a new request. */
function markContext(event: BookingEvent, deps: CalendarDeps, marked: string, conflictsWith: string[]) {
  return {
    ...callContextOf(event, deps),
    idempotencyKey: `${event.detail.metadata.idempotencyKey}:conflicts:${marked}:${conflictsWith.join(',')}`,
  };
}
