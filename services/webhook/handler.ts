import { documentClient, eventBridgeClient, secretsManagerClient } from '../../shared/aws';
import { createLogger } from '../../shared/logger';
import { PrivateRecords } from '../../shared/private-records';
import { Publisher } from '../../shared/publisher';
import { DEFAULT_SECRET_TTL_MS, SecretCache } from '../../shared/secrets';
import { Deliveries } from './deliveries';
import { createWebhookHandler } from './intake';

const secrets = new SecretCache(secretsManagerClient(), {
  ttlMs: Number(process.env.CHARTERFLOW_SECRET_TTL_MS ?? DEFAULT_SECRET_TTL_MS),
});

const documents = documentClient();

export const handler = createWebhookHandler(
  {
    secrets,
    deliveries: new Deliveries(documents),
    publisher: new Publisher(eventBridgeClient()),
    privateRecords: new PrivateRecords(documents),
  },
  createLogger('webhook'),
);
