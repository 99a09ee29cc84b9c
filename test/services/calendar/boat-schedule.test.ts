import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { BoatSchedule, daysHeld, scheduleTableName } from '../../../services/calendar/boat-schedule';
import { documentClient } from '../../../shared/aws';
import { tripWindow } from '../../../shared/trip';
import { bookingSnapshot } from '../../../samples';
import { startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from './support';

/**
 * The boat's schedule on the local stack's DynamoDB: a change run again after a crash (the same change key)
 * finds the double booking its first attempt found, or ended, and reports it again; another change does not.
 */

let env: CalendarCrewStack;
let schedule: BoatSchedule;
beforeAll(async () => {
  env = await startCalendarCrewStack([]);
  schedule = new BoatSchedule(documentClient(), 30 * 60_000);
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const windowAt = (time: string) =>
  tripWindow({ trip: { ...bookingSnapshot().trip, start: `2027-03-12T${time}:00-08:00`, durationHours: 3 } });
const ids = (slots: { bookingId: string }[]) => slots.map((s) => s.bookingId);

describe('the boat schedule, when a change runs again', () => {
  it('reports the overlap its first attempt found, and the one it ended, until the ended pair is forgotten', async () => {
    const [x, y] = [uniqueBookingId('X'), uniqueBookingId('Y')];
    const listingId = `lst_${x.toLowerCase()}`;
    const xPlaced = await schedule.place(x, 'cal_x', listingId, windowAt('10:00'), undefined, `${x}:r1`);
    expect(ids(xPlaced.detected)).toEqual([]);

    const yFirst = await schedule.place(y, 'cal_y', listingId, windowAt('11:00'), undefined, `${y}:r1`);
    expect(ids(yFirst.detected)).toEqual([x]);
    expect(yFirst.detected[0]!.listingId).toBe(listingId);
    // The same change again (a crash before it was recorded): it still reports the pair it created.
    const yAgain = await schedule.place(y, 'cal_y', listingId, windowAt('11:00'), yFirst.slot, `${y}:r1`);
    expect(ids(yAgain.detected)).toEqual([x]);
    // Another change of the same trip did not find it.
    const yLater = await schedule.place(y, 'cal_y', listingId, windowAt('11:00'), yFirst.slot, `${y}:r2`);
    expect(ids(yLater.detected)).toEqual([]);
    expect(await schedule.conflictsOf(x, listingId)).toEqual([y]);

    const xAway = await schedule.place(x, 'cal_x', listingId, windowAt('16:00'), xPlaced.slot, `${x}:r2`);
    expect(ids(xAway.resolved)).toEqual([y]);
    // Ended: no conflict any more, for either booking.
    expect(await schedule.conflictsOf(x, listingId)).toEqual([]);
    expect(await schedule.conflictsOf(y, listingId)).toEqual([]);
    const xAwayAgain = await schedule.place(x, 'cal_x', listingId, windowAt('16:00'), xAway.slot, `${x}:r2`);
    expect(ids(xAwayAgain.resolved)).toEqual([y]);

    await schedule.forget(x, xAway.resolved, `${x}:r2`);
    const xAwayOnceMore = await schedule.place(x, 'cal_x', listingId, windowAt('16:00'), xAway.slot, `${x}:r2`);
    expect(ids(xAwayOnceMore.resolved)).toEqual([]);
  });

  it('a first placement run again, with no slot recorded yet, reports the overlap it found, not one a partner found', async () => {
    const [x, y, z] = [uniqueBookingId('X'), uniqueBookingId('Y'), uniqueBookingId('Z')];
    const listingId = `lst_${x.toLowerCase()}`;
    await schedule.place(x, 'cal_x', listingId, windowAt('10:00'), undefined, `${x}:r1`);
    const yFirst = await schedule.place(y, 'cal_y', listingId, windowAt('11:00'), undefined, `${y}:r1`);
    expect(ids(yFirst.detected)).toEqual([x]);
    // Z finds Y's slot and pairs with it; then Y's change runs again after a crash, before its slot was recorded.
    const zPlaced = await schedule.place(z, 'cal_z', listingId, windowAt('14:15'), undefined, `${z}:r1`);
    expect(ids(zPlaced.detected)).toEqual([y]);
    const yAgain = await schedule.place(y, 'cal_y', listingId, windowAt('11:00'), undefined, `${y}:r1`);
    expect(ids(yAgain.detected)).toEqual([x]);
    expect(ids(yAgain.conflictsWith).sort()).toEqual([x, z].sort());
    expect(await schedule.conflictsOf(y, listingId)).toEqual([x, z].sort());
  });

  it('an ended pair not yet forgotten is found again by a change that overlaps again, and kept by it', async () => {
    const [x, y] = [uniqueBookingId('X'), uniqueBookingId('Y')];
    const listingId = `lst_${x.toLowerCase()}`;
    const xPlaced = await schedule.place(x, 'cal_x', listingId, windowAt('10:00'), undefined, `${x}:r1`);
    const yPlaced = await schedule.place(y, 'cal_y', listingId, windowAt('11:00'), undefined, `${y}:r1`);
    const xAway = await schedule.place(x, 'cal_x', listingId, windowAt('16:00'), xPlaced.slot, `${x}:r2`);
    expect(ids(xAway.resolved)).toEqual([y]);

    // Y moves onto X's new time before X's change forgot the pair.
    const yFollows = await schedule.place(y, 'cal_y', listingId, windowAt('17:00'), yPlaced.slot, `${y}:r2`);
    expect(ids(yFollows.detected)).toEqual([x]);
    await schedule.forget(x, xAway.resolved, `${x}:r2`);
    expect(await schedule.conflictsOf(x, listingId)).toEqual([y]);
    expect(await schedule.conflictsOf(y, listingId)).toEqual([x]);
  });

  it('a cancellation run again reports the overlaps it ended', async () => {
    const [x, y] = [uniqueBookingId('X'), uniqueBookingId('Y')];
    const listingId = `lst_${x.toLowerCase()}`;
    const xPlaced = await schedule.place(x, 'cal_x', listingId, windowAt('10:00'), undefined, `${x}:r1`);
    await schedule.place(y, 'cal_y', listingId, windowAt('11:00'), undefined, `${y}:r1`);
    expect(ids(await schedule.free(x, xPlaced.slot, `${x}:r2`))).toEqual([y]);
    expect(await schedule.conflictsOf(y, listingId)).toEqual([]);
    expect(ids(await schedule.free(x, xPlaced.slot, `${x}:r2`))).toEqual([y]);
  });
});

/** A trip of `hours` from `start`, an instant at the dock ("2027-03-12T22:00:00-08:00"). */
const windowFrom = (start: string, hours: number) =>
  tripWindow({ trip: { ...bookingSnapshot().trip, start, durationHours: hours } });

describe('the boat schedule, day by day', () => {
  it('holds a trip on each date at the dock it takes, turnaround included', () => {
    const window = windowAt('10:00');
    expect(daysHeld(window.startMs, window.endMs + 30 * 60_000)).toEqual(['2027-03-12']);
    const night = windowFrom('2027-03-12T22:00:00-08:00', 1.5);
    // Over at 23:30; the turnaround takes the boat into the next day.
    expect(daysHeld(night.startMs, night.endMs)).toEqual(['2027-03-12']);
    expect(daysHeld(night.startMs, night.endMs + 30 * 60_000)).toEqual(['2027-03-12']);
    expect(daysHeld(night.startMs, night.endMs + 31 * 60_000)).toEqual(['2027-03-12', '2027-03-13']);
    // Across the spring DST change (8 March 2027, 02:00): dates at the dock, not UTC's.
    const week = windowFrom('2027-03-06T17:00:00-08:00', 24 * 3);
    expect(daysHeld(week.startMs, week.endMs)).toEqual(['2027-03-06', '2027-03-07', '2027-03-08', '2027-03-09']);
  });

  it('finds a trip across midnight from either day, and a trip of days from a day in its middle', async () => {
    const [x, y, z, w] = [uniqueBookingId('X'), uniqueBookingId('Y'), uniqueBookingId('Z'), uniqueBookingId('W')];
    const listingId = `lst_${x.toLowerCase()}`;
    await schedule.place(x, 'cal_x', listingId, windowFrom('2027-03-12T22:00:00-08:00', 4), undefined, `${x}:r1`);
    const early = await schedule.place(y, 'cal_y', listingId, windowFrom('2027-03-13T01:30:00-08:00', 2));
    expect(ids(early.detected)).toEqual([x]);
    // Four days at sea from the 20th; Z, on the 22nd, never shares the trip's first day.
    await schedule.place(z, 'cal_z', listingId, windowFrom('2027-03-22T09:00:00-07:00', 3), undefined, `${z}:r1`);
    const voyage = await schedule.place(w, 'cal_w', listingId, windowFrom('2027-03-20T09:00:00-07:00', 96));
    expect(ids(voyage.detected)).toEqual([z]);
    expect(voyage.slot.days).toHaveLength(5);
    expect(await schedule.conflictsOf(z, listingId)).toEqual([w]);
  });

  it('two overlapping trips placed at the same moment: one of them reports the pair, both are paired', async () => {
    const runs = Array.from({ length: 12 }, () => {
      const [x, y] = [uniqueBookingId('X'), uniqueBookingId('Y')];
      return { x, y, listingId: `lst_${x.toLowerCase()}` };
    });
    const placed = await Promise.all(
      runs.map(({ x, y, listingId }, i) =>
        Promise.all([
          schedule.place(x, 'cal_x', listingId, windowAt('10:00'), undefined, `${x}:r1`),
          // Half of them across midnight: they share only the second day.
          i % 2 === 0
            ? schedule.place(y, 'cal_y', listingId, windowAt('11:00'), undefined, `${y}:r1`)
            : schedule.place(y, 'cal_y', listingId, windowFrom('2027-03-11T22:00:00-08:00', 13), undefined, `${y}:r1`),
        ]),
      ),
    );
    for (const [i, [xPlaced, yPlaced]] of placed.entries()) {
      const { x, y, listingId } = runs[i]!;
      expect([...ids(xPlaced.detected), ...ids(yPlaced.detected)].sort()).toHaveLength(1);
      expect(await schedule.conflictsOf(x, listingId)).toEqual([y]);
      expect(await schedule.conflictsOf(y, listingId)).toEqual([x]);
    }
  });

  it('a trip moved to another day leaves the days it held; a cancelled one leaves its days', async () => {
    const [x, y, z] = [uniqueBookingId('X'), uniqueBookingId('Y'), uniqueBookingId('Z')];
    const listingId = `lst_${x.toLowerCase()}`;
    const across = await schedule.place(x, 'cal_x', listingId, windowFrom('2027-03-12T22:00:00-08:00', 4));
    expect(across.slot.days).toEqual(['2027-03-12', '2027-03-13']);
    const moved = await schedule.place(x, 'cal_x', listingId, windowFrom('2027-03-13T08:00:00-08:00', 2), across.slot);
    expect(moved.slot.days).toEqual(['2027-03-13']);
    const atNight = await schedule.place(y, 'cal_y', listingId, windowFrom('2027-03-12T21:00:00-08:00', 2));
    expect(ids(atNight.conflictsWith)).toEqual([]);
    expect(await items(listingId, 'DAY#2027-03-12')).toEqual([y]);
    expect(await items(listingId, 'DAY#2027-03-13')).toEqual([x]);

    await schedule.free(x, moved.slot);
    const morning = await schedule.place(z, 'cal_z', listingId, windowFrom('2027-03-13T08:30:00-08:00', 2));
    expect(ids(morning.conflictsWith)).toEqual([]);
    // Freed again (a cancellation run again): nothing left to take out, and no day made for it.
    await schedule.free(x, moved.slot);
    await schedule.free(x, across.slot);
    expect(await items(listingId, 'DAY#2027-03-13')).toEqual([z]);
  });

  it('a slot kept before days were (its own item) is deleted when its trip moves', async () => {
    const x = uniqueBookingId('X');
    const listingId = `lst_${x.toLowerCase()}`;
    const before = windowAt('10:00');
    const legacyKey = `SLOT#${new Date(before.startMs).toISOString()}#${x}`;
    const item = { pk: `BOAT#${listingId}`, sk: legacyKey, bookingId: x, calendarEntryId: 'cal_x', ...before };
    await documentClient().send(new PutCommand({ TableName: scheduleTableName(), Item: item }));
    await schedule.place(x, 'cal_x', listingId, windowAt('12:00'), { listingId, startMs: before.startMs });
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: scheduleTableName(), Key: { pk: `BOAT#${listingId}`, sk: legacyKey } }),
    );
    expect(Item).toBeUndefined();
    expect(await items(listingId, 'DAY#2027-03-12')).toEqual([x]);
  });
});

/** The bookings a day's item holds on the boat. */
async function items(listingId: string, sk: string): Promise<string[]> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: scheduleTableName(), Key: { pk: `BOAT#${listingId}`, sk }, ConsistentRead: true }),
  );
  return Object.keys(Item ?? {})
    .filter((name) => name.startsWith('SLOT#'))
    .map((name) => name.slice('SLOT#'.length))
    .sort();
}
