import { documentClient, dynamoDbClient, eventBridgeClient } from '../../shared/aws';
import { consumer } from '../../shared/consumer';
import { timeDownstreamCalls } from '../../shared/metrics';
import { Publisher } from '../../shared/publisher';
import { RevisionLedger } from '../../shared/revisions';
import { scrubCrewNotes } from './crew-notes';
import { declaration } from './declaration';

const documents = documentClient(timeDownstreamCalls(dynamoDbClient()));
const revisions = new RevisionLedger(documents);
const publisher = new Publisher(timeDownstreamCalls(eventBridgeClient()));

export const handler = consumer(declaration, async (event, { logger }) => {
  const { outcome } = await scrubCrewNotes(event, { documents, revisions, publisher, logger });
  return { outcome };
});
