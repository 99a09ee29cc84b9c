import type { BookingSnapshot } from '../../shared/contract/events';
import type { ConsumedEvent } from '../../shared/consumer';
import type { Logger } from '../../shared/logger';
import { MetricUnit, metricNames, type InvocationMetrics } from '../../shared/metrics';
import type { OutgoingEvent, Publisher } from '../../shared/publisher';
import {
  applyLatest,
  followUpOf,
  recordedCallContext,
  recordedCause,
  type RecordedCause,
} from '../../shared/lifecycle';
import type { Decision, Performed, RevisionLedger } from '../../shared/revisions';
import { tripTimes, tripWindow } from '../../shared/trip';
import type { BoatSchedule, Slot, SlotKey } from './boat-schedule';
import { markDoubleBookings, type MarkDeps } from './conflict-marks';
import type { CalendarEntryRequest, JadaCalendarApi, JadaEntry } from './jada-calendar-api';

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
}

/**
 * An entry JADA holds for a booking the calendar never held (the hand-made Lambdas made it), taken on as the
 * booking's entry: its fields as JADA has them, so the next revision updates only the ones that differ. No slot
 * yet: the next revision places the trip in the boat's schedule as a first placement does.
 */
export function adoptedEntry(found: JadaEntry): CalendarHeld {
  const { entryId, status, ...entry } = found;
  return { entryId, status, entry };
}

/** The oldest active entry JADA holds for the booking, if any: the one the hand-made Lambdas made first. */
export async function findAdoptableEntry(
  booking: Pick<BookingSnapshot, 'bookingId'>,
  deps: Pick<CalendarDeps, 'jada' | 'logger' | 'deadline'>,
): Promise<CalendarHeld | undefined> {
  const { bookingId } = booking;
  const found = await deps.jada.findEntries(bookingId, { bookingId, logger: deps.logger, deadline: deps.deadline });
  const active = found.filter((entry) => entry.status === 'active');
  if (active.length === 0) return undefined;
  deps.logger.info('adopting the calendar entry JADA already holds for the booking', {
    calendarEntryId: active[0]!.entryId,
    ...(active.length > 1 ? { alsoActive: active.slice(1).map((entry) => entry.entryId) } : {}),
  });
  return adoptedEntry(active[0]!);
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
  /** Epoch ms when the invocation ends: the lease on the booking ends then. */
  until?: number;
}

export type BookingEvent = ConsumedEvent<'BookingReceived' | 'BookingModified' | 'BookingCancelled'>;

/**
 * What the calendar decided for a revision, recorded before JADA is called: the call and its key (the cause's),
 * the entry as JADA will get it, and the entry as held before. What the boat's schedule says (a conflict is
 * found once, by a conditional write) is added before the marks and events that tell it.
 */
export interface CalendarPlan {
  cause: RecordedCause;
  /** 'none': JADA holds this entry already; only the schedule and the event follow. */
  call: 'create' | 'update' | 'cancel' | 'none';
  entry: CalendarEntryRequest;
  before?: CalendarHeld;
  changed: string[];
  placed?: { entryId: string; slot?: SlotKey; conflictsWith: string[]; detected: Slot[]; resolved: Slot[] };
}

/**
 * Keeps the booking's JADA calendar entry at the booking's latest revision, whatever order its facts arrive in:
 * the first active revision creates the entry, a newer one updates it (only if an entry field changed), a
 * cancellation cancels it (or, seen first, leaves a tombstone so that nothing older creates it afterwards).
 * Every create or move also checks the boat's schedule for a double booking. Each applied revision is stated
 * on the bus, so crew and the guest page follow it even when JADA had nothing to change.
 */
