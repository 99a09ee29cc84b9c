import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { secretNames } from '../../shared/config';
import { signedDelivery } from '../../shared/signed-delivery';
import type { LocalSecretsManager } from '../aws/secrets-manager';

/**
 * What a fresh local stack holds before anything runs: tables, the two buckets (with a sample boat photo
 * in the legacy one), the dev secrets and the bus. Every step is skipped when already there, so a persisted
 * stack keeps its data and rotated secrets across restarts.
 */

export const GUEST_SITE_BUCKET = 'queenofsandiego.com';
export const LEGACY_BUCKET = 'sailjada.com';
export const GUEST_SITE_DISTRIBUTION_ID = 'E1CHARTERFLOWLOCAL';
export const SAMPLE_PHOTO_KEY = 'assets/boats/lst_8812/hero.jpg';

// Fixed, random-looking dev values: the same on every laptop, so docs and curl lines stay valid; never used in AWS.
const devBytes = (label: string) => createHash('sha256').update(`charterflow local dev ${label}`).digest();

export const devSecrets: Record<string, string> = {
  [secretNames.webhookSecret]: `whsec_${devBytes('boatsetter webhook').toString('base64')}`,
  [secretNames.jadaDashboardToken]: `jada_dev_${devBytes('jada dashboard').toString('hex').slice(0, 32)}`,
  [secretNames.sccServiceKey]: `scc_dev_${devBytes('scc service').toString('hex').slice(0, 32)}`,
  // Raw bytes, as the deploy's generated key is: the webhook reads it so (services/webhook/intake.ts).
  [secretNames.smokeSigningKey]: `smoke_dev_${devBytes('smoke signing').toString('hex').slice(0, 48)}`,
};

const SAMPLE_BOOKING = new URL('../../samples/boatsetter/booking-confirmed.json', import.meta.url);

/**
 * The sample booking as Boatsetter delivers it: a fresh webhook-id and timestamp, signed per Standard
 * Webhooks with the dev secret. Receivers reject a timestamp older than 5 minutes: sign again, do not reuse.
 */
export function signedSample(options: { secret?: string; now?: Date; body?: string } = {}) {
  const body = options.body ?? JSON.stringify(JSON.parse(readFileSync(SAMPLE_BOOKING, 'utf8')));
  const { headers } = signedDelivery(body, options.secret ?? devSecrets[secretNames.webhookSecret]!, {
    timestamp: options.now,
  });
  return { id: headers['webhook-id']!, body, headers };
}

/**
 * An 8x8 grey baseline JPEG, built rather than checked in: one block whose only coefficient is DC 0,
 * with one-symbol Huffman tables, so the entropy-coded data is the two bits "00" padded with ones.
 */
export function samplePhotoJpeg(): Buffer {
  const segment = (marker: number, body: number[]) => [
    0xff,
    marker,
    (body.length + 2) >> 8,
    (body.length + 2) & 0xff,
    ...body,
  ];
  const sixteenCounts = (first: number) => [first, ...new Array<number>(15).fill(0)];
  return Buffer.from([
    0xff,
    0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]),
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]),
    ...segment(0xc0, [0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00]),
    ...segment(0xc4, [0x00, ...sixteenCounts(1), 0x00]),
    ...segment(0xc4, [0x10, ...sixteenCounts(1), 0x00]),
    ...segment(0xda, [0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]),
    0x3f,
    0xff,
    0xd9,
  ]);
}

export interface SeedOptions {
  endpoint: string;
  region: string;
  tables: CreateTableCommandInput[];
  secrets: LocalSecretsManager;
  /** The stage's guest-site and legacy buckets (its deploy parameters). */
  site: { guestSiteBucket: string; legacyBucket: string };
}

export async function seed(options: SeedOptions): Promise<void> {
  const clientConfig = {
    region: options.region,
    endpoint: options.endpoint,
    credentials: { accessKeyId: 'seed', secretAccessKey: 'seed' },
  };
  const dynamodb = new DynamoDBClient(clientConfig);
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  try {
    seedSecrets(options.secrets);
    await Promise.all([...options.tables.map((table) => createTable(dynamodb, table)), seedBuckets(s3, options.site)]);
  } finally {
    dynamodb.destroy();
    s3.destroy();
  }
}

async function createTable(dynamodb: DynamoDBClient, table: CreateTableCommandInput): Promise<void> {
  try {
    await dynamodb.send(new CreateTableCommand(table));
  } catch (err) {
    if ((err as Error).name !== 'ResourceInUseException') throw err;
  }
}

async function seedBuckets(s3: S3Client, site: SeedOptions['site']): Promise<void> {
  for (const bucket of [site.guestSiteBucket, site.legacyBucket]) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (err) {
      if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((err as Error).name)) throw err;
    }
  }
  try {
    await s3.send(new HeadObjectCommand({ Bucket: site.legacyBucket, Key: SAMPLE_PHOTO_KEY }));
  } catch {
    await s3.send(
      new PutObjectCommand({
        Bucket: site.legacyBucket,
        Key: SAMPLE_PHOTO_KEY,
        Body: samplePhotoJpeg(),
        ContentType: 'image/jpeg',
        CacheControl: 'public, max-age=86400',
      }),
    );
  }
}

function seedSecrets(secrets: LocalSecretsManager): void {
  for (const [name, value] of Object.entries(devSecrets)) {
    if (!secrets.has(name))
      secrets.createSecret({ Name: name, SecretString: value, Description: 'charterflow local dev value' });
  }
}
