import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  paginateQuery,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ownTableName } from '../../shared/declaration';
import { isConditionFailure } from '../../shared/errors';
import { DEPARTURE_TIME_ZONE, zoneOffsetMinutes, type TripWindow } from '../../shared/trip';

/**
 * Which trips hold each boat when, so the calendar can see a double booking (the seed post's reason for the
 * internal calendar). In the calendar's own table (declared in ./declaration.ts):
 *   pk BOAT#<listing>  sk DAY#<date at the dock>  the active trips that hold the boat that day, turnaround
 *                                                  included: one attribute SLOT#<booking> each (its booking,
 *                                                  calendar entry and window)
 *   pk BOAT#<listing>  sk PAIR#<booking a>#<booking b>  two active trips that overlap (a < b): a conflict
 * A trip is written into every day it holds the boat, and each write returns the whole day: two trips that
 * overlap both hold the boat at the later start, so they share that day's item, and the writes of one item
 * happen one after the other: when two overlapping bookings are placed at once, the second write sees the first
 * (both may, when they share several days). The write is the read: no key range to query, however long the
 * history. A pair is written with a condition, so only one of two that see each other creates it and reports it.
 * A pair names the change that created it (`createdBy`), and an overlap that ends is first marked ended by the
 * change that ends it (`endedBy`), then forgotten once the marks in JADA say so: a change run again after a crash
 * finds what its first attempt created or ended and reports it, instead of finding nothing left to report.
 * Slots written before days were kept (sk SLOT#<start, UTC>#<booking>, one item each) are only ever deleted.
 */

export const scheduleTableName = (stage?: string) => ownTableName('calendar', 'boat-schedule', stage);

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
  /** The days at the dock it was written into; absent for a slot kept before days were (its own SLOT# item). */
  days?: string[];
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
  /** The change (its idempotency key) that found the overlap. */
  createdBy?: string;
  /** The change that found it over; the pair is no conflict any more, and is deleted once marks are stated. */
  endedBy?: string;
}

