import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { bookingsTable } from '../../shared/config';
import { isConditionFailure } from '../../shared/errors';
import { bookingKey } from '../../shared/tables';
import type { BookingEventType } from './booking';

/**
 * Which webhook deliveries and booking revisions were already accepted, in our bookings table
 * (layout in shared/tables.ts). Conditional writes in our own table rather than Powertools idempotency:
 * a delivery is a duplicate by two keys (its webhook-id, or its booking id + revision under a new webhook-id),
 * a duplicate must be answered with the original event id, and these records must outlive Powertools'
 * expiring records because Boatsetter may resend a revision days later.
 *
 * The race of concurrent deliveries of one revision: each tries to claim REVISION#<n> with a conditional put
 * in state "in-progress"; exactly one wins and publishes. A loser polls the claim until the winner marks it
 * "emitted" (then answers 202 with the winner's event id) or releases it after a failed PutEvents (then the
 * loser claims it itself). A claim ends with the invocation that took it (`until`, from Lambda's remaining time):
 * past it, its owner is dead and the claim may be taken over at once, by Boatsetter's next retry. If that owner
 * had already published, the second event carries the same idempotencyKey, which consumers deduplicate on.
 * Without `until` (a caller outside Lambda, or a claim written before claims had an end), `staleClaimMs` after
 * the claim, 60 s, over the function's 29 s timeout in serverless.yml.
 */

export interface RevisionKey {
  bookingId: string;
  revision: number;
  detailType: BookingEventType;
}

export interface AcceptedDelivery extends RevisionKey {
  eventId: string;
  /** The webhook-id of the delivery whose event went out. */
  webhookId: string;
  /** When that event went out (ISO 8601); unknown for a delivery recorded before this was kept. */
  acceptedAt?: string;
}

export type Claim =
  | { kind: 'claimed'; token: string }
  | { kind: 'accepted'; delivery: AcceptedDelivery }
  /** The revision was accepted with another type (e.g. revision 2 as modified, then as cancelled). */
  | { kind: 'conflict'; acceptedAs: BookingEventType }
  /** Another delivery of this revision is still publishing after `waitMs`. */
  | { kind: 'busy' };

export interface DeliveriesOptions {
  table?: string;
  staleClaimMs?: number;
  pollMs?: number;
  waitMs?: number;
}

const webhookItemKey = (webhookId: string) => ({ pk: `WEBHOOK#${webhookId}`, sk: 'DELIVERY' });
const revisionItemKey = (key: Pick<RevisionKey, 'bookingId' | 'revision'>) => ({
  pk: bookingKey(key.bookingId),
  sk: `REVISION#${key.revision}`,
});

export class Deliveries {
  private readonly table: string;
  private readonly staleClaimMs: number;
  private readonly pollMs: number;
  private readonly waitMs: number;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    opts: DeliveriesOptions = {},
  ) {
    this.table = opts.table ?? bookingsTable();
    this.staleClaimMs = opts.staleClaimMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 50;
    this.waitMs = opts.waitMs ?? 5_000;
  }

  async findByWebhookId(webhookId: string): Promise<AcceptedDelivery | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.table, Key: webhookItemKey(webhookId), ConsistentRead: true }),
    );
    return Item ? toAccepted(Item) : undefined;
  }

  async claimRevision(key: RevisionKey, webhookId: string, until?: number): Promise<Claim> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const token = randomUUID();
      const now = Date.now();
      const claimUntil = until ?? now + this.staleClaimMs;
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...revisionItemKey(key),
              ...key,
              state: 'in-progress',
              claimToken: token,
              claimedAt: now,
              claimUntil,
              webhookId,
            },
            ConditionExpression:
              'attribute_not_exists(pk) OR (#state = :inProgress AND (claimUntil < :now OR ' +
              '(attribute_not_exists(claimUntil) AND claimedAt < :staleBefore)))',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':inProgress': 'in-progress',
              ':now': now,
              ':staleBefore': now - this.staleClaimMs,
            },
          }),
        );
        return { kind: 'claimed', token };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const { Item } = await this.documents.send(
        new GetCommand({ TableName: this.table, Key: revisionItemKey(key), ConsistentRead: true }),
      );
      if (!Item) continue; // released after a failed publish: claim it ourselves
      if (Item.detailType !== key.detailType) return { kind: 'conflict', acceptedAs: Item.detailType };
      if (Item.state === 'emitted') return { kind: 'accepted', delivery: toAccepted(Item) };
      if (Date.now() >= deadline) return { kind: 'busy' };
      await sleep(this.pollMs);
    }
  }

  /** The booking's correlation id: the webhook-id of its first accepted delivery, whichever revision that was. */
  async correlationIdOf(bookingId: string, webhookId: string): Promise<string> {
    const { Attributes } = await this.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: bookingKey(bookingId), sk: 'BOOKING' },
        UpdateExpression: 'SET correlationId = if_not_exists(correlationId, :w), bookingId = :b',
        ExpressionAttributeValues: { ':w': webhookId, ':b': bookingId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes!.correlationId as string;
  }

  /** The highest revision of the booking whose event went out, if any. */
  async latestRevisionOf(bookingId: string): Promise<number | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: bookingKey(bookingId), sk: 'BOOKING' },
        ConsistentRead: true,
      }),
    );
    return typeof Item?.latestRevision === 'number' ? Item.latestRevision : undefined;
  }

  async markEmitted(key: RevisionKey, webhookId: string, eventId: string): Promise<void> {
    const at = new Date().toISOString();
    await this.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: revisionItemKey(key),
        UpdateExpression: 'SET #state = :emitted, eventId = :eventId, emittedAt = :at REMOVE claimToken, claimUntil',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':emitted': 'emitted', ':eventId': eventId, ':at': at },
      }),
    );
    await this.recordWebhook({ ...key, webhookId, eventId, acceptedAt: at });
    await this.advanceLatestRevision(key);
  }

  // Only ever forward: a slower delivery of an older revision must not lower it.
  private async advanceLatestRevision(key: RevisionKey): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: bookingKey(key.bookingId), sk: 'BOOKING' },
          UpdateExpression: 'SET latestRevision = :r, bookingId = :b',
          ConditionExpression: 'attribute_not_exists(latestRevision) OR latestRevision < :r',
          ExpressionAttributeValues: { ':r': key.revision, ':b': key.bookingId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Remembers a webhook-id as answered by `delivery` (its own, or an earlier one of the same revision). */
  async recordWebhook(delivery: AcceptedDelivery, webhookId = delivery.webhookId): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...webhookItemKey(webhookId), ...delivery, recordedAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Gives the claim up after a failed publish, so that Boatsetter's retry (or a waiting duplicate) can succeed. */
  async release(key: RevisionKey, token: string): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.table,
          Key: revisionItemKey(key),
          ConditionExpression: 'claimToken = :token',
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

function toAccepted(item: Record<string, unknown>): AcceptedDelivery {
  return {
    bookingId: item.bookingId as string,
    revision: item.revision as number,
    detailType: item.detailType as BookingEventType,
    eventId: item.eventId as string,
    webhookId: item.webhookId as string,
    // A revision item says when its event went out as emittedAt; a webhook item carries the delivery's acceptedAt.
    ...(typeof (item.acceptedAt ?? item.emittedAt) === 'string'
      ? { acceptedAt: (item.acceptedAt ?? item.emittedAt) as string }
      : {}),
  };
}
