import { z } from 'zod';
import { bookingId, instantWithOffset } from './boatsetter';
import { Pricing, RenterContact } from './booking-details';

/**
 * The events on the charterflow bus. Each entry of `eventCatalog` is the single source of truth for one
 * detail-type: its source, its schema in the current major (from which the TypeScript type and schemas/*.json
 * both come; producers write it) and its schema in major 1 (`v1`, which consumers still read: see ./read.ts).
 * Events are facts in the past tense.
 */

export const SCHEMA_VERSION = '2.1';

/** The majors consumers read: the current one, and 1 while its events are still in the archive. */
export const READABLE_MAJORS = [1, 2] as const;

const boat = z.object({
  listingId: z.string().min(1),
  name: z.string().min(1),
  type: z.string().min(1),
  lengthFt: z.number().positive(),
});
const trip = z.object({
  start: instantWithOffset,
  durationHours: z.number().positive(),
  departure: z.object({ name: z.string().min(1), address: z.string().min(1) }),
});
const revision = z.number().int().positive();
const status = z.enum(['confirmed', 'modified', 'cancelled']);
const partySize = z.number().int().positive();
const captain = z.object({ name: z.string().min(1) }).optional();

/**
 * The booking as it travels with every event (event-carried state), in our own words, not Boatsetter's.
 * Nothing in it gives away the renter or the money: the renter's last name, email and phone, the prices and
 * the renter's own note stay in the booking's private record (shared/private-records.ts), which the consumers
 * that need them read by booking and revision. The bus and its archive keep events for a year, where no single
 * event can be deleted, and every consumer reads them.
 */
export const BookingSnapshot = z.object({
  bookingId,
  revision,
  status,
  boat,
  trip,
  renter: z.object({ firstName: z.string().min(1) }),
  partySize,
  captain,
  /** Whether the renter left a note: the guest page acknowledges it; the note itself is in the private record. */
  hasSpecialRequests: z.boolean(),
});
export type BookingSnapshot = z.infer<typeof BookingSnapshot>;

/** The booking snapshot of contract major 1, which carried the renter's details and the prices: read, never written. */
export const BookingSnapshotV1 = z.object({
  bookingId,
  revision,
  status,
  boat,
  trip,
  renter: z.object({ firstName: z.string().min(1), ...RenterContact.shape }),
  partySize,
  captain,
  pricing: Pricing,
  specialRequests: z.string().optional(),
});
export type BookingSnapshotV1 = z.infer<typeof BookingSnapshotV1>;

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
  /**
   * A synthetic booking (`charterflow smoke`): set by the webhook only for a delivery signed with the smoke
   * key, never from the payload, and carried forward by every later event. Consumers keep its writes to JADA,
   * SCC and the guest site back, and mail only SES's mailbox simulator (shared/shadow.ts). Since 2.1.
   */
  synthetic: z.boolean().optional(),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

/** A detail-type's schema in the current major, and as major 1 wrote it (the same data, the old snapshot). */
function detail<D extends z.ZodRawShape>(title: string, description: string, data: D) {
  const current = z.object({ metadata: EventMetadata, data: z.object({ booking: BookingSnapshot, ...data }) });
  const v1 = z.object({ metadata: EventMetadata, data: z.object({ booking: BookingSnapshotV1, ...data }) });
  return [current.meta({ title, description }), v1.meta({ title, description })] as const;
}