export function applyToCalendar(event: BookingEvent, deps: CalendarDeps) {
  const { booking } = event.detail.data;
  return applyLatest<CalendarHeld, CalendarPlan>(deps, booking, {
    consumer: 'calendar',
    live: 'active',
    cancels: booking.status === 'cancelled',
    replayed: event.replayName !== undefined,
    until: deps.until,
    keep: (active) => Promise.resolve(decideKeep(event, active, deps.logger)),
    cancel: (active) => Promise.resolve(decideCancel(event, active)),
    perform: (plan, progress) => performCalendarPlan(plan, progress, deps),
    // Before creating an entry: the hand-made Lambdas may have made one for this booking already.
    adopt: () => findAdoptableEntry(booking, deps),
  });
}

/** What a revision does to the calendar entry JADA holds (or not): pure, from the event and the held entry. */
export function decideKeep(
  event: BookingEvent,
  active: CalendarHeld | undefined,
  logger?: Logger,
): Decision<CalendarHeld, CalendarPlan> {
  const { booking } = event.detail.data;
  const entry = calendarEntryRequest(booking);
  const cause = recordedCause(event);
  if (!active) return { plan: { cause, call: 'create', entry, changed: [] } };
  const changed = changedEntryFields(active.entry, entry);
  if (changed.length === 0) {
    logger?.info('nothing on the calendar entry changed; JADA not called', { revision: booking.revision });
  }
  return { plan: { cause, call: changed.length > 0 ? 'update' : 'none', entry, before: active, changed } };
}

export function decideCancel(event: BookingEvent, active: CalendarHeld): Decision<CalendarHeld, CalendarPlan> {
  return { plan: { cause: recordedCause(event), call: 'cancel', entry: active.entry, before: active, changed: [] } };
}

/** Carries out a recorded calendar decision; again after a crash, with the same keys and the same events. */
export function performCalendarPlan(
  plan: CalendarPlan,
  progress: (plan: CalendarPlan) => Promise<void>,
  deps: CalendarDeps,
): Promise<Performed<CalendarHeld>> {
  return plan.call === 'cancel' ? performCancel(plan, progress, deps) : performKeep(plan, progress, deps);
}

async function performCancel(
  plan: CalendarPlan,
  progress: (plan: CalendarPlan) => Promise<void>,
  deps: CalendarDeps,
): Promise<Performed<CalendarHeld>> {
  const { cause } = plan;
  const held = plan.before!;
  const { booking } = cause.detail.data;
  let resolved = plan.placed?.resolved;
  if (!resolved) {
    await deps.jada.cancelEntry(held.entryId, recordedCallContext(cause, deps));
    resolved = held.slot ? await deps.schedule.free(booking.bookingId, held.slot, changeKey(cause)) : [];
    if (resolved.length > 0) {
      await progress({ ...plan, placed: { entryId: held.entryId, conflictsWith: [], detected: [], resolved } });
    }
  }
  if (held.slot) await markDoubleBookings(undefined, resolved, false, held.slot.listingId, markDeps(cause, deps));
  await deps.schedule.forget(booking.bookingId, resolved, changeKey(cause));
  const emittedEventId = await publish(deps, [
    {
      detailType: 'CalendarEntryCancelled',
      detail: {
        metadata: followUpOf(cause, 'CalendarEntryCancelled'),
        data: { booking, calendarEntryId: held.entryId },
      },
    },
    ...resolvedEvent(cause, held.entryId, resolved),
  ]);
  return { held: { ...held, status: 'cancelled', slot: undefined }, emittedEventId };
}

