import { createHash } from 'node:crypto';
import type { BookingDetails } from '../../shared/contract/booking-details';
import type { BookingSnapshot } from '../../shared/contract/events';
import type { ConsumedEvent } from '../../shared/consumer';
import type { Logger } from '../../shared/logger';
import { FORGOTTEN_SKIP, type PrivateRecords } from '../../shared/private-records';
import type { Publisher } from '../../shared/publisher';
import {
  applyLatest,
  followUpOf,
  recordedCallContext,
  recordedCause,
  type RecordedCause,
} from '../../shared/lifecycle';
import type { Decision, Performed, RevisionLedger } from '../../shared/revisions';
import type { CrewEventRequest, CrewMember, CrewNotice, SccApi } from './scc-api';
import type { SccTableEvent } from './scc-events-table';

/** JADA's deckhands, in rotation order. */
export const DECKHAND_ROSTER = ['Lena Park', 'Marco Diaz', 'Tess Quinn', 'Rafa Soto'] as const;
/** Who skippers when Boatsetter names no captain. */
export const HOUSE_CAPTAIN = 'Alex Moreno';
/** Up to six guests need one deckhand (a six-pack charter); larger parties need two. */
export const deckhandsFor = (partySize: number) => (partySize <= 6 ? 1 : 2);

/**
 * The crew of a booking: its captain and deckhands from the roster, picked by the booking id so the same
 * booking always gets the same crew (a retry or replay must not send invitations to someone else).
 */
export function crewFor(booking: BookingSnapshot): CrewMember[] {
  const first = createHash('sha256').update(booking.bookingId).digest().readUInt32BE(0) % DECKHAND_ROSTER.length;
  const deckhands = Array.from({ length: deckhandsFor(booking.partySize) }, (_, i) => ({
    name: DECKHAND_ROSTER[(first + i) % DECKHAND_ROSTER.length]!,
    role: 'deckhand' as const,
  }));
  return [{ name: booking.captain?.name ?? HOUSE_CAPTAIN, role: 'captain' }, ...deckhands];
}

/**
 * The ordinary notes crew see. Never the guest's email or phone; SCC adds the operator's revenue lines. No
 * revision number: the notes change only when something the crew read changes. The renter's note comes from
 * the booking's private record, as the crew has always read it.
 */
export function crewNotes(
  booking: BookingSnapshot,
  details: Pick<BookingDetails, 'specialRequests'>,
  calendarEntryId: string,
): string {
  return [
    `Boatsetter booking ${booking.bookingId}`,
    `Calendar entry: ${calendarEntryId}`,
    `Meeting point: ${booking.trip.departure.name}, ${booking.trip.departure.address}`,
    `Party size: ${booking.partySize}`,
    ...(details.specialRequests ? [`Special requests: ${details.specialRequests}`] : []),
  ].join('\n');
}

/** The SCC event: the pricing SCC makes the revenue lines from comes from the booking's private record. */
export function crewEventRequest(
  booking: BookingSnapshot,
  details: BookingDetails,
  calendarEntryId: string,
): CrewEventRequest {
  return {
    bookingId: booking.bookingId,
    calendarEntryId,
    title: `${booking.boat.name} charter ${booking.bookingId}`,
    start: booking.trip.start,
    durationHours: booking.trip.durationHours,
    boat: booking.boat.name,
    partySize: booking.partySize,
    notes: crewNotes(booking, details, calendarEntryId),
    crew: crewFor(booking),
    pricing: {
      currency: details.pricing.currency,
      bookingTotal: details.pricing.bookingTotal,
      captainFee: details.pricing.captainFee,
      ownerPayout: details.pricing.ownerPayout,
    },
  };
}

/**
 * The facts a crew member acts on, in their words: when and where to be, on which boat, with whom, for how
 * many guests. A change to any of these is worth a notice; a change to anything else (revenue, the renter's
 * phone) is not.
 */
