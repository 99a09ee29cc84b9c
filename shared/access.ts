/**
 * What a function may touch in AWS, in our words. A service states it in services/<name>/access.ts
 * (`export const access = defineAccess({...})`) next to its declaration, so a new consumer brings its own
 * permissions and nothing central changes. deploy/iam.ts turns it into that function's own IAM role; the
 * resource ARNs come from the stage's parameters there, never from the service.
 *
 * Always granted, derived rather than stated: writing the function's own log group, events:PutEvents on
 * the bus when the declaration emits anything, and full item access to the tables the declaration owns.
 */

export type DynamoAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:ConditionCheckItem';

export type S3ObjectAction = 's3:GetObject' | 's3:PutObject';

/** The secrets of shared/config.ts secretNames, by key. */
export type SecretKey = 'webhookSecret' | 'jadaDashboardToken' | 'sccServiceKey' | 'smokeSigningKey';

export interface ServiceAccess {
  /** Our bookings table (shared/tables.ts), every item but the private records. */
  bookingsTable?: readonly DynamoAction[];
  /**
   * The bookings' private records in that table (partition PRIVATE#<id>, shared/private-records.ts): the renter's
   * details and the prices. Only a role granted them here may touch those items (deploy/iam.ts).
   */
  privateRecords?: readonly DynamoAction[];
  /** ShipCaptainCrew's existing table (parameter sccTableName). */
  sccTable?: readonly DynamoAction[];
  /** Objects in the guest-site bucket, by key prefix ending in '*' (e.g. 'g/*'). */
  guestSiteObjects?: Readonly<Record<string, readonly S3ObjectAction[]>>;
  /** Listing the guest-site bucket: without it S3 answers 403 instead of 404 for a missing key. */
  guestSiteList?: boolean;
  /** Objects in the legacy (Sail JADA) bucket, by key prefix ending in '*'. */
  legacySiteObjects?: Readonly<Record<string, readonly S3ObjectAction[]>>;
  /** CreateInvalidation on the guest-site distribution (parameter guestSiteDistributionId). */
  guestSiteInvalidation?: boolean;
  /** ses:SendEmail as the guest-mail identity (parameter guestMailIdentity) and its configuration set, if any. */
  guestMail?: boolean;
  /** secretsmanager:GetSecretValue on these secrets only. */
  secrets?: readonly SecretKey[];
}

export function defineAccess(access: ServiceAccess): ServiceAccess {
  return access;
}
