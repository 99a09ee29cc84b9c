import { z } from 'zod';
import { bookingId, instantWithOffset } from './boatsetter';

/**
 * The events on the charterflow bus. Each entry of `eventCatalog` is the single source of truth for one
 * detail-type: its source, its schema (from which the TypeScript type and schemas/*.json both come) and
 * its schema version. Events are facts in the past tense.
 */

export const SCHEMA_VERSION = '1.0';

/** The booking as it travels with every event (event-carried state), in our own words, not Boatsetter's. */
export const BookingSnapshot = z.object({
  bookingId,
  revision: z.number().int().positive(),
  status: z.enum(['confirmed', 'modified', 'cancelled']),
  boat: z.object({
    listingId: z.string().min(1),
    name: z.string().min(1),
    type: z.string().min(1),
    lengthFt: z.number().positive(),
  }),
  trip: z.object({
    start: instantWithOffset,
    durationHours: z.number().positive(),
    departure: z.object({ name: z.string().min(1), address: z.string().min(1) }),
  }),
  renter: z.object({
    firstName: z.string().min(1),
    lastName: z.string().min(1),
    email: z.string().min(3),
    phone: z.string().min(3),
  }),
  partySize: z.number().int().positive(),
  captain: z.object({ name: z.string().min(1) }).optional(),
  pricing: z.object({
    currency: z.string().length(3),
    bookingTotal: z.number().nonnegative(),
    boatsetterFee: z.number().nonnegative(),
    captainFee: z.number().nonnegative(),
    ownerPayout: z.number().nonnegative(),
  }),
  specialRequests: z.string().optional(),
});
export type BookingSnapshot = z.infer<typeof BookingSnapshot>;

export const EventMetadata = z.object({
  bookingId,
  /** The booking's first webhook id: every event of one booking shares it. */
  correlationId: z.string().min(1),
  /** The id of the event (or webhook delivery) that caused this one. */
  causationId: z.string().min(1),
  schemaVersion: z.string().regex(/^\d+\.\d+$/, 'must be MAJOR.MINOR'),
  occurredAt: z.iso.datetime({ offset: true }),
  /** Stable across retries and replays of the same fact: consumers key their idempotency on it. */
  idempotencyKey: z.string().min(1),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

function detail<D extends z.ZodRawShape>(title: string, description: string, data: D) {
  return z
    .object({ metadata: EventMetadata, data: z.object({ booking: BookingSnapshot, ...data }) })
    .meta({ title, description });
}

export const BookingReceived = detail('BookingReceived', 'A confirmed booking arrived from Boatsetter', {});
export const BookingModified = detail('BookingModified', 'Boatsetter changed a booking', {});
export const BookingCancelled = detail('BookingCancelled', 'Boatsetter cancelled a booking', {});
export const CalendarEntryCreated = detail(
  'CalendarEntryCreated',
  'The JADA internal calendar holds an entry for the booking',
  { calendarEntryId: z.string().min(1) },
);
export const CrewEventCreated = detail(
  'CrewEventCreated',
  'ShipCaptainCrew holds the crew event, and has invited the crew',
  { calendarEntryId: z.string().min(1), sccEventId: z.string().min(1) },
);
export const CrewNotesScrubbed = detail(
  'CrewNotesScrubbed',
  "The revenue lines are out of the crew event's notes",
  { sccEventId: z.string().min(1), linesRemoved: z.number().int().nonnegative() },
);
export const GuestPagePublished = detail(
  'GuestPagePublished',
  'The public guest page is live behind CloudFront',
  { url: z.url(), etag: z.string().min(1) },
);

export const eventCatalog = {
  BookingReceived: { source: 'charterflow.webhook', schema: BookingReceived },
  BookingModified: { source: 'charterflow.webhook', schema: BookingModified },
  BookingCancelled: { source: 'charterflow.webhook', schema: BookingCancelled },
  CalendarEntryCreated: { source: 'charterflow.calendar', schema: CalendarEntryCreated },
  CrewEventCreated: { source: 'charterflow.crew', schema: CrewEventCreated },
  CrewNotesScrubbed: { source: 'charterflow.scrub', schema: CrewNotesScrubbed },
  GuestPagePublished: { source: 'charterflow.guest-page', schema: GuestPagePublished },
} as const;

export type DetailType = keyof typeof eventCatalog;
export const detailTypes = Object.keys(eventCatalog) as DetailType[];
export type EventDetail<T extends DetailType> = z.infer<(typeof eventCatalog)[T]['schema']>;

export function isDetailType(value: unknown): value is DetailType {
  return typeof value === 'string' && Object.hasOwn(eventCatalog, value);
}

export function sourceOf(service: string): string {
  return `charterflow.${service}`;
}
