import { defineConsumer } from '../../shared/declaration';

export const declaration = defineConsumer({
  name: 'calendar',
  description:
    "Keeps the JADA internal calendar entry at the booking's latest revision, before any crew event (crew reminders reference it), and flags double bookings",
  consumes: ['BookingReceived', 'BookingModified', 'BookingCancelled'],
  emits: [
    'CalendarEntryCreated',
    'CalendarEntryUpdated',
    'CalendarEntryCancelled',
    'CalendarConflictDetected',
    'CalendarConflictResolved',
  ],
  // Which trip holds each boat when: read by key range to find overlapping trips (./boat-schedule.ts).
  tables: [{ name: 'boat-schedule', partitionKey: 'pk', sortKey: 'sk' }],
});
