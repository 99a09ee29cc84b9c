import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { bookingsTable } from '../../shared/config';
import { bookingKey } from '../../shared/tables';
import type { MailKind } from './mails';
import { isConditionFailure } from '../../shared/errors';

/**
 * One durable record per booking, revision and kind of mail, in our bookings table:
 *   pk BOOKING#<id>  sk MAIL#<kind>#r<n>
 * It is what keeps a redelivery, a retry or an archive replay (weeks later) from mailing the renter twice.
 * A send is claimed before SES is called and the claim is settled after: sent, refused (SES will not take the
 * address: never retried) or skipped (nothing to mail, and why). A claim still 'sending' after CLAIM_LEASE_MS
 * belongs to an invocation that died mid-send, and the next delivery may take it over.
 * No record holds the renter's address.
 */

export type MailState = 'sending' | 'sent' | 'refused' | 'skipped';

export interface MailRecord {
  bookingId: string;
  kind: MailKind;
  revision: number;
  state: MailState;
  at: string;
  claimId?: string;
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

/** Longer than the function's timeout (29 s in serverless.yml): a claim this old has no live sender. */
export const CLAIM_LEASE_MS = 60_000;

const MAIL_PREFIX = 'MAIL#';
const sortKey = (key: MailKey) => `${MAIL_PREFIX}${key.kind}#r${key.revision}`;
const itemKey = (key: MailKey) => ({ pk: bookingKey(key.bookingId), sk: sortKey(key) });

export class MailRecords {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly table = bookingsTable(),
  ) {}

  /** Every mail record of a booking, any kind and revision. */
  async of(bookingId: string): Promise<MailRecord[]> {
    const records: MailRecord[] = [];
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
      for (const { pk: _pk, sk: _sk, ...record } of page.Items ?? []) records.push(record as MailRecord);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return records;
  }

  /**
   * Claims the send: a claim id when this run may call SES; nothing when another run holds a live claim or
   * the mail is settled already. A claim older than the lease is taken over.
   */
  async claim(key: MailKey, now = Date.now()): Promise<string | undefined> {
    const claimId = randomUUID();
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...itemKey(key), ...key, state: 'sending', at: new Date(now).toISOString(), claimId },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :sending AND #at < :stale)',
          ExpressionAttributeNames: { '#state': 'state', '#at': 'at' },
          ExpressionAttributeValues: { ':sending': 'sending', ':stale': new Date(now - CLAIM_LEASE_MS).toISOString() },
        }),
      );
      return claimId;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Settles this run's claim as sent or refused. */
  async settle(
    key: MailKey,
    claimId: string,
    outcome: Pick<MailRecord, 'state' | 'messageId' | 'refusal'>,
  ): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...itemKey(key), ...key, ...outcome, at: new Date().toISOString() },
        ConditionExpression: 'claimId = :claim',
        ExpressionAttributeValues: { ':claim': claimId },
      }),
    );
  }

  /** Gives the claim up after a failure SES may not repeat (throttling, 5xx), so the retry can send. */
  async release(key: MailKey, claimId: string): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.table,
          Key: itemKey(key),
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeValues: { ':claim': claimId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Records that there was nothing to mail, unless the mail is recorded already. */
  async skip(key: MailKey, reason: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: itemKey(key),
          UpdateExpression:
            'SET bookingId = :id, kind = :kind, revision = :revision, #state = :skipped, #at = :at, reason = :reason',
          ConditionExpression: 'attribute_not_exists(pk)',
          ExpressionAttributeNames: { '#state': 'state', '#at': 'at' },
          ExpressionAttributeValues: {
            ':id': key.bookingId,
            ':kind': key.kind,
            ':revision': key.revision,
            ':skipped': 'skipped',
            ':at': new Date().toISOString(),
            ':reason': reason,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/** The mails SES refused for a booking (an address it will not take): what `charterflow status` shows. */
export async function refusedMailsOf(documents: DynamoDBDocumentClient, bookingId: string): Promise<MailRecord[]> {
  return (await new MailRecords(documents).of(bookingId)).filter((record) => record.state === 'refused');
}
