import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { BookingDetails } from './contract/booking-details';
import { BookingDetails as bookingDetailsContract } from './contract-validators.generated';
import { parseOrThrow } from './contract/validate';
import { bookingsTable } from './config';
import { isConditionFailure } from './errors';
import { privateRecordKey, PRIVATE_FORGOTTEN, PRIVATE_REVISION_PREFIX } from './tables';

/**
 * The booking's private record (a claim check): what the bus must not carry (shared/contract/booking-details.ts),
 * one item per booking and revision, in our bookings table under its own partition key (layout in
 * shared/tables.ts), so IAM can give it to the webhook (write) and to crew and guest-mail (read) only. The
 * events carry the key (booking id and revision); a replay of revision 2 reads revision 2's prices.
 * `charterflow forget` deletes every revision and leaves a marker, so a consumer can tell "forgotten" (skip) from
 * "never written" (an error).
 */

export type DetailsLookup = { found: true; details: BookingDetails } | { found: false; forgotten: true };

/**
 * The private record a consumer needs is not there, and the booking was not forgotten: retried, then
 * dead-lettered. The webhook writes it before the event goes out, so this is a booking received before contract
 * major 2 whose event a consumer re-stated in major 2 (its major-1 events still carry the details), or a record
 * removed by hand.
 */
export class PrivateRecordMissing extends Error {
  override readonly name = 'PrivateRecordMissing';
  constructor(bookingId: string, revision: number, options?: ErrorOptions) {
    super(
      `booking ${bookingId}: no private record for revision ${revision}, and the booking was not forgotten ` +
        '(the webhook writes one before each event of contract major 2; a booking received before has none)',
      options,
    );
  }
}

/** The log line of a consumer that needs the renter's details of a forgotten booking. */
export const FORGOTTEN_SKIP = 'personal data forgotten; skipped';

export interface ForgetResult {
  /** Revisions whose private record was deleted. */
  revisions: number[];
  /** Whether a marker was already there (a second forget). */
  alreadyForgotten: boolean;
}

export class PrivateRecords {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly table = bookingsTable(),
  ) {}

  /** Keeps the first record of a revision: Boatsetter never changes a revision, so a second write has nothing new. */
  async write(bookingId: string, revision: number, details: BookingDetails): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          // As JSON text: the amounts come back exactly as Boatsetter sent them, whatever DynamoDB's number rules.
          Item: {
            ...itemKey(bookingId, revision),
            bookingId,
            revision,
            details: JSON.stringify(details),
            writtenAt: new Date().toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async read(bookingId: string, revision: number): Promise<BookingDetails | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.table, Key: itemKey(bookingId, revision), ConsistentRead: true }),
    );
    return Item ? detailsOf(Item, bookingId) : undefined;
  }

  async isForgotten(bookingId: string): Promise<boolean> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: privateRecordKey(bookingId), sk: PRIVATE_FORGOTTEN },
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  /**
   * The details for one revision of a booking: from its private record, or from the event itself when it was
   * written in contract major 1 (`carried`), unless the booking was forgotten since (then nothing, whatever the
   * archive still holds). No record and no marker is an error: the webhook writes the record before it publishes.
   */
  async detailsFor(bookingId: string, revision: number, carried?: BookingDetails): Promise<DetailsLookup> {
    if (carried) {
      return (await this.isForgotten(bookingId))
        ? { found: false, forgotten: true }
        : { found: true, details: carried };
    }
    const details = await this.read(bookingId, revision);
    if (details) return { found: true, details };
    if (await this.isForgotten(bookingId)) return { found: false, forgotten: true };
    throw new PrivateRecordMissing(bookingId, revision);
  }

  /** Every revision's private record of the booking, as stored. */
  async allOf(bookingId: string): Promise<{ revision: number; details: BookingDetails }[]> {
    const records: { revision: number; details: BookingDetails }[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :revision)',
          ExpressionAttributeValues: { ':pk': privateRecordKey(bookingId), ':revision': PRIVATE_REVISION_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? [])
        records.push({ revision: item.revision as number, details: detailsOf(item, bookingId) });
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return records;
  }

  /** The marker first, then the records: a consumer that reads between the two already skips. */
  async forget(bookingId: string, now = new Date()): Promise<ForgetResult> {
    let alreadyForgotten = false;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: privateRecordKey(bookingId), sk: PRIVATE_FORGOTTEN, bookingId, forgottenAt: now.toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      alreadyForgotten = true;
    }
    const records = await this.allOf(bookingId);
    for (const { revision } of records) {
      await this.documents.send(new DeleteCommand({ TableName: this.table, Key: itemKey(bookingId, revision) }));
    }
    return { revisions: records.map((r) => r.revision).sort((a, b) => a - b), alreadyForgotten };
  }
}

const detailsOf = (item: Record<string, unknown>, bookingId: string): BookingDetails =>
  parseOrThrow(
    bookingDetailsContract(),
    JSON.parse(String(item.details)),
    `private record of booking ${bookingId} r${String(item.revision)}`,
  );

const itemKey = (bookingId: string, revision: number) => ({
  pk: privateRecordKey(bookingId),
  sk: `${PRIVATE_REVISION_PREFIX}${revision}`,
});
