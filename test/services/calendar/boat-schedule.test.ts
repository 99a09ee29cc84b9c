import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoatSchedule } from '../../../services/calendar/boat-schedule';
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