async function performKeep(
  plan: CalendarPlan,
  progress: (plan: CalendarPlan) => Promise<void>,
  deps: CalendarDeps,
): Promise<Performed<CalendarHeld>> {
  const { cause, before, entry, changed } = plan;
  const { booking } = cause.detail.data;
  const trip = tripWindow(booking);

  let placed = plan.placed;
  if (!placed) {
    const call = recordedCallContext(cause, deps);
    let entryId: string;
    if (plan.call === 'create') entryId = (await deps.jada.createEntry(entry, call)).entryId;
    else {
      entryId = before!.entryId;
      if (plan.call === 'update') await deps.jada.updateEntry(entryId, entry, call);
    }
    const schedule = await deps.schedule.place(
      booking.bookingId,
      entryId,
      booking.boat.listingId,
      trip,
      before?.slot,
      changeKey(cause),
    );
    placed = {
      entryId,
      slot: schedule.slot,
      conflictsWith: schedule.conflictsWith.map((s) => s.bookingId).sort(),
      detected: schedule.detected,
      resolved: schedule.resolved,
    };
    // Only this run's conditional write found these: recorded before the marks and events that tell them.
    if (placed.detected.length > 0 || placed.resolved.length > 0) await progress({ ...plan, placed });
    if (placed.detected.length > 0) {
      deps.logger.warn('double booking: the trip overlaps other bookings of the same boat', {
        conflictsWith: placed.detected.map((s) => s.bookingId),
      });
      deps.metrics?.addMetric(metricNames.doubleBookingsDetected, MetricUnit.Count, placed.detected.length);
    }
  }
  const { entryId, conflictsWith, detected, resolved } = placed;
  const { listingId } = booking.boat;
  const own = { bookingId: booking.bookingId, calendarEntryId: entryId, listingId };
  // Stated from the boat's pairs, not from what this booking last held: a partner's run marks this entry too.
  await markDoubleBookings(own, [...detected, ...resolved], conflictsWith.length > 0, listingId, markDeps(cause, deps));
  // Only now that JADA no longer shows them: a crash before this finds them ended by this change, to mark again.
  await deps.schedule.forget(booking.bookingId, resolved, changeKey(cause));

  const followUp: OutgoingEvent[] = [
    before
      ? {
          detailType: 'CalendarEntryUpdated',
          detail: {
            metadata: followUpOf(cause, 'CalendarEntryUpdated'),
            data: { booking, calendarEntryId: entryId, changed },
          },
        }
      : {
          detailType: 'CalendarEntryCreated',
          detail: { metadata: followUpOf(cause, 'CalendarEntryCreated'), data: { booking, calendarEntryId: entryId } },
        },
    ...(detected.length > 0
      ? [
          {
            detailType: 'CalendarConflictDetected' as const,
            detail: {
              metadata: followUpOf(cause, 'CalendarConflictDetected'),
              data: {
                booking,
                calendarEntryId: entryId,
                trip: { start: trip.start, end: trip.end },
                conflictsWith: detected.map(({ bookingId, calendarEntryId, start, end }) => ({
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
    ...resolvedEvent(cause, entryId, resolved),
  ];
  const emittedEventId = await publish(deps, followUp);
  return { held: { entryId, status: 'active', entry, slot: placed.slot }, emittedEventId };
}

function resolvedEvent(cause: RecordedCause, calendarEntryId: string, resolved: Slot[]): OutgoingEvent[] {
  if (resolved.length === 0) return [];
  return [
    {
      detailType: 'CalendarConflictResolved',
      detail: {
        metadata: followUpOf(cause, 'CalendarConflictResolved'),
        data: {
          booking: cause.detail.data.booking,
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

/** The change a pair is created or ended by, in the boat's schedule: the revision's own key. */
const changeKey = (cause: RecordedCause) => cause.detail.metadata.idempotencyKey;

/**
 * A mark's key names the marked booking, the how-manieth mark of it this run sends and the list it sets: a retry
 * sends the same, and a mark sent again after the pairs moved back is a new request, not the first one's answer.
 */
function markDeps(cause: RecordedCause, deps: CalendarDeps): MarkDeps {
  return {
    jada: deps.jada,
    schedule: deps.schedule,
    context: (marked, conflictsWith, statement) =>
      recordedCallContext(
        cause,
        deps,
        `${cause.detail.metadata.idempotencyKey}:conflicts:${marked}:${statement > 0 ? `${statement}:` : ''}${conflictsWith.join(',')}`,
      ),
  };
}
