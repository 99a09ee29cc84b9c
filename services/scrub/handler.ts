import { documentClient, dynamoDbClient, eventBridgeClient } from '../../shared/aws';
import { consumer, consumerOutcomeOf } from '../../shared/consumer';
import { timeDownstreamCalls } from '../../shared/metrics';
import { Publisher } from '../../shared/publisher';
import { BookingSteps } from '../../shared/steps';
import { scrubCrewNotes } from './crew-notes';
import { declaration } from './declaration';

const documents = documentClient(timeDownstreamCalls(dynamoDbClient()));
const steps = new BookingSteps(documents);
const publisher = new Publisher(timeDownstreamCalls(eventBridgeClient()));

export const handler = consumer(declaration, async (event, { logger }) => {
  const result: unknown = await scrubCrewNotes(event, { documents, steps, publisher, logger });
  return { outcome: consumerOutcomeOf(result) };
});
