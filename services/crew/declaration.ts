import { defineConsumer } from '../../shared/declaration';

export const declaration = defineConsumer({
  name: 'crew',
  description: 'Creates the crew event in ShipCaptainCrew once the calendar entry exists; SCC invites the crew itself',
  consumes: ['CalendarEntryCreated'],
  emits: ['CrewEventCreated'],
});
