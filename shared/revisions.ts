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
 * traffic). A lease on the record serialises them: without it, revision 2's downstream call could land after
 * revision 3's and leave the system a revision behind while our record says it is current. A lease ends when
 * the invocation that took it ends, so a holder that died never keeps Lambda's retries out.
 *
 * Record the decision, then act: a consumer writes what it is about to do (`pending`: the calls with their
 * Idempotency-Keys, the events with their metadata) before it does any of it. Whoever takes the lease next, a
 * retry of the same revision or a newer one, first finishes that recorded decision with the same keys and the
 * same events, and only then decides anything new: nothing is ever decided from half-recorded state.
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

/** A decision recorded under the lease before any of it was carried out. */
export interface PendingDecision<P> {
  revision: number;
  plan: P;
  decidedAt: string;
}

export type RevisionOutcome = 'acted' | 'duplicate' | 'stale';

export interface Change<H> {
  /** What the system holds once this revision is applied (undefined: nothing, e.g. a cancellation seen first). */
  held: H | undefined;
  /** Emits what this consumer states about the revision; returns the (first) event id. None: nothing to say. */
  emit?: () => Promise<string>;
}

/** What a consumer decided for a revision: a plan to record and carry out, or nothing to call or emit at all. */
export type Decision<H, P> = { plan: P } | { held: H | undefined };

/** What carrying out a plan left: what the system holds, and the (first) event emitted. */
export interface Performed<H> {
  held: H | undefined;
  emittedEventId?: string;
}

/**
 * A consumer split in two: `decide` says what a revision will do from what the system holds (no downstream
 * write), `perform` carries a recorded plan out. `perform` may run again on the same plan after a crash at any
 * line, so every call it makes must carry the plan's keys, and every event the plan's metadata; what it learns
 * from a call that cannot be asked again (a conflict found once), it records with `progress` before acting on it.
 */
export interface Outbox<H, P> {
  decide: (held: H | undefined, applied: AppliedRevision<H> | undefined) => Promise<Decision<H, P>>;
  perform: (plan: P, progress: (plan: P) => Promise<void>) => Promise<Performed<H>>;
}

export class BookingBusy extends Error {
  override readonly name = 'BookingBusy';
  constructor(
    bookingId: string,
    consumer: string,
    revision: number,
    holder: number,
    /** How long until the holder's lease ends: a retry before that meets the lease again. */
    readonly retryAfterMs: number,
  ) {
    super(
      `${consumer} is still applying revision ${holder} of booking ${bookingId}; revision ${revision} will be retried after its lease ends in ${Math.ceil(retryAfterMs / 1000)} s`,
    );
  }
}

export interface RevisionLedgerOptions {
  table?: string;
  /** A lease's length when the caller does not say when its invocation ends (tests, the CLI). */
  leaseMs?: number;
  /** How long a delivery waits for another's lease when the caller does not say when its invocation ends. */
  waitMs?: number;
  /** The time an invocation keeps for its own work after waiting for another's lease. */
  reserveMs?: number;
  pollMs?: number;
}

export interface ApplyOptions {
  /** Whether the event is most likely of a revision already applied (an archive replay): checked by a read first. */
  readFirst?: boolean;
  /**
   * Whether the consumer most likely never applied anything of the booking (its first revision, delivered live):
   * decided before the lease, and the decision recorded in the lease's own write (applyDecided only).
   */
  decideFirst?: boolean;
  /** Epoch ms when the invocation ends (Lambda's remaining time): the lease ends then, never later. */
  until?: number;
}

type RevisionKey = { bookingId: string; consumer: string; revision: number };

interface StoredRecord<H> extends Partial<AppliedRevision<H>> {
  leaseToken?: string;
  leaseRevision?: number;
  leaseUntil?: number;
  pending?: PendingDecision<unknown>;
}

/** What one write under the lease sets: an applied revision, a decision to record, and whether the lease ends. */
interface Settlement<H> {
  applied?: { revision: number; held: H | undefined; emittedEventId?: string };
  pending?: PendingDecision<unknown>;
  release: boolean;
}

const timing = { leaseMs: 30_000, waitMs: 5_000, reserveMs: 10_000, pollMs: 25 };
const maxPollMs = 500;

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

