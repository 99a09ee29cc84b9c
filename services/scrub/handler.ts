import { documentClient, eventBridgeClient } from '../../shared/aws';
import { consumer } from '../../shared/consumer';
import { Publisher } from '../../shared/publisher';
import { BookingSteps } from '../../shared/steps';
import { scrubCrewNotes } from './crew-notes';
import { declaration } from './declaration';

const documents = documentClient();
const steps = new BookingSteps(documents);
const publisher = new Publisher(eventBridgeClient());

export const handler = consumer(declaration, async (event, { logger }) => {
  await scrubCrewNotes(event, { documents, steps, publisher, logger });
});
