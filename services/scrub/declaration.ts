import { defineConsumer } from '../../shared/declaration';

export const declaration = defineConsumer({
  name: 'scrub',
  description: "Removes the operator's revenue lines from the crew event's notes in SCC, keeping them in our store",
  // Every write to an SCC event, a cancellation's included: SCC's cancel writes back the notes it read before.
  consumes: ['CrewEventCreated', 'CrewEventUpdated', 'CrewEventCancelled'],
  emits: ['CrewNotesScrubbed'],
});
