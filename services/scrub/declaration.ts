import { defineConsumer } from '../../shared/declaration';

export const declaration = defineConsumer({
  name: 'scrub',
  description: "Removes the operator's revenue lines from the crew event's notes in SCC, keeping them in our store",
  consumes: ['CrewEventCreated', 'CrewEventUpdated'],
  emits: ['CrewNotesScrubbed'],
});
