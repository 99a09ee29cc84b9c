import { DeleteCommand, PutCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ownTableName } from '../../shared/declaration';
import { isConditionFailure } from '../../shared/errors';
import { LONGEST_TRIP_HOURS } from '../../shared/contract/boatsetter';
import type { TripWindow } from '../../shared/trip';

/**
 * Which trips hold each boat when, so the calendar can see a double booking (the seed post's reason for the
 * internal calendar). In the calendar's own table (declared in ./declaration.ts):
 *   pk BOAT#<listing>  sk SLOT#<start, UTC>#<booking>  an active trip: its booking, calendar entry and window
 *   pk BOAT#<listing>  sk PAIR#<booking a>#<booking b>  two active trips that overlap (a < b): a conflict
 * Slots sort by start, so the trips that can overlap one are read by key range, however long the history.
 * A pair is written with a condition: when two overlapping bookings are placed at once, both may see the
 * other (each writes its slot before it reads), but only one creates the pair, and only it reports it.
 */

export const scheduleTableName = (stage?: string) => ownTableName('calendar', 'boat-schedule', stage);

/** How far back a slot that still overlaps can start: the longest trip the webhook accepts. */
const LONGEST_TRIP_MS = LONGEST_TRIP_HOURS * 3_600_000;

export interface Slot {
  bookingId: string;
  calendarEntryId: string;
  start: string;
  end: string;
  /** The boat it holds, when the schedule says (it does for every slot it returns). */
  listingId?: string;
}

/** Where a booking's slot is kept, to move or free it later. */
export interface SlotKey {
  listingId: string;
  startMs: number;
}

export interface ScheduleChange {
  slot: SlotKey;
  /** Bookings this one newly overlaps: conflicts this run reports. */
  detected: Slot[];
  /** Bookings this one no longer overlaps. */
  resolved: Slot[];
  /** Every booking this one overlaps now. */
  conflictsWith: Slot[];
}

interface PairItem {
  a: string;
  b: string;
  slots: Record<string, Slot>;
}

const boatKey = (listingId: string) => `BOAT#${listingId}`;
const slotSortKey = (startMs: number, bookingId: string) => `SLOT#${new Date(startMs).toISOString()}#${bookingId}`;
const pairSortKey = (x: string, y: string) => (x < y ? `PAIR#${x}#${y}` : `PAIR#${y}#${x}`);