export function crewFacts(booking: BookingSnapshot): Record<string, string> {
  return crewFactsOf({
    start: booking.trip.start,
    durationHours: booking.trip.durationHours,
    meetingPoint: `${booking.trip.departure.name}, ${booking.trip.departure.address}`,
    boat: booking.boat.name,
    captain: crewFor(booking)[0]!.name,
    partySize: booking.partySize,
  });
}

/**
 * The facts in the crew's words and format, from a booking or from an event SCC holds. A value SCC's item lacks
 * is empty, so it differs from any revision's and the first notice tells it.
 */
function crewFactsOf(values: {
  start?: string;
  durationHours?: number;
  meetingPoint?: string;
  boat?: string;
  captain?: string;
  partySize?: number;
}): Record<string, string> {
  return {
    start: values.start ?? '',
    duration: values.durationHours === undefined ? '' : `${values.durationHours} h`,
    'meeting point': values.meetingPoint ?? '',
    boat: values.boat ?? '',
    captain: values.captain ?? '',
    'party size': values.partySize === undefined ? '' : String(values.partySize),
  };
}

/** The crew-facing facts that differ between two revisions, old and new. */
export function crewChanges(before: Record<string, string>, after: Record<string, string>): CrewNotice['changes'] {
  return Object.keys(after)
    .filter((field) => before[field] !== after[field])
    .map((field) => ({ field, before: before[field] ?? '', after: after[field]! }));
}

/** The SCC event fields that differ between two versions of the request. */
export function changedEventFields(before: CrewEventRequest, after: CrewEventRequest): string[] {
  return (Object.keys(after) as (keyof CrewEventRequest)[]).filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  );
}

/** What SCC holds for a booking, as the crew consumer last left it. */
export interface CrewHeld {
  sccEventId: string;
  calendarEntryId: string;
  status: 'active' | 'cancelled';
  request: CrewEventRequest;
  facts: Record<string, string>;
}

/** The meeting point a crew event's notes name, as crewNotes writes it (the hand-made Lambdas wrote the same line). */
const MEETING_POINT_LINE = /^\s*Meeting point:\s*(.+?)\s*$/im;

/**
 * A crew event SCC holds for a booking the crew consumer never held (the hand-made Lambdas made it), taken on as
 * the booking's event. The crew-facing facts are read from the event as SCC keeps it, so the next revision tells
 * the crew only what differs from what they were told. SCC's table keeps no pricing (SCC makes the revenue lines
 * from it): the request held has none, so the next revision updates the event in place, every field, once.
 */
export function adoptedCrewEvent(found: SccTableEvent, bookingId: string): CrewHeld {
  const captain = found.crew.find((member) => member.role === 'captain');
  const request: CrewEventRequest = {
    bookingId: found.bookingId ?? bookingId,
    calendarEntryId: found.calendarEntryId,
    title: found.title ?? '',
    start: found.start ?? '',
    durationHours: found.durationHours ?? 0,
    boat: found.boat ?? '',
    partySize: found.partySize ?? 0,
    notes: found.notes,
    crew: found.crew,
    pricing: { currency: '', bookingTotal: 0, captainFee: 0, ownerPayout: 0 },
  };
  return {
    sccEventId: found.eventId,
    calendarEntryId: found.calendarEntryId,
    status: found.status,
    request,
    facts: crewFactsOf({
      start: found.start,
      durationHours: found.durationHours,
      meetingPoint: MEETING_POINT_LINE.exec(found.notes)?.[1],
      boat: found.boat,
      captain: captain?.name,
      partySize: found.partySize,
    }),
  };
}

export interface CrewDeps {
  revisions: RevisionLedger;
  publisher: Publisher;
  scc: SccApi;
  privateRecords: PrivateRecords;
  logger: Logger;
  /** Epoch ms by which downstream calls must be over (from the Lambda's remaining time). */
  deadline?: number;
  /** Epoch ms when the invocation ends: the lease on the booking ends then. */
  until?: number;
  /** The crew event SCC's table holds for a calendar entry (scc-events-table.ts): what the crew consumer adopts. */
  findCrewEvent?: (calendarEntryId: string) => Promise<SccTableEvent | undefined>;
}

