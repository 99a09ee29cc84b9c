import { createHash } from 'node:crypto';
import type { BookingSnapshot } from '../../shared/contract/events';
import { followUpMetadata } from '../../shared/contract/metadata';
import type { ConsumedEvent } from '../../shared/consumer';
import type { Publisher } from '../../shared/publisher';
import type { BookingSteps } from '../../shared/steps';
import type { Logger } from '../../shared/logger';
import type { CrewEventRequest, SccApi } from './scc-api';

export interface CrewMember {
  name: string;
  role: 'captain' | 'deckhand';
}

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

/** The ordinary notes crew see. Never the guest's email or phone; SCC adds the operator's revenue lines. */
export function crewNotes(booking: BookingSnapshot, calendarEntryId: string): string {
  return [
    `Boatsetter booking ${booking.bookingId}, revision ${booking.revision}`,
    `Calendar entry: ${calendarEntryId}`,
    `Meeting point: ${booking.trip.departure.name}, ${booking.trip.departure.address}`,
    `Party size: ${booking.partySize}`,
    ...(booking.specialRequests ? [`Special requests: ${booking.specialRequests}`] : []),
  ].join('\n');
}

export function crewEventRequest(booking: BookingSnapshot, calendarEntryId: string): CrewEventRequest {
  return {
    bookingId: booking.bookingId,
    calendarEntryId,
    title: `${booking.boat.name} charter ${booking.bookingId}`,
    start: booking.trip.start,
    durationHours: booking.trip.durationHours,
    boat: booking.boat.name,
    partySize: booking.partySize,
    notes: crewNotes(booking, calendarEntryId),
    crew: crewFor(booking),
    pricing: {
      currency: booking.pricing.currency,
      bookingTotal: booking.pricing.bookingTotal,
      captainFee: booking.pricing.captainFee,
      ownerPayout: booking.pricing.ownerPayout,
    },
  };
}

export interface CrewDeps {
  steps: BookingSteps;
  publisher: Publisher;
  scc: SccApi;
  logger: Logger;
  /** Epoch ms by which downstream calls must be over (from the Lambda's remaining time). */
  deadline?: number;
}

/**
 * CalendarEntryCreated -> one SCC crew event (SCC emails the crew their magic links; we never mail crew)
 * -> CrewEventCreated. Safe to run twice: the step record, then the Idempotency-Key.
 */
export async function createCrewEvent(event: ConsumedEvent<'CalendarEntryCreated'>, deps: CrewDeps) {
  const { booking, calendarEntryId } = event.detail.data;
  return deps.steps.runOnce(
    { bookingId: booking.bookingId, step: 'crew', revision: booking.revision },
    async () =>
      deps.scc.createEvent(crewEventRequest(booking, calendarEntryId), {
        idempotencyKey: event.detail.metadata.idempotencyKey,
        bookingId: booking.bookingId,
        logger: deps.logger,
        deadline: deps.deadline,
      }),
    (created) =>
      deps.publisher.publishOne('CrewEventCreated', {
        metadata: followUpMetadata(event, 'CrewEventCreated'),
        data: { booking, calendarEntryId, sccEventId: created.eventId },
      }),
    deps.logger,
  );
}

