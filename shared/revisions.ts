import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { bookingsTable } from './config';
import { isConditionFailure } from './errors';
import type { Logger } from './logger';
import { bookingKey, consumerStateKey } from './tables';

/**
 * What one consumer has applied of one booking, in our own table: the highest revision it applied, and what
 * the system it keeps in step (JADA, SCC, the guest site) holds since. It is what makes "latest revision wins"
 * true whatever order EventBridge delivers in, and what makes a redelivery or an archive replay weeks later a
 * no-op: a revision at or below the applied one makes no downstream call and no write.
 *
 * Two deliveries of one booking to one consumer may run at once (at-least-once delivery, a replay beside live
 * traffic). A short lease on the record serialises them: without it, revision 2's downstream call could land
 * after revision 3's and leave the system a revision behind while our record says it is current.
 */
export interface AppliedRevision<H> {
  bookingId: string;
  consumer: string;
  revision: number;
  /** What the downstream system holds after that revision; absent: nothing (never created, or a tombstone). */
  held?: H;
  appliedAt: string;
  /** The last event this consumer emitted for the booking (none for a tombstone). */
  emittedEventId?: string;
}

export type RevisionOutcome = 'acted' | 'duplicate' | 'stale';

export interface Change<H> {
  /** What the system holds once this revision is applied (undefined: nothing, e.g. a cancellation seen first). */
  held: H | undefined;
  /** Emits what this consumer states about the revision; returns the (first) event id. None: nothing to say. */
  emit?: () => Promise<string>;
}

export class BookingBusy extends Error {
  override readonly name = 'BookingBusy';
  constructor(bookingId: string, consumer: string, revision: number, holder: number) {
    super(
      `${consumer} is still applying revision ${holder} of booking ${bookingId}; revision ${revision} will be retried`,
    );
  }
}

export interface RevisionLedgerOptions {
  table?: string;
  /** How long a lease keeps other deliveries out: over the function timeout (29 s), so a live holder is never overtaken. */
  leaseMs?: number;
  /** How long a newer revision waits for an older one's lease before failing (to be retried). */
  waitMs?: number;
  pollMs?: number;
}

interface StoredRecord<H> extends Partial<AppliedRevision<H>> {
  leaseToken?: string;
  leaseRevision?: number;
  leaseUntil?: number;
}

const timing = { leaseMs: 60_000, waitMs: 5_000, pollMs: 25 };

/** 'duplicate' or 'stale' when the record shows the revision (or a newer one) applied; undefined otherwise. */
function skipOf<H>(
  key: { revision: number },
  record: StoredRecord<H> | undefined,
  logger: Logger | undefined,
): { outcome: RevisionOutcome; held: H | undefined } | undefined {
  const applied = record?.revision ?? 0;
  if (applied < key.revision) return undefined;
  const outcome: RevisionOutcome = applied === key.revision ? 'duplicate' : 'stale';
  logger?.info(outcome === 'stale' ? 'stale revision; nothing to do' : 'revision already applied', {
    revision: key.revision,
    appliedRevision: applied,
    outcome,
  });
  return { outcome, held: record?.held };
}