export type CalendarEvent = ConsumedEvent<'CalendarEntryCreated' | 'CalendarEntryUpdated' | 'CalendarEntryCancelled'>;

/**
 * What crew decided for a revision, recorded before SCC is called. It keeps none of the renter's private
 * details: the request's prices and note are made again from the private record of the plan's revision, so
 * the recorded decision sends SCC the same body under the same key. The crew's "before" values are the
 * facts SCC holds (`before`, itself finished from any decision recorded earlier), never older ones.
 */
export interface CrewPlan {
  cause: RecordedCause;
  /** 'none': SCC holds this version already; only the event follows. */
  call: 'create' | 'update' | 'cancel' | 'none';
  /** The calendar entry the crew event points to, as the calendar's event named it. */
  calendarEntryId: string;
  before?: CrewHeld;
  changed: string[];
  changes: CrewNotice['changes'];
}

/**
 * Keeps the booking's SCC crew event at the calendar's latest revision (SCC emails the crew; we never mail
 * crew): the first active revision creates it (SCC invites the crew), a newer one updates it only if an SCC
 * field changed, with a notice to the crew only if a crew-facing fact changed, and a cancellation cancels it
 * (SCC tells each crew member). A revision at or below the applied one does nothing. The prices and the
 * renter's note come from the booking's private record; a booking forgotten since is skipped.
 */
export async function applyToCrewEvent(event: CalendarEvent, deps: CrewDeps) {
  const { booking } = event.detail.data;
  const cancels = event.detailType === 'CalendarEntryCancelled';
  // A replay is most likely done: its revision record alone says so, before the private record is read.
  if (event.replayName !== undefined) {
    const done = await deps.revisions.alreadyApplied<CrewHeld>(
      { bookingId: booking.bookingId, consumer: 'crew', revision: booking.revision },
      deps.logger,
    );
    if (done) return done;
  }
  // Then the private record: a forgotten booking is skipped before anything is leased or recorded.
  const lookup = cancels
    ? undefined
    : await deps.privateRecords.detailsFor(booking.bookingId, booking.revision, event.carried);
  if (lookup && !lookup.found) {
    deps.logger.info(FORGOTTEN_SKIP, { revision: booking.revision, outcome: 'skipped' });
    return { outcome: 'skipped' as const, held: undefined };
  }
  const details = lookup?.details;
  return applyLatest<CrewHeld, CrewPlan>(deps, booking, {
    consumer: 'crew',
    live: 'active',
    cancels,
    until: deps.until,
    keep: (active) => Promise.resolve(decideKeep(event, details!, active, deps.logger)),
    cancel: (active) => Promise.resolve(decideCancel(event, active)),
    // This delivery's own details are at hand; a decision a crashed delivery recorded reads its revision's.
    perform: (plan, progress) =>
      performCrewPlan(plan, progress, deps, (revision) =>
        revision === booking.revision && details
          ? Promise.resolve(details)
          : detailsOf(deps, booking.bookingId, revision),
      ),
    // Before creating an event: the hand-made Lambdas may have made one for this calendar entry already. Not for
    // CalendarEntryCreated: the calendar says it so only of an entry it has just made itself (one it adopted is
    // stated as updated), so no event of theirs can name it, and SCC's table is not walked for nothing.
    adopt: event.detailType === 'CalendarEntryCreated' ? undefined : () => findAdoptableCrewEvent(event, deps),
  });
}

async function findAdoptableCrewEvent(event: CalendarEvent, deps: CrewDeps): Promise<CrewHeld | undefined> {
  const { booking, calendarEntryId } = event.detail.data;
  const found = await deps.findCrewEvent?.(calendarEntryId);
  if (found?.status !== 'active') return undefined;
  deps.logger.info('adopting the crew event SCC already holds for the calendar entry', {
    calendarEntryId,
    sccEventId: found.eventId,
  });
  return adoptedCrewEvent(found, booking.bookingId);
}

