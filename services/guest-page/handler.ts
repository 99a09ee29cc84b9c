import { cloudFrontClient, documentClient, eventBridgeClient, s3Client, secretsManagerClient } from '../../shared/aws';
import { secretNames } from '../../shared/config';
import { consumer } from '../../shared/consumer';
import { Publisher } from '../../shared/publisher';
import { SecretCache } from '../../shared/secrets';
import { BookingSteps } from '../../shared/steps';
import { declaration } from './declaration';
import { publishGuestPageFor } from './guest-page';
import { parseGuestSiteConfig } from './publish';

const documents = documentClient();
const steps = new BookingSteps(documents);
const publisher = new Publisher(eventBridgeClient());
const s3 = s3Client();
const cloudFront = cloudFrontClient();
const secrets = new SecretCache(secretsManagerClient());
const site = async () => parseGuestSiteConfig(await secrets.getJson(secretNames.guestSite));

export const handler = consumer(declaration, async (event, { logger }) => {
  await publishGuestPageFor(event, { s3, cloudFront, documents, steps, publisher, site, logger });
});