export class RevisionLedger {
  private readonly settings: Required<RevisionLedgerOptions>;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    options: RevisionLedgerOptions = {},
  ) {
    this.settings = { table: bookingsTable(), ...timing, ...options };
  }

  async get<H>(bookingId: string, consumer: string): Promise<AppliedRevision<H> | undefined> {
    const record = await this.read<H>(bookingId, consumer);
    return record?.revision === undefined ? undefined : (record as AppliedRevision<H>);
  }

  /**
   * Applies `revision` of a booking once, and only if it is newer than what this consumer applied:
   * - at or below the applied revision: nothing happens ('duplicate' for the same one, 'stale' for an older);
   * - otherwise `change` runs with what the system holds now, and decides the downstream calls; its emit runs
   *   next, and only then is the revision recorded, so a crash in between is finished by the redelivery (the
   *   downstream calls carry the revision's Idempotency-Key, and consumers of a re-emitted event see a duplicate).
   */
  async apply<H>(
    key: { bookingId: string; consumer: string; revision: number },
    change: (held: H | undefined, applied: AppliedRevision<H> | undefined) => Promise<Change<H>>,
    logger?: Logger,
    options: { readFirst?: boolean } = {},
  ): Promise<{ outcome: RevisionOutcome; held: H | undefined }> {
    if (options.readFirst) {
      const done = await this.alreadyApplied<H>(key, logger);
      if (done) return done;
    }
    const deadline = Date.now() + this.settings.waitMs;
    for (;;) {
      // One conditional write is both the revision guard and the lease: it succeeds only for a newer revision
      // with no live lease, and either way hands back the record as it was (its held state, or why not).
      const attempt = await this.lease<H>(key);
      if ('token' in attempt) {
        const { token, previous } = attempt;
        const current = previous?.revision === undefined ? undefined : (previous as AppliedRevision<H>);
        try {
          const { held, emit } = await change(previous?.held, current);
          const emittedEventId = emit ? await emit() : undefined;
          await this.record(key, token, held, emittedEventId);
          logger?.info('revision applied', { revision: key.revision, outcome: 'acted', emittedEventId });
          return { outcome: 'acted', held };
        } catch (error) {
          await this.release(key, token);
          throw error;
        }
      }
      const record = attempt.refusedBy ?? (await this.read<H>(key.bookingId, key.consumer));
      const done = skipOf(key, record, logger);
      if (done) return done;
      const lease = record?.leaseUntil !== undefined && record.leaseUntil > Date.now() ? record : undefined;
      // Only a newer revision's lease makes this one stale: a lease on this very revision may be a holder that
      // died mid-way, so this delivery waits for it (or fails, to be retried after the lease ran out).
      if (lease && (lease.leaseRevision ?? 0) > key.revision) {
        logger?.info('a newer revision is being applied; nothing to do', {
          revision: key.revision,
          appliedRevision: lease.leaseRevision,
          outcome: 'stale',
        });
        return { outcome: 'stale', held: record?.held };
      }
      if (lease) {
        if (Date.now() >= deadline) {
          throw new BookingBusy(key.bookingId, key.consumer, key.revision, lease.leaseRevision ?? 0);
        }
        await sleep(this.settings.pollMs);
      }
      // Else the lease just expired, or the record changed between the two looks: try again.
    }
  }

  /**
   * The outcome of a revision this consumer already applied (or applied a newer one), from a read; undefined
   * when it is still to apply. For deliveries that are most likely done, an archive replay: a done revision
   * refuses the lease's conditional write, and a refusal is an exception thrown through the SDK on our side
   * and a write request on the AWS bill, where this is a read.
   */
  async alreadyApplied<H>(
    key: { bookingId: string; consumer: string; revision: number },
    logger?: Logger,
  ): Promise<{ outcome: RevisionOutcome; held: H | undefined } | undefined> {
    return skipOf(key, await this.read<H>(key.bookingId, key.consumer), logger);
  }

  private async read<H>(bookingId: string, consumer: string): Promise<StoredRecord<H> | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.settings.table,
        Key: { pk: bookingKey(bookingId), sk: consumerStateKey(consumer) },
        ConsistentRead: true,
      }),
    );
    return Item as StoredRecord<H> | undefined;
  }

  private async lease<H>(key: {
    bookingId: string;
    consumer: string;
    revision: number;
  }): Promise<{ token: string; previous?: StoredRecord<H> } | { refusedBy?: StoredRecord<H> }> {
    const token = randomUUID();
    const now = Date.now();
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.settings.table,
          Key: { pk: bookingKey(key.bookingId), sk: consumerStateKey(key.consumer) },
          UpdateExpression:
            'SET bookingId = :b, #consumer = :c, leaseToken = :t, leaseRevision = :r, leaseUntil = :until',
          ConditionExpression:
            '(attribute_not_exists(revision) OR revision < :r) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#consumer': 'consumer' },
          ExpressionAttributeValues: {
            ':b': key.bookingId,
            ':c': key.consumer,
            ':t': token,
            ':r': key.revision,
            ':until': now + this.settings.leaseMs,
            ':now': now,
          },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { token, previous: Attributes as StoredRecord<H> | undefined };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The document client leaves the refused item in DynamoDB's own format.
      return { refusedBy: error.Item ? (unmarshall(error.Item) as StoredRecord<H>) : undefined };
    }
  }

  private async record<H>(
    key: { bookingId: string; consumer: string; revision: number },
    token: string,
    held: H | undefined,
    emittedEventId: string | undefined,
  ): Promise<void> {
    const set = ['revision = :r', 'appliedAt = :at'];
    const remove = ['leaseToken', 'leaseRevision', 'leaseUntil'];
    const values: Record<string, unknown> = { ':r': key.revision, ':at': new Date().toISOString(), ':t': token };
    if (held === undefined) remove.push('held');
    else {
      set.push('held = :held');
      values[':held'] = held;
    }
    if (emittedEventId) {
      set.push('emittedEventId = :e');
      values[':e'] = emittedEventId;
    }
    await this.documents.send(
      new UpdateCommand({
        TableName: this.settings.table,
        Key: { pk: bookingKey(key.bookingId), sk: consumerStateKey(key.consumer) },
        UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
        // Our lease still holds: a holder that outlived its lease must not overwrite a newer revision.
        ConditionExpression: 'leaseToken = :t',
        ExpressionAttributeValues: values,
      }),
    );
  }

  private async release(key: { bookingId: string; consumer: string }, token: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.settings.table,
          Key: { pk: bookingKey(key.bookingId), sk: consumerStateKey(key.consumer) },
          UpdateExpression: 'REMOVE leaseToken, leaseRevision, leaseUntil',
          ConditionExpression: 'leaseToken = :t',
          ExpressionAttributeValues: { ':t': token },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
