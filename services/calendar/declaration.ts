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
  // Which trip holds each boat when, an item per day: writing a trip returns those it may overlap (./boat-schedule.ts).
  tables: [{ name: 'boat-schedule', partitionKey: 'pk', sortKey: 'sk' }],
});
