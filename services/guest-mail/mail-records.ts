import { QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { BookingSnapshot, FieldChange } from '../../shared/contract/events';
import { bookingsTable } from '../../shared/config';
import { isConditionFailure } from '../../shared/errors';
import { bookingKey } from '../../shared/tables';
import type { MailKind } from './mails';

/**
 * One durable record per booking, revision and kind of mail, in our bookings table:
 *   pk BOOKING#<id>  sk MAIL#<kind>#r<n>
 * and one per booking that orders the decisions: sk MAIL#order, a version every decision moves on.
 * It is what keeps a redelivery, a retry or an archive replay (weeks later) from mailing the renter twice, and
 * two mails of one booking from crossing.
 *
 * Record, then act: the decision (which mail, the booking snapshot and changes it is written from, its key) is
 * written before SES is called, as a claim ('sending') that ends with the invocation that took it (`until`, the
 * Lambda deadline), and settled after: sent, refused (SES will not take the address: never retried) or skipped
 * (nothing to mail, and why). A cancellation that comes before any confirmation is recorded 'waiting' and goes
 * out right after the confirmation. Whoever meets a claim that has ended finishes that recorded decision.
 * Every decision is written together with the booking's version, conditionally on the version it read, so two
 * decisions of one booking never cross (a cancellation can no longer be dropped while the confirmation is sent).
 * No record holds the renter's address or note: only the snapshot the bus carried (first name, trip, boat).
 */

export type MailState = 'waiting' | 'sending' | 'sent' | 'refused' | 'skipped';

/** What a mail is written from, as the event carried it: kept until the mail is settled. */
export interface RecordedRequest {
  booking: BookingSnapshot;
  changes?: readonly FieldChange[];
}

export interface MailRecord {
  bookingId: string;
  kind: MailKind;
  revision: number;
  state: MailState;
  at: string;
  /** The deterministic key of this mail (also an SES tag on it): `<bookingId>-r<n>-<kind>`. */
  mailKey?: string;
  /** sha256 of the mail as rendered when claimed (the mail itself holds the renter's note: not kept). */
  contentSha256?: string;
  /** While 'waiting' or 'sending': what to write the mail from, so any later run can finish the decision. */
  request?: RecordedRequest;
  claimId?: string;
  /** While 'sending': epoch ms at which the claiming invocation ends (its Lambda deadline). */
  until?: number;
  /** While 'sending': the claiming invocation's request id, the same across Lambda's retries of it. */
  requestId?: string;
  messageId?: string;
  /** Why nothing was mailed ('skipped'). */
  reason?: string;
  /** What SES answered ('refused'), the address taken out of its message. */
  refusal?: { code: string; message: string };
}

export interface MailKey {
  bookingId: string;
  kind: MailKind;
  revision: number;
}

/** A booking's mail records, and the version of its decisions they were read at. */
export interface BookingMails {
  records: MailRecord[];
  version: number;
}

/** How a claim written before `until` existed ends: the lease it had then (over the 29 s function timeout). */
export const LEGACY_CLAIM_LEASE_MS = 60_000;

/** The decision a run writes: claim and send, record why not, or wait for the confirmation. */
export type MailWrite =
  | {
      state: 'sending';
      claimId: string;
      until: number;
      requestId: string;
      contentSha256: string;
      request: RecordedRequest;
    }
  | { state: 'skipped'; reason: string }
  | { state: 'waiting'; request: RecordedRequest };

const MAIL_PREFIX = 'MAIL#';
const ORDER_SK = `${MAIL_PREFIX}order`;
const sortKey = (key: MailKey) => `${MAIL_PREFIX}${key.kind}#r${key.revision}`;
const itemKey = (key: MailKey) => ({ pk: bookingKey(key.bookingId), sk: sortKey(key) });

export const mailKeyOf = (key: MailKey) => `${key.bookingId}-r${key.revision}-${key.kind}`;
export const keyOf = (record: Pick<MailRecord, 'bookingId' | 'kind' | 'revision'>): MailKey => ({
  bookingId: record.bookingId,
  kind: record.kind,
  revision: record.revision,
});

export class MailRecords {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly table = bookingsTable(),
  ) {}

  /** Every mail record of a booking, any kind and revision, and the version of its decisions: one query. */
  async read(bookingId: string): Promise<BookingMails> {
    const records: MailRecord[] = [];
    let version = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :mail)',
          ExpressionAttributeValues: { ':pk': bookingKey(bookingId), ':mail': MAIL_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const { pk: _pk, sk, ...record } of page.Items ?? []) {
        if (sk === ORDER_SK) version = Number(record.version ?? 0);
        else records.push(record as MailRecord);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return { records, version };
  }

  /** Every mail record of a booking, any kind and revision. */
  async of(bookingId: string): Promise<MailRecord[]> {
    return (await this.read(bookingId)).records;
  }

  /**
   * Writes a decision about one mail, if the booking's decisions are still at `version` and the mail's record
   * is still `prior` (absent, a waiting one, or a claim that ended). False when another run decided first:
   * read again and decide again.
   */
  async decide(key: MailKey, version: number, prior: MailRecord | undefined, write: MailWrite): Promise<boolean> {
    const priorCondition = !prior
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : prior.claimId
        ? {
            ConditionExpression: '#state = :priorState AND claimId = :priorClaim',
            ExpressionAttributeValues: { ':priorState': prior.state, ':priorClaim': prior.claimId },
          }
        : { ConditionExpression: '#state = :priorState', ExpressionAttributeValues: { ':priorState': prior.state } };
    const item = {
      ...itemKey(key),
      ...key,
      mailKey: mailKeyOf(key),
      at: new Date().toISOString(),
      ...write,
    };
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: { pk: bookingKey(key.bookingId), sk: ORDER_SK },
                UpdateExpression: 'SET version = :next',
                ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
                ExpressionAttributeValues: { ':next': version + 1, ...(version === 0 ? {} : { ':version': version }) },
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: item,
                ExpressionAttributeNames: prior ? { '#state': 'state' } : undefined,
                ...priorCondition,
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isLostRace(error)) return false;
      throw error;
    }
  }

  /** Settles this run's claim as sent or refused; the recorded request goes (it was only there to finish the mail). */
  async settle(
    key: MailKey,
    claimId: string,
    outcome: Pick<MailRecord, 'state' | 'messageId' | 'refusal' | 'reason'>,
  ): Promise<void> {
    const fields = Object.entries(outcome).filter(([, value]) => value !== undefined);
    await this.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: itemKey(key),
        UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(', ')}, #at = :at REMOVE claimId, #until, requestId, #request`,
        ConditionExpression: 'claimId = :claim',
        ExpressionAttributeNames: {
          '#at': 'at',
          '#until': 'until',
          '#request': 'request',
          ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
        },
        ExpressionAttributeValues: {
          ':claim': claimId,
          ':at': new Date().toISOString(),
          ...Object.fromEntries(fields.map(([, value], i) => [`:f${i}`, value])),
        },
      }),
    );
  }

  /**
   * Ends this run's claim now, after a failure SES may not repeat (throttling, 5xx): the decision stays
   * recorded, and the retry (or any run of the booking) finishes it without waiting for the deadline.
   */
  async endClaim(key: MailKey, claimId: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: itemKey(key),
          UpdateExpression: 'SET #until = :now',
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':claim': claimId, ':now': Date.now() },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/** Another run wrote first: a refused condition or DynamoDB's own conflict between two transactions. */
function isLostRace(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  return codes.every((code) => code === 'None' || code === 'ConditionalCheckFailed' || code === 'TransactionConflict');
}

/** When a claim ends: its invocation's deadline, or for a claim written before deadlines were kept, its old lease. */
export const claimEndsAt = (record: MailRecord) => record.until ?? Date.parse(record.at) + LEGACY_CLAIM_LEASE_MS;

/** The mails SES refused for a booking (an address it will not take): what `charterflow status` shows. */
export async function refusedMailsOf(documents: DynamoDBDocumentClient, bookingId: string): Promise<MailRecord[]> {
  return (await new MailRecords(documents).of(bookingId)).filter((record) => record.state === 'refused');
}
