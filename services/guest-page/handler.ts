import { cloudFrontClient, documentClient, dynamoDbClient, eventBridgeClient, s3Client, secretsManagerClient } from '../../shared/aws';
import { secretNames } from '../../shared/config';
import { consumer, consumerOutcomeOf } from '../../shared/consumer';
import { addBookingToPageLatency, timeDownstreamCalls } from '../../shared/metrics';
import { Publisher } from '../../shared/publisher';
import { SecretCache } from '../../shared/secrets';
import { BookingSteps } from '../../shared/steps';
import { declaration } from './declaration';
import { publishGuestPageFor } from './guest-page';
import { parseGuestSiteConfig } from './publish';

const documents = documentClient(timeDownstreamCalls(dynamoDbClient()));
const steps = new BookingSteps(documents);
const publisher = new Publisher(timeDownstreamCalls(eventBridgeClient()));
const s3 = timeDownstreamCalls(s3Client());
const cloudFront = timeDownstreamCalls(cloudFrontClient());
const secrets = new SecretCache(timeDownstreamCalls(secretsManagerClient()));
const site = async () => parseGuestSiteConfig(await secrets.getJson(secretNames.guestSite));

export const handler = consumer(declaration, async (event, { logger, metrics }) => {
  const result: unknown = await publishGuestPageFor(event, { s3, cloudFront, documents, steps, publisher, site, logger });
  const outcome = consumerOutcomeOf(result);
  // This consumer sees the end of the chain: once per booking revision, when the page went live now.
  if ((result as { outcome?: string } | undefined)?.outcome === 'acted') addBookingToPageLatency(metrics, event.detail.metadata);
  return { outcome };
});
