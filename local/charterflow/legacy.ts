import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { documentClient } from '../../shared/aws';
import type { BoatsetterWebhookPayload } from '../../shared/contract/boatsetter';
import { SecretCache } from '../../shared/secrets';
import { seedLegacyBookings, type LegacyRecord, type LegacyTarget } from '../../cli/seed-legacy';
import type { LocalStack } from './stack';

export type { LegacyRecord };
export { upcomingBooking } from '../../cli/seed-legacy';

/**
 * The day of the switch for tests and the demo: the running stack's JADA and SCC stand-ins seeded with these
 * bookings' records as the hand-made Lambdas made them (cli/seed-legacy.ts says how), before charterflow has
 * seen any of them.
 */
export async function seedLegacy(
  stack: Pick<LocalStack, 'env' | 'endpoints'>,
  bookings: readonly BoatsetterWebhookPayload[],
): Promise<LegacyRecord[]> {
  const target = legacyTargetOf(stack);
  try {
    return await seedLegacyBookings(bookings, target);
  } finally {
    target.documents.destroy();
  }
}

function legacyTargetOf(stack: Pick<LocalStack, 'env' | 'endpoints'>): LegacyTarget {
  const jadaUrl = stack.endpoints.standIns['jada-calendar'];
  const sccUrl = stack.endpoints.standIns.scc;
  if (!jadaUrl || !sccUrl) throw new Error('seedLegacy needs the stack started with its JADA and SCC stand-ins');
  const config = {
    endpoint: stack.env.AWS_ENDPOINT_URL,
    region: stack.env.AWS_REGION,
    credentials: { accessKeyId: stack.env.AWS_ACCESS_KEY_ID!, secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY! },
  };
  return {
    jadaUrl,
    sccUrl,
    secrets: new SecretCache(new SecretsManagerClient(config)),
    documents: documentClient(new DynamoDBClient(config)),
  };
}
