import { createHash } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { bookingsTable } from '../../shared/config';
import { bookingKey, consumerStateKey } from '../../shared/tables';
import { isConditionFailure } from '../../shared/errors';

/** Revenue lines removed under a revision's lease, as scrub's STATE record keeps them (`held.removedLines`). */
export interface HeldRemoval {
  sccEventId: string;
  /** Fingerprint of the notes the lines were removed from: the same notes read again are the same removal. */
  read: string;
  lines: string[];
  removedAt: string;
}

/**
 * The revenue lines scrub took out of crew events' notes, kept in our own table so nothing is lost. A
 * revision's own scrub keeps them in scrub's STATE record (`held.removedLines`); a re-check after it, made
 * outside the revision's lease, keeps them here, one item per removal:
 * pk BOOKING#<id>, sk SCRUB#<scc-event-id>#<fingerprint of the notes read>.
 * A removal is recorded before SCC's item is written, and marked `applied` once that write succeeded; a
 * removal whose SCC write lost a race stays unapplied (its lines are still in SCC's notes, or were removed
 * by a later removal), so counts and the operator's view use applied removals only.
 */
export interface Removal {
  bookingId: string;
  sccEventId: string;
  lines: string[];
  /** Fingerprint of the notes this removal produced: finding them in SCC proves the removal was applied. */
  cleanFingerprint: string;
  applied: boolean;
  recordedAt: string;
}

/** The operator's view of one crew event: the lines removed from its notes, oldest first. */
export interface RemovedLines {
  bookingId: string;
  sccEventId: string;
  lines: string[];
}

export const notesFingerprint = (notes: string) => createHash('sha256').update(notes, 'utf8').digest('hex');

const removalPrefix = (sccEventId: string) => `SCRUB#${sccEventId}#`;

export class RemovedLinesStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly table = bookingsTable(),
  ) {}

  /** Records a removal computed from `readNotes`; recording the same one again changes nothing. */
  async record(
    bookingId: string,
    sccEventId: string,
    readNotes: string,
    cleanNotes: string,
    lines: string[],
  ): Promise<void> {
    const removal: Removal = {
      bookingId,
      sccEventId,
      lines,
      cleanFingerprint: notesFingerprint(cleanNotes),
      applied: false,
      recordedAt: new Date().toISOString(),
    };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: bookingKey(bookingId), sk: removalPrefix(sccEventId) + notesFingerprint(readNotes), ...removal },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async markApplied(bookingId: string, sccEventId: string, readNotes: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: bookingKey(bookingId), sk: removalPrefix(sccEventId) + notesFingerprint(readNotes) },
        UpdateExpression: 'SET applied = :yes',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
  }

  /**
   * After a crash between SCC's write and `markApplied`, SCC holds the clean notes of an unapplied removal:
   * mark it applied now. Returns whether anything was marked.
   */
  async settle(bookingId: string, sccEventId: string, currentNotes: string): Promise<boolean> {
    const fingerprint = notesFingerprint(currentNotes);
    const pending = (await this.removals(bookingId, sccEventId)).filter(
      (r) => !r.applied && r.cleanFingerprint === fingerprint,
    );
    for (const removal of pending) {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: bookingKey(bookingId), sk: removal.sk },
          UpdateExpression: 'SET applied = :yes',
          ExpressionAttributeValues: { ':yes': true },
        }),
      );
    }
    return pending.length > 0;
  }

  /** Lines removed from this crew event's notes so far (applied removals only). */
  async countApplied(bookingId: string, sccEventId: string): Promise<number> {
    const removals = await this.removals(bookingId, sccEventId);
    return removals.filter((r) => r.applied).reduce((sum, r) => sum + r.lines.length, 0);
  }

  /** This crew event's applied removals: the fingerprint of the notes each was made from, and its line count. */
  async appliedOf(bookingId: string, sccEventId: string): Promise<{ read: string; lines: number }[]> {
    return (await this.removals(bookingId, sccEventId))
      .filter((r) => r.applied)
      .map((r) => ({ read: r.sk.slice(removalPrefix(sccEventId).length), lines: r.lines.length }));
  }

  /**
   * The operator's view: per crew event of the booking, the lines removed from its notes, oldest first: those
   * removed under a revision's lease (kept in scrub's STATE record) and those re-checks removed (SCRUB# items).
   */
  async forBooking(bookingId: string): Promise<RemovedLines[]> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: bookingKey(bookingId), sk: consumerStateKey('scrub') },
        ConsistentRead: true,
      }),
    );
    const held = ((Item?.held as { removedLines?: HeldRemoval[] } | undefined)?.removedLines ?? []).map((r) => ({
      sccEventId: r.sccEventId,
      lines: r.lines,
      at: r.removedAt,
    }));
    const recorded = (await this.removals(bookingId, ''))
      .filter((r) => r.applied)
      .map((r) => ({ sccEventId: r.sccEventId, lines: r.lines, at: r.recordedAt }));
    const byEvent = new Map<string, RemovedLines>();
    for (const removal of [...held, ...recorded].sort((a, b) => a.at.localeCompare(b.at))) {
      const entry = byEvent.get(removal.sccEventId) ?? { bookingId, sccEventId: removal.sccEventId, lines: [] };
      entry.lines.push(...removal.lines);
      byEvent.set(removal.sccEventId, entry);
    }
    return [...byEvent.values()];
  }

  private async removals(bookingId: string, sccEventId: string): Promise<(Removal & { sk: string })[]> {
    const items: (Removal & { sk: string })[] = [];
    const pages = paginateQuery(
      { client: this.documents },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': bookingKey(bookingId),
          ':prefix': sccEventId ? removalPrefix(sccEventId) : 'SCRUB#',
        },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as (Removal & { sk: string })[]));
    return items.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
  }
}

/** The operator's view of a booking: the revenue lines removed from its crew notes (what `npm run demo` prints). */
export function removedLinesOf(documents: DynamoDBDocumentClient, bookingId: string): Promise<RemovedLines[]> {
  return new RemovedLinesStore(documents).forBooking(bookingId);
}
