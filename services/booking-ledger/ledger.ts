import {
  BatchGetCommand,
  paginateQuery,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ownTableName } from '../../shared/declaration';
import { bookingKey } from '../../shared/tables';
import { inTimelineOrder, type LedgerLine } from './booking-ledger';
import { isConditionFailure } from '../../shared/errors';

/**
 * The ledger table (declared in ./declaration.ts):
 *   pk BOOKING#<id>  sk LINE#<detail-type>#<idempotencyKey>  one timeline line per fact
 *   pk BOOKING#<id>  sk SUMMARY                              latest step; indexed by `recent`
 * A line's key is the fact (idempotencyKey + detail-type), not the delivery: a retry, a re-emit after a
 * crash or an archive replay writes nothing new.
 */

export interface BookingSummary {
  bookingId: string;
  revision: number;
  lastStep: string;
  lastDetailType: string;
  lastEventAt: string;
  correlationId: string;
}

export type RecordOutcome = 'recorded' | 'already-recorded';

export const ledgerTableName = (stage?: string) => ownTableName('booking-ledger', 'timeline', stage);
const RECENT = 'RECENT';
const SUMMARY = 'SUMMARY';

export class BookingLedger {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly table = ledgerTableName(),
  ) {}

  async record(line: LedgerLine, options: { summary?: boolean } = {}): Promise<RecordOutcome> {
    let outcome: RecordOutcome = 'recorded';
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...this.lineKey(line), ...line },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      outcome = 'already-recorded';
    }
    // Also for a line already there: a run that crashed between the two writes is completed by its retry.
    if (options.summary !== false) await this.advanceSummary(line);
    return outcome;
  }

  /**
   * Whether the line is in and the summary is at it or past it: what a replay of a recorded event finds, by one
   * read rather than two refused conditional writes. False when unsure (DynamoDB left a key unprocessed).
   */
  async holds(line: LedgerLine): Promise<boolean> {
    const lineKey = this.lineKey(line);
    const summaryKey = { pk: lineKey.pk, sk: SUMMARY };
    const { Responses, UnprocessedKeys } = await this.documents.send(
      new BatchGetCommand({
        RequestItems: {
          [this.table]: { Keys: [lineKey, summaryKey], ConsistentRead: true, ProjectionExpression: 'sk, lastEventAt' },
        },
      }),
    );
    if (UnprocessedKeys?.[this.table]?.Keys?.length) return false;
    const items = Responses?.[this.table] ?? [];
    const summaryAt = items.find((item) => item.sk === SUMMARY)?.lastEventAt;
    return items.some((item) => item.sk === lineKey.sk) && typeof summaryAt === 'string' && summaryAt >= line.at;
  }

  private lineKey(line: LedgerLine) {
    return { pk: bookingKey(line.bookingId), sk: `LINE#${line.detailType}#${line.idempotencyKey}` };
  }

  /** The booking's lines, oldest first. */
  async timeline(bookingId: string): Promise<LedgerLine[]> {
    const lines: LedgerLine[] = [];
    const pages = paginateQuery(
      { client: this.documents },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :line)',
        ExpressionAttributeValues: { ':pk': bookingKey(bookingId), ':line': 'LINE#' },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) lines.push(...(page.Items ?? []).map(ledgerLineOfItem));
    return inTimelineOrder(lines);
  }

  /** The bookings with the most recent activity, newest first. */
  async recentBookings(limit = 20): Promise<BookingSummary[]> {
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'recent',
        KeyConditionExpression: 'recentPk = :recent',
        ExpressionAttributeValues: { ':recent': RECENT },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (page.Items ?? []).map((item) => ({
      bookingId: item.bookingId,
      revision: item.revision,
      lastStep: item.lastStep,
      lastDetailType: item.lastDetailType,
      lastEventAt: item.lastEventAt,
      correlationId: item.correlationId,
    }));
  }

  // Events arrive in any order (retries, replays): the summary only moves forward in time. Bookings are
  // tens a day, far below what one index partition (RECENT) takes.
  private async advanceSummary(line: LedgerLine): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: bookingKey(line.bookingId), sk: SUMMARY },
          UpdateExpression:
            'SET bookingId = :id, revision = :revision, lastStep = :step, lastDetailType = :type, lastEventAt = :at, correlationId = :correlation, recentPk = :recent',
          ConditionExpression: 'attribute_not_exists(lastEventAt) OR lastEventAt <= :at',
          ExpressionAttributeValues: {
            ':id': line.bookingId,
            ':revision': line.revision,
            ':step': line.step,
            ':type': line.detailType,
            ':at': line.at,
            ':correlation': line.correlationId,
            ':recent': RECENT,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/** A ledger item as a timeline line: the table's keys are storage, not part of the line. */
export function ledgerLineOfItem(item: Record<string, unknown>): LedgerLine {
  const { pk: _pk, sk: _sk, ...line } = item;
  return line as unknown as LedgerLine;
}
