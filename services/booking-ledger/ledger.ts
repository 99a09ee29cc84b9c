import { GetCommand, paginateQuery, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ownTableName } from '../../shared/declaration';
import { bookingKey } from '../../shared/tables';
import { inTimelineOrder, type LedgerLine } from './booking-ledger';
import { isConditionFailure } from '../../shared/errors';

/**
 * The ledger table (declared in ./declaration.ts):
 *   pk BOOKING#<id>  sk LINE#<detail-type>#<idempotencyKey>  one timeline line per fact; indexed by `recent`
 *   pk BOOKING#<id>  sk SUMMARY                              latest step, written by earlier versions only
 * A line's key is the fact (idempotencyKey + detail-type), not the delivery: a retry, a re-emit after a
 * crash or an archive replay writes nothing new.
 *
 * The summary is a view, not an item: a booking's latest step is its newest line, in the timeline (a Query of
 * its lines) and in the `recent` index, which each of a booking's own lines enters by carrying its keys. So one
 * event is one conditional write: no second item to keep in step, no order of arrival to guard (the index
 * sorts by when things happened), no crash between two writes to leave a summary behind. Neither one
 * UpdateItem on a summary that also holds the line (it could not be conditional on both the line being new
 * and the step being later) nor a transaction (one call, twice the writes) would give that. SUMMARY items
 * from before are still read, and `charterflow forget` deletes them with the booking's lines.
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

export class BookingLedger {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly table = ledgerTableName(),
  ) {}

  /**
   * Adds the line unless the fact is in already. A line on the booking's own timeline also enters `recent`
   * (`recent: false` for a line on another booking's timeline, which does not make it that booking's step).
   */
  async record(line: LedgerLine, options: { recent?: boolean } = {}): Promise<RecordOutcome> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.lineKey(line),
            ...line,
            // The `recent` index's keys: its sort key is named for the summary items it indexed before.
            ...(options.recent === false ? {} : { recentPk: RECENT, lastEventAt: line.at }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return 'already-recorded';
    }
  }

  /**
   * Whether the line is in: what a replay of a recorded event finds, by one read rather than a refused
   * conditional write. The line carries its place in `recent` in the same item, so nothing else can lag.
   */
  async holds(line: LedgerLine): Promise<boolean> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.table,
        Key: this.lineKey(line),
        ConsistentRead: true,
        ProjectionExpression: 'pk',
      }),
    );
    return Item !== undefined;
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

  /**
   * The bookings with the most recent activity, newest first. `recent` holds every own line (and the SUMMARY
   * items of earlier versions), newest first: a booking's first entry there is its latest step, whatever order
   * its events arrived in. A booking has five lines or more, hence the page size. Bookings are tens a day, far
   * below what one index partition (RECENT) takes.
   */
  async recentBookings(limit = 20): Promise<BookingSummary[]> {
    const latest = new Map<string, BookingSummary>();
    const pages = paginateQuery(
      { client: this.documents, pageSize: limit * 5 },
      {
        TableName: this.table,
        IndexName: 'recent',
        KeyConditionExpression: 'recentPk = :recent',
        ExpressionAttributeValues: { ':recent': RECENT },
        ScanIndexForward: false,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const entry = summaryOfItem(item);
        const known = latest.get(entry.bookingId);
        // Lines of the same instant: the later in timeline order is the step.
        if (!known || (known.lastEventAt === entry.lastEventAt && laterAtSameInstant(entry, known)))
          latest.set(entry.bookingId, entry);
      }
      if (latest.size >= limit) break;
    }
    return [...latest.values()].slice(0, limit);
  }
}

/** A `recent` entry as a booking's summary: one of its lines, or a SUMMARY item an earlier version wrote. */
function summaryOfItem(item: Record<string, unknown>): BookingSummary {
  const isLine = typeof item.sk === 'string' && item.sk.startsWith('LINE#');
  return {
    bookingId: item.bookingId as string,
    revision: item.revision as number,
    lastStep: (isLine ? item.step : item.lastStep) as string,
    lastDetailType: (isLine ? item.detailType : item.lastDetailType) as string,
    lastEventAt: item.lastEventAt as string,
    correlationId: item.correlationId as string,
  };
}

/** inTimelineOrder's tie-break: by revision, then detail-type. */
const laterAtSameInstant = (a: BookingSummary, b: BookingSummary) =>
  a.revision - b.revision > 0 || (a.revision === b.revision && a.lastDetailType.localeCompare(b.lastDetailType) > 0);

/** A ledger item as a timeline line: the table's and the index's keys are storage, not part of the line. */
export function ledgerLineOfItem(item: Record<string, unknown>): LedgerLine {
  const { pk: _pk, sk: _sk, recentPk: _recentPk, lastEventAt: _lastEventAt, ...line } = item;
  return line as unknown as LedgerLine;
}
