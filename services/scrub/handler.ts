import { documentClient, dynamoDbClient, eventBridgeClient } from '../../shared/aws';
import { consumer } from '../../shared/consumer';
import { timeDownstreamCalls } from '../../shared/metrics';
import { Publisher } from '../../shared/publisher';
import { RevisionLedger } from '../../shared/revisions';
import { ShadowRecords } from '../../shared/shadow';
import { gatedSccTable } from './shadow';
import { recheckSchedule, scrubCrewNotes } from './crew-notes';
import { declaration } from './declaration';

const ours = documentClient(timeDownstreamCalls(dynamoDbClient()));
const revisions = new RevisionLedger(ours);
// SCC's table behind the shadow gate: our own items go through as they are.
const documents = gatedSccTable(ours, new ShadowRecords(ours));
const publisher = new Publisher(timeDownstreamCalls(eventBridgeClient()));
const rechecks = recheckSchedule(process.env.CHARTERFLOW_SCRUB_RECHECK_MS);

export const handler = consumer(declaration, async (event, { logger, context }) => {
  const until = Date.now() + context.getRemainingTimeInMillis();
  const { outcome } = await scrubCrewNotes(event, { documents, revisions, publisher, logger, rechecks, until });
  return { outcome };
});
