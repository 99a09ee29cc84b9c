import { defineConsumer } from '../../shared/declaration';

export const declaration = defineConsumer({
  name: 'crew',
  description:
    "Keeps the crew event in ShipCaptainCrew at the calendar entry's latest revision; SCC invites and tells the crew itself",
  consumes: ['CalendarEntryCreated', 'CalendarEntryUpdated', 'CalendarEntryCancelled'],
  emits: ['CrewEventCreated', 'CrewEventUpdated', 'CrewEventCancelled'],
});
