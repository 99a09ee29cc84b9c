import { defineConsumer } from '../../shared/declaration';

/**
 * booking-ledger: what it consumes, emits and how failed deliveries are retried. The deploy (rule, DLQ, alarm,
 * role) and the local stack read this; add an access.ts beside it (deploy/access.ts) when the code needs
 * AWS resources beyond its own logs and the bus.
 */
export const declaration = defineConsumer({
  name: 'booking-ledger',
  description: 'booking-ledger: on BookingReceived, BookingModified, BookingCancelled, CalendarEntryCreated, CrewEventCreated, CrewNotesScrubbed, GuestPagePublished',
  consumes: ['BookingReceived', 'BookingModified', 'BookingCancelled', 'CalendarEntryCreated', 'CrewEventCreated', 'CrewNotesScrubbed', 'GuestPagePublished'],
  emits: [],
});