async function detailsOf(deps: CrewDeps, bookingId: string, revision: number) {
  const lookup = await deps.privateRecords.detailsFor(bookingId, revision);
  return lookup.found ? lookup.details : undefined;
}

export function decideCancel(event: CalendarEvent, active: CrewHeld): Decision<CrewHeld, CrewPlan> {
  const { calendarEntryId } = event.detail.data;
  return {
    plan: { cause: recordedCause(event), call: 'cancel', calendarEntryId, before: active, changed: [], changes: [] },
  };
}

/** What a revision does to the crew event SCC holds (or not): pure, from the event, the details and the held event. */
export function decideKeep(
  event: CalendarEvent,
  details: BookingDetails,
  active: CrewHeld | undefined,
  logger?: Logger,
): Decision<CrewHeld, CrewPlan> {
  const { booking, calendarEntryId } = event.detail.data;
  const cause = recordedCause(event);
  if (!active) return { plan: { cause, call: 'create', calendarEntryId, changed: [], changes: [] } };
  const changed = changedEventFields(active.request, crewEventRequest(booking, details, calendarEntryId));
  const changes = crewChanges(active.facts, crewFacts(booking));
  if (changed.length === 0)
    logger?.info('nothing on the crew event changed; SCC not called', { revision: booking.revision });
  return {
    plan: { cause, call: changed.length > 0 ? 'update' : 'none', calendarEntryId, before: active, changed, changes },
  };
}

/**
 * Carries out a recorded crew decision; again after a crash, with the same key, the same body and the same
 * event. `detailsFor` gives the private details of a revision (none once forgotten).
 */
export async function performCrewPlan(
  plan: CrewPlan,
  _progress: (plan: CrewPlan) => Promise<void>,
  deps: CrewDeps,
  detailsFor: (revision: number) => Promise<BookingDetails | undefined>,
): Promise<Performed<CrewHeld>> {
  const { cause, before, calendarEntryId } = plan;
  const { booking } = cause.detail.data;
  const call = recordedCallContext(cause, deps);

  if (plan.call === 'cancel') {
    await deps.scc.cancelEvent(before!.sccEventId, call);
    const emittedEventId = await deps.publisher.publishOne('CrewEventCancelled', {
      metadata: followUpOf(cause, 'CrewEventCancelled'),
      data: { booking, calendarEntryId, sccEventId: before!.sccEventId },
    });
    return { held: { ...before!, status: 'cancelled' }, emittedEventId };
  }

  const details = await detailsFor(booking.revision);
  if (!details) {
    // Forgotten since the decision: its body cannot be made again. SCC gets every field with the next revision.
    deps.logger.warn('personal data forgotten since crew decided; the recorded decision is dropped', {
      revision: booking.revision,
    });
    return { held: before };
  }
  const request = crewEventRequest(booking, details, calendarEntryId);
  const facts = crewFacts(booking);

  if (plan.call === 'create') {
    const created = await deps.scc.createEvent(request, call);
    const emittedEventId = await deps.publisher.publishOne('CrewEventCreated', {
      metadata: followUpOf(cause, 'CrewEventCreated'),
      data: { booking, calendarEntryId, sccEventId: created.eventId },
    });
    return { held: { sccEventId: created.eventId, calendarEntryId, status: 'active', request, facts }, emittedEventId };
  }

  const { changed, changes } = plan;
  if (plan.call === 'update') {
    await deps.scc.updateEvent(before!.sccEventId, request, changes.length > 0 ? { changes } : undefined, call);
  }
  const crewNotified = changed.length > 0 && changes.length > 0;
  const emittedEventId = await deps.publisher.publishOne('CrewEventUpdated', {
    metadata: followUpOf(cause, 'CrewEventUpdated'),
    data: { booking, calendarEntryId, sccEventId: before!.sccEventId, changed, crewNotified },
  });
  return { held: { ...before!, calendarEntryId, request, facts }, emittedEventId };
}
