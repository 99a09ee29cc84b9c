import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { bookingsTable } from './config';

/**
 * Our own table: every durable fact charterflow keeps about a booking, one item per fact.
 *   pk WEBHOOK#<webhook-id>  sk DELIVERY          a webhook delivery already accepted (dedupe)
 *   pk BOOKING#<id>          sk BOOKING           the correlation id (first webhook id), the latest revision emitted
 *   pk BOOKING#<id>          sk REVISION#<n>      a revision already emitted (dedupe across webhook ids)
 *   pk BOOKING#<id>          sk STATE#<consumer>  the revision a consumer applied and what its system holds
 *   pk BOOKING#<id>          sk SCRUB#<scc-id>#<h> revenue lines removed from crew notes (h: hash of the notes read)
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
