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
  /** When the webhook received the revision this event follows from: every later event carries it forward. */
  receivedAt: z.iso.datetime({ offset: true }).optional(),
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

/** What a system held at the revision it had applied, beside what it holds now. */
const FieldChange = z.object({
  field: z.string().min(1),
  before: z.string(),
  after: z.string(),
});
export type FieldChange = z.infer<typeof FieldChange>;

/** A booking the calendar found on the same boat at an overlapping time (turnaround included). */
const OverlappingBooking = z.object({
  bookingId,
  calendarEntryId: z.string().min(1),
  start: instantWithOffset,
  end: instantWithOffset,
});

export const CalendarEntryUpdated = detail(
  'CalendarEntryUpdated',
  'The JADA calendar entry matches a newer revision of the booking',
  {
    calendarEntryId: z.string().min(1),
    /** The entry fields this revision changed; empty when the calendar had nothing to change. */
    changed: z.array(z.string().min(1)),
  },
);
export const CalendarEntryCancelled = detail(
  'CalendarEntryCancelled',
  'The JADA calendar entry is marked cancelled and its slot is free again',
  { calendarEntryId: z.string().min(1) },
);
export const CalendarConflictDetected = detail(
  'CalendarConflictDetected',
  "The booking's trip overlaps another active booking of the same boat",
  {
    calendarEntryId: z.string().min(1),
    trip: z.object({ start: instantWithOffset, end: instantWithOffset }),
    conflictsWith: z.array(OverlappingBooking).min(1),
  },
);
export const CalendarConflictResolved = detail(
  'CalendarConflictResolved',
  'A booking no longer overlaps bookings it used to overlap',
  { calendarEntryId: z.string().min(1), resolvedWith: z.array(z.object({ bookingId })).min(1) },
);
export const CrewEventUpdated = detail(
  'CrewEventUpdated',
  'ShipCaptainCrew holds a newer revision of the crew event, and told the crew if it mattered to them',
  {
    calendarEntryId: z.string().min(1),
    sccEventId: z.string().min(1),
    /** The crew event fields this revision changed; empty when SCC had nothing to change. */
    changed: z.array(z.string().min(1)),
    crewNotified: z.boolean(),
  },
);
export const CrewEventCancelled = detail(
  'CrewEventCancelled',
  'ShipCaptainCrew cancelled the crew event and told each crew member',
  { calendarEntryId: z.string().min(1), sccEventId: z.string().min(1) },
);
export const GuestPageUpdated = detail(
  'GuestPageUpdated',
  'The guest page shows a newer revision of the booking',
  {
    url: z.url(),
    etag: z.string().min(1),
    /** What the guest sees differently; empty when the revision changed nothing on the page. */
    changes: z.array(FieldChange),
  },
);
export const GuestPageWithdrawn = detail(
  'GuestPageWithdrawn',
  'The guest page now only says that the charter was cancelled',
  { url: z.url(), etag: z.string().min(1) },
);

export const eventCatalog = {
  BookingReceived: { source: 'charterflow.webhook', schema: BookingReceived },
  BookingModified: { source: 'charterflow.webhook', schema: BookingModified },
  BookingCancelled: { source: 'charterflow.webhook', schema: BookingCancelled },
  CalendarEntryCreated: { source: 'charterflow.calendar', schema: CalendarEntryCreated },
  CalendarEntryUpdated: { source: 'charterflow.calendar', schema: CalendarEntryUpdated },
  CalendarEntryCancelled: { source: 'charterflow.calendar', schema: CalendarEntryCancelled },
  CalendarConflictDetected: { source: 'charterflow.calendar', schema: CalendarConflictDetected },
  CalendarConflictResolved: { source: 'charterflow.calendar', schema: CalendarConflictResolved },
  CrewEventCreated: { source: 'charterflow.crew', schema: CrewEventCreated },
  CrewEventUpdated: { source: 'charterflow.crew', schema: CrewEventUpdated },
  CrewEventCancelled: { source: 'charterflow.crew', schema: CrewEventCancelled },
  CrewNotesScrubbed: { source: 'charterflow.scrub', schema: CrewNotesScrubbed },
  GuestPagePublished: { source: 'charterflow.guest-page', schema: GuestPagePublished },
  GuestPageUpdated: { source: 'charterflow.guest-page', schema: GuestPageUpdated },
  GuestPageWithdrawn: { source: 'charterflow.guest-page', schema: GuestPageWithdrawn },
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
