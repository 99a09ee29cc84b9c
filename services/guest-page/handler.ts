import { cloudFrontClient, documentClient, dynamoDbClient, eventBridgeClient, s3Client } from '../../shared/aws';
import { consumer } from '../../shared/consumer';
import { addBookingToPageLatency, timeDownstreamCalls } from '../../shared/metrics';
import { Publisher } from '../../shared/publisher';
import { RevisionLedger } from '../../shared/revisions';
import { ShadowRecords } from '../../shared/shadow';
import { declaration } from './declaration';
import { applyToGuestPage } from './guest-page';
import { guestSiteFromEnvironment, PhotosInStep } from './publish';
import { gatedGuestSite, gatedInvalidations } from './shadow';

const documents = documentClient(timeDownstreamCalls(dynamoDbClient()));
const revisions = new RevisionLedger(documents);
const publisher = new Publisher(timeDownstreamCalls(eventBridgeClient()));
// Behind the shadow gate (a shadow stage, a synthetic booking): no public page, no invalidation.
const shadow = new ShadowRecords(documents);
const s3 = gatedGuestSite(timeDownstreamCalls(s3Client()), shadow);
const cloudFront = gatedInvalidations(timeDownstreamCalls(cloudFrontClient()), shadow);
// Read per event, as the other settings are, so a test or the local stack may point it elsewhere.
const site = () => Promise.resolve(guestSiteFromEnvironment());
// Kept for the execution environment's life, as the clients are: a boat's next booking asks only the legacy photo.
const photosInStep = new PhotosInStep();

export const handler = consumer(declaration, async (event, { logger, metrics, context }) => {
  // The lease on the booking ends with this invocation.
  const until = Date.now() + context.getRemainingTimeInMillis();
  const { outcome } = await applyToGuestPage(event, {
    s3,
    cloudFront,
    revisions,
    publisher,
    site,
    logger,
    until,
    photosInStep,
  });
  // This consumer sees the end of the chain: once per booking revision, when the page followed it now.
  if (outcome === 'acted') addBookingToPageLatency(metrics, event.detail.metadata);
  return { outcome };
});