const decidedNow = <P>(key: { revision: number }, plan: P): PendingDecision<P> => ({
  revision: key.revision,
  plan,
  decidedAt: new Date().toISOString(),
});

const appliedOf = <H>(record: StoredRecord<H> | undefined) =>
  record?.revision === undefined ? undefined : (record as AppliedRevision<H>);

export class RevisionLedger {
  private readonly settings: Required<RevisionLedgerOptions>;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    options: RevisionLedgerOptions = {},
  ) {
    this.settings = { table: bookingsTable(), ...timing, ...options };
  }

  async get<H>(bookingId: string, consumer: string): Promise<AppliedRevision<H> | undefined> {
    return appliedOf(await this.read<H>(bookingId, consumer));
  }

  /** The decision recorded and not yet finished for a booking, if any (for tests and the operator). */
  async pendingOf<P>(bookingId: string, consumer: string): Promise<PendingDecision<P> | undefined> {
    return (await this.read(bookingId, consumer))?.pending as PendingDecision<P> | undefined;
  }

  /**
   * Applies `revision` of a booking once, and only if it is newer than what this consumer applied, recording
   * the decision before acting on it:
   * - at or below the applied revision: nothing happens ('duplicate' for the same one, 'stale' for an older);
   * - a decision recorded and not finished (its holder crashed) is finished first, with its own plan;
   * - then `decide` runs with what the system holds, its plan is recorded, `perform` carries it out, and the
   *   revision is recorded as applied (in one write with the next decision when there is one).
   */
  async applyDecided<H, P>(
    key: RevisionKey,
    outbox: Outbox<H, P>,
    logger?: Logger,
    options: ApplyOptions = {},
  ): Promise<{ outcome: RevisionOutcome; held: H | undefined }> {
    if (options.decideFirst && !options.readFirst) {
      const first = await this.applyFirst(key, outbox, logger, options.until);
      if (first) return first;
    }
    return this.underLease<H>(key, logger, options, async (token, previous) => {
      let record = previous;
      const unfinished = record?.pending as PendingDecision<P> | undefined;
      let finished: Settlement<H>['applied'];
      if (unfinished) {
        logger?.info('finishing the decision a crashed delivery recorded', {
          revision: key.revision,
          pendingRevision: unfinished.revision,
          decidedAt: unfinished.decidedAt,
        });
        const done = await outbox.perform(unfinished.plan, this.progress(key, token, unfinished));
        finished = { revision: unfinished.revision, ...done };
        if (unfinished.revision >= key.revision) {
          await this.settle(key, token, { applied: finished, release: true });
          const outcome: RevisionOutcome = unfinished.revision === key.revision ? 'acted' : 'stale';
          logger?.info('revision applied', {
            revision: unfinished.revision,
            outcome,
            emittedEventId: done.emittedEventId,
          });
          return { outcome, held: done.held };
        }
        record = { ...record, revision: unfinished.revision, held: done.held, pending: undefined };
      }
      const decision = await outbox.decide(record?.held, appliedOf(record));
      if (!('plan' in decision)) {
        await this.settle(key, token, {
          applied: { revision: key.revision, held: decision.held },
          release: true,
        });
        logger?.info('revision applied', { revision: key.revision, outcome: 'acted' });
        return { outcome: 'acted', held: decision.held };
      }
      const pending = decidedNow(key, decision.plan);
      await this.settle(key, token, { applied: finished, pending, release: false });
      return this.carryOut(key, token, outbox, pending, logger);
    });
  }

  /** Carries a recorded decision of this revision out under our lease, then records the revision applied. */
  private async carryOut<H, P>(
    key: RevisionKey,
    token: string,
    outbox: Outbox<H, P>,
    pending: PendingDecision<P>,
    logger: Logger | undefined,
  ): Promise<{ outcome: RevisionOutcome; held: H | undefined }> {
    const done = await outbox.perform(pending.plan, this.progress(key, token, pending));
    await this.settle(key, token, { applied: { revision: key.revision, ...done }, release: true });
    logger?.info('revision applied', {
      revision: key.revision,
      outcome: 'acted',
      emittedEventId: done.emittedEventId,
    });
    return { outcome: 'acted', held: done.held };
  }

  /**
   * The first revision a consumer applies of a booking, in one write fewer: `decide` runs before the lease, on
   * nothing held, and its plan is recorded by the write that takes the lease, which succeeds only while the
   * consumer has no record of the booking at all. No record means no holder has ever performed anything for it
   * (a holder records before it acts), so a decision made outside the lease is as good as one made inside. Any
   * record (applied, pending, leased, adopted) refuses the write: undefined, and the usual way decides again.
   */
  private async applyFirst<H, P>(
    key: RevisionKey,
    outbox: Outbox<H, P>,
    logger: Logger | undefined,
    until: number | undefined,
  ): Promise<{ outcome: RevisionOutcome; held: H | undefined } | undefined> {
    const decision = await outbox.decide(undefined, undefined);
    if (!('plan' in decision)) return undefined;
    const pending = decidedNow(key, decision.plan);
    const token = randomUUID();
    try {
      await this.documents.send(
        new UpdateCommand(this.leaseWrite(key, token, until, 'attribute_not_exists(pk)', { pending })),
      );
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
    try {
      return await this.carryOut(key, token, outbox, pending, logger);
    } catch (error) {
      await this.release(key, token);
      throw error;
    }
  }

  /**
   * Applies `revision` as `applyDecided` does, for a consumer that has not split its decision from its calls:
   * `change` makes the downstream calls, its emit runs next, and only then is the revision recorded, so a crash
   * in between is finished by a redelivery of the same revision only.
   */
  apply<H>(
    key: RevisionKey,
    change: (held: H | undefined, applied: AppliedRevision<H> | undefined) => Promise<Change<H>>,
    logger?: Logger,
    options: ApplyOptions = {},
  ): Promise<{ outcome: RevisionOutcome; held: H | undefined }> {
    return this.underLease<H>(key, logger, options, async (token, previous) => {
      const { held, emit } = await change(previous?.held, appliedOf(previous));
      const emittedEventId = emit ? await emit() : undefined;
      await this.settle(key, token, { applied: { revision: key.revision, held, emittedEventId }, release: true });
      logger?.info('revision applied', { revision: key.revision, outcome: 'acted', emittedEventId });
      return { outcome: 'acted', held };
    });
  }

  /**
   * The outcome of a revision this consumer already applied (or applied a newer one), from a read; undefined
   * when it is still to apply. For deliveries that are most likely done, an archive replay: a done revision
   * refuses the lease's conditional write, and a refusal is an exception thrown through the SDK on our side
   * and a write request on the AWS bill, where this is a read.
   */
  async alreadyApplied<H>(
    key: RevisionKey,
    logger?: Logger,
  ): Promise<{ outcome: RevisionOutcome; held: H | undefined } | undefined> {
    return skipOf(key, await this.read<H>(key.bookingId, key.consumer), logger);
  }

  /** Takes the lease (waiting for another's to end, within this invocation's time), runs `work`, releases on failure. */
  private async underLease<H>(
    key: RevisionKey,
    logger: Logger | undefined,
    options: ApplyOptions,
    work: (
      token: string,
      previous: StoredRecord<H> | undefined,
    ) => Promise<{ outcome: RevisionOutcome; held: H | undefined }>,
  ): Promise<{ outcome: RevisionOutcome; held: H | undefined }> {
    if (options.readFirst) {
      const done = await this.alreadyApplied<H>(key, logger);
      if (done) return done;
    }
    // Waiting past this would leave this invocation too little time to act once the lease is its own.
    const waitUntil =
      options.until !== undefined ? options.until - this.settings.reserveMs : Date.now() + this.settings.waitMs;
    let pollMs = this.settings.pollMs;
    for (;;) {
      // One conditional write is both the revision guard and the lease: it succeeds only for a newer revision
      // with no live lease, and either way hands back the record as it was (its held state, or why not).
      const attempt = await this.lease<H>(key, options.until);
      if ('token' in attempt) {
        try {
          return await work(attempt.token, attempt.previous);
        } catch (error) {
          await this.release(key, attempt.token);
          throw error;
        }
      }
      const record = attempt.refusedBy ?? (await this.read<H>(key.bookingId, key.consumer));
      const done = skipOf(key, record, logger);
      if (done) return done;
      const now = Date.now();
      const lease = record?.leaseUntil !== undefined && record.leaseUntil > now ? record : undefined;
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
        const leaseEnds = lease.leaseUntil!;
        if (now >= waitUntil) {
          throw new BookingBusy(key.bookingId, key.consumer, key.revision, lease.leaseRevision ?? 0, leaseEnds - now);
        }
        // Most holders finish in milliseconds; a dead one's lease ends with its invocation: poll less and less often.
        await sleep(Math.max(1, Math.min(pollMs, leaseEnds - now + 1, waitUntil - now)));
        pollMs = Math.min(maxPollMs, pollMs * 2);
      }
      // Else the lease just expired, or the record changed between the two looks: try again.
    }
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

  /**
   * The write that takes the lease on a consumer's record of a booking, under `condition`; `set` adds attributes
   * to the same write (a first revision's decision). The lease ends with the invocation, or leaseMs from now.
   */
  private leaseWrite(
    key: RevisionKey,
    token: string,
    until: number | undefined,
    condition: string,
    set: Record<string, unknown> = {},
    now = Date.now(),
  ) {
    const extra = Object.keys(set);
    return {
      TableName: this.settings.table,
      Key: { pk: bookingKey(key.bookingId), sk: consumerStateKey(key.consumer) },
      UpdateExpression: [
        'SET bookingId = :b, #consumer = :c, leaseToken = :t, leaseRevision = :r, leaseUntil = :until',
        ...extra.map((name) => `${name} = :${name}`),
      ].join(', '),
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#consumer': 'consumer' },
      ExpressionAttributeValues: {
        ':b': key.bookingId,
        ':c': key.consumer,
        ':t': token,
        ':r': key.revision,
        ':until': until ?? now + this.settings.leaseMs,
        ...Object.fromEntries(extra.map((name) => [`:${name}`, set[name]])),
      },
    };
  }

  private async lease<H>(
    key: RevisionKey,
    until: number | undefined,
  ): Promise<{ token: string; previous?: StoredRecord<H> } | { refusedBy?: StoredRecord<H> }> {
    const token = randomUUID();
    const now = Date.now();
    try {
      const write = this.leaseWrite(
        key,
        token,
        until,
        '(attribute_not_exists(revision) OR revision < :r) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        {},
        now,
      );
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          ...write,
          ExpressionAttributeValues: { ...write.ExpressionAttributeValues, ':now': now },
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

  /** Records what a step of a pending decision learnt (the plan as it now stands), still under the lease. */
  private progress<P>(key: RevisionKey, token: string, pending: PendingDecision<P>) {
    return (plan: P) => this.settle(key, token, { pending: { ...pending, plan }, release: false });
  }

  /** One write under our lease: the revision applied, the decision recorded or cleared, the lease kept or ended. */
  private async settle<H>(key: RevisionKey, token: string, settlement: Settlement<H>): Promise<void> {
    const set: string[] = [];
    const remove: string[] = [];
    const values: Record<string, unknown> = { ':t': token };
    const { applied, pending } = settlement;
    if (applied) {
      set.push('revision = :r', 'appliedAt = :at');
      values[':r'] = applied.revision;
      values[':at'] = new Date().toISOString();
      if (applied.held === undefined) remove.push('held');
      else {
        set.push('held = :held');
        values[':held'] = applied.held;
      }
      if (applied.emittedEventId) {
        set.push('emittedEventId = :e');
        values[':e'] = applied.emittedEventId;
      }
    }
    if (pending) {
      set.push('pending = :pending');
      values[':pending'] = pending;
    } else if (applied) remove.push('pending');
    if (settlement.release) remove.push('leaseToken', 'leaseRevision', 'leaseUntil');
    await this.documents.send(
      new UpdateCommand({
        TableName: this.settings.table,
        Key: { pk: bookingKey(key.bookingId), sk: consumerStateKey(key.consumer) },
        UpdateExpression: [
          set.length > 0 ? `SET ${set.join(', ')}` : '',
          remove.length > 0 ? `REMOVE ${remove.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' '),
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