export const [BookingReceived, BookingReceivedV1] = detail(
  'BookingReceived',
  'A confirmed booking arrived from Boatsetter',
  {},
);
export const [BookingModified, BookingModifiedV1] = detail('BookingModified', 'Boatsetter changed a booking', {});
export const [BookingCancelled, BookingCancelledV1] = detail('BookingCancelled', 'Boatsetter cancelled a booking', {});
export const [CalendarEntryCreated, CalendarEntryCreatedV1] = detail(
  'CalendarEntryCreated',
  'The JADA internal calendar holds an entry for the booking',
  { calendarEntryId: z.string().min(1) },
);
export const [CrewEventCreated, CrewEventCreatedV1] = detail(
  'CrewEventCreated',
  'ShipCaptainCrew holds the crew event, and has invited the crew',
  { calendarEntryId: z.string().min(1), sccEventId: z.string().min(1) },
);
export const [CrewNotesScrubbed, CrewNotesScrubbedV1] = detail(
  'CrewNotesScrubbed',
  "The revenue lines are out of the crew event's notes",
  { sccEventId: z.string().min(1), linesRemoved: z.number().int().nonnegative() },
);
export const [GuestPagePublished, GuestPagePublishedV1] = detail(
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

export const [CalendarEntryUpdated, CalendarEntryUpdatedV1] = detail(
  'CalendarEntryUpdated',
  'The JADA calendar entry matches a newer revision of the booking',
  {
    calendarEntryId: z.string().min(1),
    /** The entry fields this revision changed; empty when the calendar had nothing to change. */
    changed: z.array(z.string().min(1)),
  },
);
export const [CalendarEntryCancelled, CalendarEntryCancelledV1] = detail(
  'CalendarEntryCancelled',
  'The JADA calendar entry is marked cancelled and its slot is free again',
  { calendarEntryId: z.string().min(1) },
);
export const [CalendarConflictDetected, CalendarConflictDetectedV1] = detail(
  'CalendarConflictDetected',
  "The booking's trip overlaps another active booking of the same boat",
  {
    calendarEntryId: z.string().min(1),
    trip: z.object({ start: instantWithOffset, end: instantWithOffset }),
    conflictsWith: z.array(OverlappingBooking).min(1),
  },
);
export const [CalendarConflictResolved, CalendarConflictResolvedV1] = detail(
  'CalendarConflictResolved',
  'A booking no longer overlaps bookings it used to overlap',
  { calendarEntryId: z.string().min(1), resolvedWith: z.array(z.object({ bookingId })).min(1) },
);
export const [CrewEventUpdated, CrewEventUpdatedV1] = detail(
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
export const [CrewEventCancelled, CrewEventCancelledV1] = detail(
  'CrewEventCancelled',
  'ShipCaptainCrew cancelled the crew event and told each crew member',
  { calendarEntryId: z.string().min(1), sccEventId: z.string().min(1) },
);
export const [GuestPageUpdated, GuestPageUpdatedV1] = detail(
  'GuestPageUpdated',
  'The guest page shows a newer revision of the booking',
  {
    url: z.url(),
    etag: z.string().min(1),
    /** What the guest sees differently; empty when the revision changed nothing on the page. */
    changes: z.array(FieldChange),
  },
);
export const [GuestPageWithdrawn, GuestPageWithdrawnV1] = detail(
  'GuestPageWithdrawn',
  'The guest page now only says that the charter was cancelled',
  { url: z.url(), etag: z.string().min(1) },
);

/** The EventBridge source of every event a service produces: `charterflow.<service>`. */
export function sourceOf(service: string): string {
  return `charterflow.${service}`;
}

/** A catalog entry: the producing service (whose declaration emits it; a test holds the two together), its source, its majors. */
const produced = <P extends string, S extends z.ZodType, V extends z.ZodType>(producer: P, schema: S, v1: V) => ({
  producer,
  source: sourceOf(producer) as `charterflow.${P}`,
  schema,
  v1,
});

export const eventCatalog = {
  BookingReceived: produced('webhook', BookingReceived, BookingReceivedV1),
  BookingModified: produced('webhook', BookingModified, BookingModifiedV1),
  BookingCancelled: produced('webhook', BookingCancelled, BookingCancelledV1),
  CalendarEntryCreated: produced('calendar', CalendarEntryCreated, CalendarEntryCreatedV1),
  CalendarEntryUpdated: produced('calendar', CalendarEntryUpdated, CalendarEntryUpdatedV1),
  CalendarEntryCancelled: produced('calendar', CalendarEntryCancelled, CalendarEntryCancelledV1),
  CalendarConflictDetected: produced('calendar', CalendarConflictDetected, CalendarConflictDetectedV1),
  CalendarConflictResolved: produced('calendar', CalendarConflictResolved, CalendarConflictResolvedV1),
  CrewEventCreated: produced('crew', CrewEventCreated, CrewEventCreatedV1),
  CrewEventUpdated: produced('crew', CrewEventUpdated, CrewEventUpdatedV1),
  CrewEventCancelled: produced('crew', CrewEventCancelled, CrewEventCancelledV1),
  CrewNotesScrubbed: produced('scrub', CrewNotesScrubbed, CrewNotesScrubbedV1),
  GuestPagePublished: produced('guest-page', GuestPagePublished, GuestPagePublishedV1),
  GuestPageUpdated: produced('guest-page', GuestPageUpdated, GuestPageUpdatedV1),
  GuestPageWithdrawn: produced('guest-page', GuestPageWithdrawn, GuestPageWithdrawnV1),
};

export type DetailType = keyof typeof eventCatalog;
export const detailTypes = Object.keys(eventCatalog) as DetailType[];
export type EventDetail<T extends DetailType> = z.infer<(typeof eventCatalog)[T]['schema']>;

export function isDetailType(value: unknown): value is DetailType {
  return typeof value === 'string' && Object.hasOwn(eventCatalog, value);
}
