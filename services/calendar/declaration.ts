import { defineConsumer } from '../../shared/declaration';

export const declaration = defineConsumer({
  name: 'calendar',
  description: 'Puts a booking on the JADA internal calendar, before any crew event exists (crew reminders reference it)',
  consumes: ['BookingReceived'],
  emits: ['CalendarEntryCreated'],
});
