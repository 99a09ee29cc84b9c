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
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { BookingEventType } from './booking';

/**
 * Which booking revisions were already accepted, in our bookings table (layout in shared/tables.ts).
 * Conditional writes in our own table rather than Powertools idempotency: a delivery is a duplicate by its
 * booking id + revision, whatever its webhook-id (Boatsetter's retry of one message keeps its webhook-id, and
 * a message always carries the same revision, so the revision record answers both kinds of duplicate), a
 * duplicate must be answered with the original event id, and these records must outlive Powertools' expiring
 * records because Boatsetter may resend a revision days later.
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

export interface BookingArrival {
  correlationId: string;
  /** The highest revision of the booking claimed so far, this delivery's included. */
  latestRevision: number;
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

  /**
   * The booking as a delivery finds it, in one write: its correlation id (the webhook-id of the first delivery
   * that got this far, whichever revision that was) and the highest revision any delivery has got this far with,
   * this one included. The revisions are a number set that ADD grows without a condition, so the write never
   * fails and the highest is read from what it returns. A revision counts from the moment a signed, valid
   * delivery of it arrives, so an older one that arrives while a newer one is still publishing is already stale:
   * the newer one supersedes it, and Boatsetter retries the newer one until it is on the bus.
   */
  async arrive(bookingId: string, revision: number, webhookId: string): Promise<BookingArrival> {
    const { Attributes } = await this.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: bookingKey(bookingId), sk: 'BOOKING' },
        UpdateExpression: 'SET correlationId = if_not_exists(correlationId, :w), bookingId = :b ADD revisions :r',
        ExpressionAttributeValues: { ':w': webhookId, ':b': bookingId, ':r': new Set([revision]) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const seen = [...((Attributes?.revisions as Set<number> | undefined) ?? [])];
    // latestRevision: what a booking record written before the revision set holds.
    const earlier = typeof Attributes?.latestRevision === 'number' ? Attributes.latestRevision : 0;
    return { correlationId: Attributes!.correlationId as string, latestRevision: Math.max(earlier, ...seen) };
  }

  /** The revision's record once its event went out, if it did. */
  async acceptedRevision(key: Pick<RevisionKey, 'bookingId' | 'revision'>): Promise<AcceptedDelivery | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.table, Key: revisionItemKey(key), ConsistentRead: true }),
    );
    return Item?.state === 'emitted' ? toAccepted(Item) : undefined;
  }

  async claimRevision(key: RevisionKey, webhookId: string, until?: number): Promise<Claim> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const token = randomUUID();
      const now = Date.now();
      let refusedBy: Record<string, unknown> | undefined;
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
            // A refusal hands back the record that refused it: no read to learn whose claim it is.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { kind: 'claimed', token };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        refusedBy = error.Item ? unmarshall(error.Item) : undefined;
      }
      if (!refusedBy) continue; // released after a failed publish: claim it ourselves
      if (refusedBy.detailType !== key.detailType)
        return { kind: 'conflict', acceptedAs: refusedBy.detailType as BookingEventType };
      if (refusedBy.state === 'emitted') return { kind: 'accepted', delivery: toAccepted(refusedBy) };
      if (Date.now() >= deadline) return { kind: 'busy' };
      await sleep(this.pollMs);
    }
  }

  /**
   * The revision's event is on the bus: one write, of the revision record, which is what answers a later
   * duplicate (by either key) with this event id.
   */
  async markEmitted(key: RevisionKey, eventId: string): Promise<AcceptedDelivery> {
    const at = new Date().toISOString();
    const { Attributes } = await this.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: revisionItemKey(key),
        UpdateExpression: 'SET #state = :emitted, eventId = :eventId, emittedAt = :at REMOVE claimToken, claimUntil',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':emitted': 'emitted', ':eventId': eventId, ':at': at },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toAccepted(Attributes!);
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
