import { documentClient, dynamoDbClient, eventBridgeClient, secretsManagerClient } from '../../shared/aws';
import { consumer } from '../../shared/consumer';
import { timeDownstreamCalls } from '../../shared/metrics';
import { Publisher } from '../../shared/publisher';
import { RevisionLedger } from '../../shared/revisions';
import { SecretCache } from '../../shared/secrets';
import { applyToCrewEvent } from './crew-event';
import { declaration } from './declaration';
import { sccApi } from './scc-api';

const revisions = new RevisionLedger(documentClient(timeDownstreamCalls(dynamoDbClient())));
const publisher = new Publisher(timeDownstreamCalls(eventBridgeClient()));
const scc = sccApi(new SecretCache(timeDownstreamCalls(secretsManagerClient())));

export const handler = consumer(declaration, async (event, { logger, context }) => {
  // Leave time to record the revision and emit the next event after the downstream call.
  const deadline = Date.now() + context.getRemainingTimeInMillis() - 3_000;
  const { outcome } = await applyToCrewEvent(event, { revisions, publisher, scc, logger, deadline });
  return { outcome };
});