const boatKey = (listingId: string) => `BOAT#${listingId}`;
const daySortKey = (day: string) => `DAY#${day}`;
/** The attribute of a day's item that holds one booking's trip. */
const slotAttribute = (bookingId: string) => `SLOT#${bookingId}`;
/** The sort key of a slot kept before days were. */
const legacySlotSortKey = (startMs: number, bookingId: string) =>
  `SLOT#${new Date(startMs).toISOString()}#${bookingId}`;
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
   * longer overlaps are ended (removed at once without `by`; else by `forget`, after the marks).
   * `by` names the change; run again with the same `by`, it reports what its first attempt created or ended.
   */
  async place(
    bookingId: string,
    calendarEntryId: string,
    listingId: string,
    trip: TripWindow,
    previous?: SlotKey,
    by?: string,
  ): Promise<ScheduleChange> {
    const slot: Slot = { bookingId, calendarEntryId, start: trip.start, end: trip.end };
    const days = daysHeld(trip.startMs, trip.endMs + this.turnaroundMs);
    const key: SlotKey = { listingId, startMs: trip.startMs, days };
    const overlapping = await this.hold(listingId, days, { ...slot, startMs: trip.startMs, endMs: trip.endMs }, trip);
    // Freed only once the new days are held: a partner placed meanwhile sees this trip at one time or the other.
    if (previous) {
      const stays = previous.listingId === listingId ? days : [];
      await this.release(bookingId, previous, stays);
    }

    // A first placement has no pairs but those made once its slot was written, by a partner placed since (it
    // found this slot) or by this change before a crash: each is a trip that overlaps it, and its createPair
    // below fails and reads it. So no Query for them.
    const pairs = previous
      ? await this.pairsOf(bookingId, [listingId, ...(previous.listingId !== listingId ? [previous.listingId] : [])])
      : [];
    // A pair another change has ended is gone for this one (and revived if the trips overlap again).
    const live = pairs.filter((p) => !p.item.endedBy || p.item.endedBy === by);
    const overlappingIds = new Set(overlapping.map((s) => s.bookingId));
    const overlaps = (p: { listingId: string; item: PairItem }) =>
      p.listingId === listingId && overlappingIds.has(partnerOf(p.item, bookingId));
    const kept = live.filter((p) => !p.item.endedBy && overlaps(p));
    const paired = new Set(kept.map((p) => partnerOf(p.item, bookingId)));

    // A pair this change created in an attempt before a crash is still this change's to report.
    const detected: Slot[] = kept
      .filter((p) => by !== undefined && p.item.createdBy === by)
      .map((p) => partnerSlot(p, bookingId));
    for (const other of overlapping.filter((s) => !paired.has(s.bookingId))) {
      if (await this.createPair(listingId, slot, other, by)) detected.push({ ...other, listingId });
      else if (!previous && by !== undefined && (await this.createdBy(listingId, bookingId, other.bookingId)) === by)
        detected.push({ ...other, listingId });
    }
    const resolved: Slot[] = [];
    for (const pair of live.filter((p) => !overlaps(p))) {
      if (await this.endPair(pair, by)) resolved.push(partnerSlot(pair, bookingId));
    }
    return { slot: key, detected, resolved, conflictsWith: overlapping };
  }

  /** Frees the booking's slot (a cancellation): every conflict it had is resolved (ended, as `place` ends one). */
  async free(bookingId: string, previous: SlotKey, by?: string): Promise<Slot[]> {
    await this.release(bookingId, previous, []);
    const resolved: Slot[] = [];
    for (const pair of await this.pairsOf(bookingId, [previous.listingId])) {
      if (pair.item.endedBy && pair.item.endedBy !== by) continue;
      if (await this.endPair(pair, by)) resolved.push(partnerSlot(pair, bookingId));
    }
    return resolved;
  }

  /** Deletes the pairs `by` ended with these partners, once JADA's marks no longer show them. */
  async forget(bookingId: string, partners: readonly Slot[], by: string): Promise<void> {
    for (const partner of partners) {
      if (!partner.listingId) continue;
      try {
        await this.documents.send(
          new DeleteCommand({
            TableName: this.table,
            Key: { pk: boatKey(partner.listingId), sk: pairSortKey(bookingId, partner.bookingId) },
            ConditionExpression: 'endedBy = :by',
            ExpressionAttributeValues: { ':by': by },
          }),
        );
      } catch (error) {
        // Already forgotten, or revived by a change that found the trips overlapping again.
        if (!isConditionFailure(error)) throw error;
      }
    }
  }

  /** The bookings a booking is in conflict with now, on one boat: its live pairs' other halves. */
  async pairedWith(bookingId: string, listingId: string): Promise<Slot[]> {
    return (await this.pairsOf(bookingId, [listingId]))
      .filter((pair) => !pair.item.endedBy)
      .map((pair) => partnerSlot(pair, bookingId));
  }

  /** The ids of the bookings a booking is in conflict with now, on one boat. */
  async conflictsOf(bookingId: string, listingId: string): Promise<string[]> {
    return (await this.pairedWith(bookingId, listingId)).map((s) => s.bookingId).sort();
  }

  /**
   * Writes the trip into each day it holds the boat, and answers the trips each day's item held with it that
   * overlap it: the write returns the item as it left it, the trips written before it included.
   */
  private async hold(
    listingId: string,
    days: string[],
    stored: Slot & { startMs: number; endMs: number },
    trip: TripWindow,
  ): Promise<Slot[]> {
    const found = new Map<string, Slot>();
    for (const day of days) {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: boatKey(listingId), sk: daySortKey(day) },
          UpdateExpression: 'SET #slot = :slot',
          ExpressionAttributeNames: { '#slot': slotAttribute(stored.bookingId) },
          ExpressionAttributeValues: { ':slot': stored },
          ReturnValues: 'ALL_NEW',
        }),
      );
      for (const [name, item] of Object.entries(Attributes ?? {})) {
        if (!name.startsWith('SLOT#')) continue;
        const overlaps =
          item.bookingId !== stored.bookingId &&
          item.startMs < trip.endMs + this.turnaroundMs &&
          item.endMs + this.turnaroundMs > trip.startMs;
        if (overlaps && !found.has(item.bookingId)) {
          found.set(item.bookingId, {
            bookingId: item.bookingId,
            calendarEntryId: item.calendarEntryId,
            start: item.start,
            end: item.end,
          });
        }
      }
    }
    return [...found.values()];
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

  /** Which change made the pair, while it is live (not ended). */
  private async createdBy(listingId: string, x: string, y: string): Promise<string | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: boatKey(listingId), sk: pairSortKey(x, y) },
        ConsistentRead: true,
      }),
    );
    const pair = Item as PairItem | undefined;
    return pair && !pair.endedBy ? pair.createdBy : undefined;
  }

  private async createPair(listingId: string, slot: Slot, other: Slot, by: string | undefined): Promise<boolean> {
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
            ...(by !== undefined ? { createdBy: by } : {}),
          },
          // An ended pair not yet forgotten is an overlap found again: this change reports it.
          ConditionExpression: 'attribute_not_exists(sk) OR attribute_exists(endedBy)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /** Ends a pair for `by` (true when this change ended it, now or in an attempt before); without `by`, deletes it. */
  private async endPair(pair: { listingId: string; item: PairItem }, by: string | undefined): Promise<boolean> {
    if (by === undefined) return this.deletePair(pair.listingId, pair.item);
    if (pair.item.endedBy === by) return true;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: boatKey(pair.listingId), sk: pairSortKey(pair.item.a, pair.item.b) },
          UpdateExpression: 'SET endedBy = :by',
          ConditionExpression: 'attribute_exists(sk) AND attribute_not_exists(endedBy)',
          ExpressionAttributeValues: { ':by': by },
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

  /** Takes the booking's trip out of the days it held, but those in `stays` (it holds them again already). */
  private async release(bookingId: string, key: SlotKey, stays: readonly string[]): Promise<void> {
    if (!key.days) {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: boatKey(key.listingId), sk: legacySlotSortKey(key.startMs, bookingId) },
        }),
      );
      return;
    }
    for (const day of key.days.filter((d) => !stays.includes(d))) {
      try {
        await this.documents.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: boatKey(key.listingId), sk: daySortKey(day) },
            UpdateExpression: 'REMOVE #slot',
            // Not there (freed before a crash): no empty day item made for it.
            ConditionExpression: 'attribute_exists(#slot)',
            ExpressionAttributeNames: { '#slot': slotAttribute(bookingId) },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }
}

/** The date at the dock an instant falls on ("2027-03-12"): a day's item holds the trips of one such date. */
function dockDate(ms: number): string {
  return new Date(ms + zoneOffsetMinutes(ms, DEPARTURE_TIME_ZONE) * 60_000).toISOString().slice(0, 10);
}

/**
 * Every date at the dock from `fromMs` up to (not including) `untilMs`: the days a trip holds its boat. A trip
 * across midnight holds two; the longest the webhook accepts, fifteen.
 */
export function daysHeld(fromMs: number, untilMs: number): string[] {
  const last = dockDate(Math.max(fromMs, untilMs - 1));
  const days = [dockDate(fromMs)];
  while (days.at(-1)! < last) {
    days.push(new Date(Date.parse(`${days.at(-1)}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10));
  }
  return days;
}

const partnerOf = (pair: PairItem, bookingId: string) => (pair.a === bookingId ? pair.b : pair.a);

const partnerSlot = (pair: { listingId: string; item: PairItem }, bookingId: string): Slot => ({
  ...pair.item.slots[partnerOf(pair.item, bookingId)]!,
  listingId: pair.listingId,
});
