import { documentClient, dynamoDbClient, eventBridgeClient } from '../../shared/aws';
import { consumer } from '../../shared/consumer';
import { timeDownstreamCalls } from '../../shared/metrics';
import { Publisher } from '../../shared/publisher';
import { RevisionLedger } from '../../shared/revisions';
import { recheckSchedule, scrubCrewNotes } from './crew-notes';
import { declaration } from './declaration';

const documents = documentClient(timeDownstreamCalls(dynamoDbClient()));
const revisions = new RevisionLedger(documents);
const publisher = new Publisher(timeDownstreamCalls(eventBridgeClient()));
const rechecks = recheckSchedule(process.env.CHARTERFLOW_SCRUB_RECHECK_MS);

export const handler = consumer(declaration, async (event, { logger, context }) => {
  const until = Date.now() + context.getRemainingTimeInMillis();
  const { outcome } = await scrubCrewNotes(event, { documents, revisions, publisher, logger, rechecks, until });
  return { outcome };
});
