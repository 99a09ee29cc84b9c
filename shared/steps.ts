import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bookingsTable } from './config';
import { bookingKey } from './tables';
import type { Logger } from './logger';

/**
 * The durable record of one consumer step for one booking revision, in our own table. It is what makes a
 * redelivery or an archive replay (weeks later, long after any idempotency cache expired) a no-op, and
 * what lets a replay finish a chain that broke between "done downstream" and "emitted the next event".
 */
export interface StepRecord<R> {
  bookingId: string;
  step: string;
  revision: number;
  result: R;
  doneAt: string;
  emittedEventId?: string;
}

export interface StepKey {
  bookingId: string;
  step: string;
  revision: number;
}

export type StepOutcome = 'acted' | 'emitted-only' | 'skipped';

const stepSortKey = (key: StepKey) => `STEP#${key.step}#r${key.revision}`;

export class BookingSteps {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly table = bookingsTable(),
  ) {}

  async get<R>(key: StepKey): Promise<StepRecord<R> | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: bookingKey(key.bookingId), sk: stepSortKey(key) },
        ConsistentRead: true,
      }),
    );
    return Item as StepRecord<R> | undefined;
  }

  /** Records the step as done. If a concurrent run recorded it first, keeps theirs and returns it. */
  async recordDone<R>(key: StepKey, result: R): Promise<StepRecord<R>> {
    return (await this.recordFirst(key, result)).record;
  }

  /** As recordDone, and says whether this run's record is the one kept (false: a concurrent run was first). */
  private async recordFirst<R>(key: StepKey, result: R): Promise<{ record: StepRecord<R>; first: boolean }> {
    const record: StepRecord<R> = { ...key, result, doneAt: new Date().toISOString() };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: bookingKey(key.bookingId), sk: stepSortKey(key), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { record, first: true };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      return { record: (await this.get<R>(key))!, first: false };
    }
  }

  async recordEmitted(key: StepKey, eventId: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: bookingKey(key.bookingId), sk: stepSortKey(key) },
        UpdateExpression: 'SET emittedEventId = :id',
        ExpressionAttributeValues: { ':id': eventId },
      }),
    );
  }

  /**
   * Runs a step at most once per booking revision, as seen from outside:
   * - done and emitted before: nothing happens ('skipped');
   * - done but the next event never went out (a crash in between): only the emit is redone ('emitted-only');
   * - otherwise `act` runs (its downstream call carries the Idempotency-Key as a second line of defence),
   *   the result is recorded, then `emit` runs and its event id is recorded ('acted');
   * - a concurrent run that recorded the step first wins: this one does not emit a second time ('skipped').
   */
  async runOnce<R>(
    key: StepKey,
    act: () => Promise<R>,
    emit: (result: R) => Promise<string>,
    logger?: Logger,
  ): Promise<{ outcome: StepOutcome; result: R }> {
    const existing = await this.get<R>(key);
    if (existing?.emittedEventId) {
      logger?.info('step already done; nothing to do', { step: key.step, outcome: 'skipped' });
      return { outcome: 'skipped', result: existing.result };
    }
    let record = existing;
    if (!record) {
      const recorded = await this.recordFirst(key, await act());
      if (!recorded.first) {
        // A concurrent delivery of the same event recorded the step first: it emits (or its retry will).
        logger?.info('step done by a concurrent run; it emits', { step: key.step, outcome: 'skipped' });
        return { outcome: 'skipped', result: recorded.record.result };
      }
      record = recorded.record;
    }
    const eventId = await emit(record.result);
    await this.recordEmitted(key, eventId);
    const outcome: StepOutcome = existing ? 'emitted-only' : 'acted';
    logger?.info('step done', { step: key.step, outcome, emittedEventId: eventId });
    return { outcome, result: record.result };
  }
}
