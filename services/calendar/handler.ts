import { documentClient, dynamoDbClient, eventBridgeClient, secretsManagerClient } from '../../shared/aws';
import { consumer, consumerOutcomeOf } from '../../shared/consumer';
import { timeDownstreamCalls } from '../../shared/metrics';
import { Publisher } from '../../shared/publisher';
import { SecretCache } from '../../shared/secrets';
import { BookingSteps } from '../../shared/steps';
import { createCalendarEntry } from './calendar-entry';
import { declaration } from './declaration';
import { jadaCalendarApi } from './jada-calendar-api';

const steps = new BookingSteps(documentClient(timeDownstreamCalls(dynamoDbClient())));
const publisher = new Publisher(timeDownstreamCalls(eventBridgeClient()));
const jada = jadaCalendarApi(new SecretCache(timeDownstreamCalls(secretsManagerClient())));

export const handler = consumer(declaration, async (event, { logger, context }) => {
  // Leave time to record the step and emit the next event after the downstream call.
  const deadline = Date.now() + context.getRemainingTimeInMillis() - 3_000;
  return { outcome: consumerOutcomeOf(await createCalendarEntry(event, { steps, publisher, jada, logger, deadline })) };
});