export class BoatSchedule {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly turnaroundMs: number,
    private readonly table = scheduleTableName(),
  ) {}

  /**
   * Puts the booking's trip on its boat (moving it from `previous`, which may be another boat or time), and
   * brings its conflicts up to date: pairs with trips it now overlaps are created, pairs with trips it no
   * longer overlaps are removed.
   */
  async place(
    bookingId: string,
    calendarEntryId: string,
    listingId: string,
    trip: TripWindow,
    previous?: SlotKey,
  ): Promise<ScheduleChange> {
    const slot: Slot = { bookingId, calendarEntryId, start: trip.start, end: trip.end };
    const key: SlotKey = { listingId, startMs: trip.startMs };
    await this.documents.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: boatKey(listingId),
          sk: slotSortKey(trip.startMs, bookingId),
          ...slot,
          startMs: trip.startMs,
          endMs: trip.endMs,
        },
      }),
    );
    if (previous && (previous.listingId !== listingId || previous.startMs !== trip.startMs)) {
      await this.deleteSlot(bookingId, previous);
    }

    const overlapping = await this.overlapping(bookingId, listingId, trip);
    const pairs = await this.pairsOf(bookingId, [
      listingId,
      ...(previous && previous.listingId !== listingId ? [previous.listingId] : []),
    ]);
    const paired = new Set(pairs.map((p) => partnerOf(p.item, bookingId)));
    const overlappingIds = new Set(overlapping.map((s) => s.bookingId));

    const detected: Slot[] = [];
    for (const other of overlapping.filter((s) => !paired.has(s.bookingId))) {
      if (await this.createPair(listingId, slot, other)) detected.push({ ...other, listingId });
    }
    const resolved: Slot[] = [];
    for (const pair of pairs) {
      const partner = partnerOf(pair.item, bookingId);
      if (pair.listingId === listingId && overlappingIds.has(partner)) continue;
      if (await this.deletePair(pair.listingId, pair.item)) resolved.push(partnerSlot(pair, bookingId));
    }
    return { slot: key, detected, resolved, conflictsWith: overlapping };
  }

  /** Frees the booking's slot (a cancellation): every conflict it had is resolved. */
  async free(bookingId: string, previous: SlotKey): Promise<Slot[]> {
    await this.deleteSlot(bookingId, previous);
    const resolved: Slot[] = [];
    for (const pair of await this.pairsOf(bookingId, [previous.listingId])) {
      if (await this.deletePair(pair.listingId, pair.item)) resolved.push(partnerSlot(pair, bookingId));
    }
    return resolved;
  }

  /** The bookings a booking is in conflict with now, on one boat: its pairs' other halves. */
  async pairedWith(bookingId: string, listingId: string): Promise<Slot[]> {
    return (await this.pairsOf(bookingId, [listingId])).map((pair) => partnerSlot(pair, bookingId));
  }

  /** The ids of the bookings a booking is in conflict with now, on one boat. */
  async conflictsOf(bookingId: string, listingId: string): Promise<string[]> {
    return (await this.pairedWith(bookingId, listingId)).map((s) => s.bookingId).sort();
  }

  private async overlapping(bookingId: string, listingId: string, trip: TripWindow): Promise<Slot[]> {
    const from = trip.startMs - LONGEST_TRIP_MS - this.turnaroundMs;
    const to = trip.endMs + this.turnaroundMs;
    const found: Slot[] = [];
    const pages = paginateQuery(
      { client: this.documents },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': boatKey(listingId),
          ':from': slotSortKey(from, ''),
          ':to': slotSortKey(to, '~'),
        },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const overlaps =
          item.bookingId !== bookingId &&
          item.startMs < trip.endMs + this.turnaroundMs &&
          item.endMs + this.turnaroundMs > trip.startMs;
        if (overlaps) {
          found.push({
            bookingId: item.bookingId,
            calendarEntryId: item.calendarEntryId,
            start: item.start,
            end: item.end,
          });
        }
      }
    }
    return found;
  }

  private async pairsOf(bookingId: string, listingIds: string[]): Promise<{ listingId: string; item: PairItem }[]> {
    const found: { listingId: string; item: PairItem }[] = [];
    for (const listingId of listingIds) {
      const pages = paginateQuery(
        { client: this.documents },
        {
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :pair)',
          FilterExpression: 'a = :b OR b = :b',
          ExpressionAttributeValues: { ':pk': boatKey(listingId), ':pair': 'PAIR#', ':b': bookingId },
          ConsistentRead: true,
        },
      );
      for await (const page of pages)
        for (const item of page.Items ?? []) found.push({ listingId, item: item as PairItem });
    }
    return found;
  }

  private async createPair(listingId: string, slot: Slot, other: Slot): Promise<boolean> {
    const [a, b] = [slot.bookingId, other.bookingId].sort() as [string, string];
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: boatKey(listingId),
            sk: pairSortKey(a, b),
            a,
            b,
            slots: { [slot.bookingId]: slot, [other.bookingId]: other },
          },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  private async deletePair(listingId: string, pair: PairItem): Promise<boolean> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: boatKey(listingId), sk: pairSortKey(pair.a, pair.b) },
          ConditionExpression: 'attribute_exists(sk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  private async deleteSlot(bookingId: string, key: SlotKey): Promise<void> {
    await this.documents.send(
      new DeleteCommand({
        TableName: this.table,
        Key: { pk: boatKey(key.listingId), sk: slotSortKey(key.startMs, bookingId) },
      }),
    );
  }
}

const partnerOf = (pair: PairItem, bookingId: string) => (pair.a === bookingId ? pair.b : pair.a);

const partnerSlot = (pair: { listingId: string; item: PairItem }, bookingId: string): Slot => ({
  ...pair.item.slots[partnerOf(pair.item, bookingId)]!,
  listingId: pair.listingId,
});
