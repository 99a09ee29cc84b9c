import { documentClient, eventBridgeClient } from '../../shared/aws';
import { consumer } from '../../shared/consumer';
import { Publisher } from '../../shared/publisher';
import { RevisionLedger } from '../../shared/revisions';
import { scrubCrewNotes } from './crew-notes';
import { declaration } from './declaration';

const documents = documentClient();
const revisions = new RevisionLedger(documents);
const publisher = new Publisher(eventBridgeClient());

export const handler = consumer(declaration, async (event, { logger }) => {
  await scrubCrewNotes(event, { documents, revisions, publisher, logger });
});
