import { documentClient, dynamoDbClient, eventBridgeClient, secretsManagerClient } from '../../shared/aws';
import { consumer } from '../../shared/consumer';
import { timeDownstreamCalls } from '../../shared/metrics';
import { PrivateRecords } from '../../shared/private-records';
import { Publisher } from '../../shared/publisher';
import { RevisionLedger } from '../../shared/revisions';
import { SecretCache } from '../../shared/secrets';
import { applyToCrewEvent } from './crew-event';
import { declaration } from './declaration';
import { sccApi } from './scc-api';
import { findCrewEventByCalendarEntry } from './scc-events-table';

const documents = documentClient(timeDownstreamCalls(dynamoDbClient()));
const revisions = new RevisionLedger(documents);
const privateRecords = new PrivateRecords(documents);
const publisher = new Publisher(timeDownstreamCalls(eventBridgeClient()));
const scc = sccApi(new SecretCache(timeDownstreamCalls(secretsManagerClient())));

export const handler = consumer(declaration, async (event, { logger, context }) => {
  // The lease ends with the invocation; the downstream call leaves time to record the revision and emit.
  const until = Date.now() + context.getRemainingTimeInMillis();
  const deadline = until - 3_000;
  const { outcome } = await applyToCrewEvent(event, {
    revisions,
    publisher,
    scc,
    privateRecords,
    logger,
    deadline,
    until,
    findCrewEvent: (calendarEntryId) => findCrewEventByCalendarEntry(calendarEntryId, { documents }),
  });
  return { outcome };
});
