import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ledgerTableName } from '../../services/booking-ledger/ledger';
import { bookingsTable } from '../../shared/config';
import { bookingKey } from '../../shared/tables';

/**
 * Whether the stage ever saw a booking: the webhook's record of it, any consumer's, or a ledger line. A typo
 * of a booking id finds none of them, and the operator's commands refuse it rather than answer for it.
 */
export async function bookingSeen(documents: DynamoDBDocumentClient, bookingId: string): Promise<boolean> {
  for (const table of [bookingsTable(), ledgerTableName()]) {
    try {
      const { Items = [] } = await documents.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': bookingKey(bookingId) },
          ProjectionExpression: 'pk',
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      if (Items.length > 0) return true;
    } catch (error) {
      // A stage without the ledger (consumers picked for a test) has only the bookings table to ask.
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
  }
  return false;
}

/** What the operator's commands say of an id never seen. */
export const neverSeen = (bookingId: string, command: string) =>
  `booking ${bookingId} was never seen on this stage (not in the bookings table or the ledger); run npx charterflow status without an id to list recent ones, or ${command} --force`;
