import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { bookingsTable } from './config';

/**
 * Our own table: every durable fact charterflow keeps about a booking, one item per fact.
 *   pk BOOKING#<id>          sk BOOKING           the correlation id (first webhook id), the revisions arrived
 *   pk BOOKING#<id>          sk REVISION#<n>      a revision claimed or emitted, with its webhook id (dedupe)
 *   pk BOOKING#<id>          sk STATE#<consumer>  the revision a consumer applied and what its system holds (scrub's:
 *                                                the revenue lines its revisions removed from the crew notes)
 *   pk BOOKING#<id>          sk SCRUB#<scc-id>#<h> revenue lines a re-check removed after SCC wrote the notes back
 *                                                (h: hash of the notes read)
 *   pk BOOKING#<id>          sk MAIL#<kind>#r<n>   a mail to the renter, claimed and settled (no address)
 *   pk BOOKING#<id>          sk MAIL#order         the version of the booking's mail decisions (they never cross)
 *   pk PRIVATE#<id>          sk REVISION#<n>       the booking's private record: what the bus must not carry
 *   pk PRIVATE#<id>          sk FORGOTTEN          `charterflow forget` erased the private records
 * The private records have a partition key of their own because IAM can only tell items apart by partition key
 * (dynamodb:LeadingKeys): deploy/iam.ts keeps every role off PRIVATE# but those access.ts grants it to.
 * `expiresAt` (epoch seconds) is the TTL attribute, set only on records meant to expire.
 */
export function bookingsTableDefinition(): CreateTableCommandInput {
  return {
    TableName: bookingsTable(),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  };
}

export const BOOKINGS_TTL_ATTRIBUTE = 'expiresAt';

export const bookingKey = (bookingId: string) => `BOOKING#${bookingId}`;

export const consumerStateKey = (consumer: string) => `STATE#${consumer}`;

/** The partition of a booking's private records (shared/private-records.ts). */
export const PRIVATE_PARTITION_PREFIX = 'PRIVATE#';
export const privateRecordKey = (bookingId: string) => `${PRIVATE_PARTITION_PREFIX}${bookingId}`;
export const PRIVATE_REVISION_PREFIX = 'REVISION#';
export const PRIVATE_FORGOTTEN = 'FORGOTTEN';
