import { cloudFrontClient, documentClient, eventBridgeClient, s3Client, secretsManagerClient } from '../../shared/aws';
import { secretNames } from '../../shared/config';
import { consumer } from '../../shared/consumer';
import { Publisher } from '../../shared/publisher';
import { RevisionLedger } from '../../shared/revisions';
import { SecretCache } from '../../shared/secrets';
import { declaration } from './declaration';
import { applyToGuestPage } from './guest-page';
import { parseGuestSiteConfig } from './publish';

const revisions = new RevisionLedger(documentClient());
const publisher = new Publisher(eventBridgeClient());
const s3 = s3Client();
const cloudFront = cloudFrontClient();
const secrets = new SecretCache(secretsManagerClient());
const site = async () => parseGuestSiteConfig(await secrets.getJson(secretNames.guestSite));

export const handler = consumer(declaration, async (event, { logger }) => {
  await applyToGuestPage(event, { s3, cloudFront, revisions, publisher, site, logger });
});
