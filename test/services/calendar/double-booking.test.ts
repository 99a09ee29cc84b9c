import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingSnapshot } from '../../../shared/contract/events';
import { bookingSnapshot, eventMetadata } from '../../../samples';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from './support';

/**
 * The double-booking marks JADA shows, on the local stack with the calendar consumer: whoever moves, and however
 * two moves race, each entry ends marked with exactly the bookings its trip overlaps in the boat's schedule.
 */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['calendar']);
}, 60_000);
afterAll(async () => {
  await env?.stop();
  logs?.restore();
});

/** A three-hour charter on its own boat, starting at `time` Pacific on 12 March 2027 (PST). */
function trip(bookingId: string, listingId: string, revision: number, time: string): BookingSnapshot {
  const sample = bookingSnapshot({ bookingId });
  return {
    ...sample,
    revision,
    status: revision === 1 ? 'confirmed' : 'modified',
    boat: { ...sample.boat, listingId },
    trip: { ...sample.trip, start: `2027-03-12T${time}:00-08:00` },
  };
}

/** Publishes the revision; with `settle`, waits until the calendar consumer has applied it. */
async function place(bookingId: string, listingId: string, revision: number, time: string, settle = true) {
  const detailType = revision === 1 ? 'BookingReceived' : 'BookingModified';
  await env.publisher.publishOne(detailType, {
    metadata: eventMetadata({
      bookingId,
      idempotencyKey: `${bookingId}:r${revision}:${detailType}`,
      correlationId: `msg_${bookingId}_${revision}`,
      causationId: `msg_${bookingId}_${revision}`,
    }),
    data: { booking: trip(bookingId, listingId, revision, time) },
  });
  if (settle) await env.stack.eventBridge.idle();
}

/** What JADA marks each booking's entry double-booked with (none: no mark). */
async function marks(...bookingIds: string[]) {
  await env.stack.eventBridge.idle();
  const entries = await env.tables.calendarEntries();
  return bookingIds.map((id) => {
    const own = entries.filter((e) => e.bookingId === id);
    expect(own).toHaveLength(1);
    return own[0]!.conflictsWith ?? [];
  });
}

const pair = () => {
  const [x, y] = [uniqueBookingId('X'), uniqueBookingId('Y')];
  return { x, y, listingId: `lst_${x.toLowerCase()}` };
};

describe('double-booking marks on JADA', () => {
  it('X placed first, Y overlapping: both marked; X moves away: neither keeps a mark', async () => {
    const { x, y, listingId } = pair();
    await place(x, listingId, 1, '10:00');
    await place(y, listingId, 1, '11:00');
    expect(await marks(x, y)).toEqual([[y], [x]]);

    // X was placed before Y: its own run never saw the pair, Y's run marked X.
    await place(x, listingId, 2, '16:00');
    expect(await marks(x, y)).toEqual([[], []]);
    const resolved = await env.eventsOf(x, 'CalendarConflictResolved');
    expect(resolved.map((e) => e.detail.data.resolvedWith)).toEqual([[{ bookingId: y }]]);
  });

  it('X moves but still overlaps Y: both still carry each other; Y moves away: both cleared', async () => {
    const { x, y, listingId } = pair();
    await place(x, listingId, 1, '10:00');
    await place(y, listingId, 1, '11:00');
    await place(x, listingId, 2, '12:00');
    expect(await marks(x, y)).toEqual([[y], [x]]);
    await place(y, listingId, 2, '06:00');
    expect(await marks(x, y)).toEqual([[], []]);
  });

  it('a third booking: X moving away from Y and Z leaves Y and Z marked with each other only', async () => {
    const { x, y, listingId } = pair();
    const z = uniqueBookingId('Z');
    await place(x, listingId, 1, '10:00');
    await place(y, listingId, 1, '11:00');
    await place(z, listingId, 1, '12:00');
    expect(await marks(x, y, z)).toEqual([[y, z].sort(), [x, z].sort(), [x, y].sort()]);
    await place(x, listingId, 2, '18:00');
    expect(await marks(x, y, z)).toEqual([[], [z], [y]]);
  });

  it('X and Y arriving at the same moment, 10 times: both marked, one CalendarConflictDetected', async () => {
    const runs = Array.from({ length: 10 }, () => pair());
    await Promise.all(
      runs.flatMap(({ x, y, listingId }) => [
        place(x, listingId, 1, '10:00', false),
        place(y, listingId, 1, '11:00', false),
      ]),
    );
    expect(await Promise.all(runs.map(({ x, y }) => marks(x, y)))).toEqual(runs.map(({ x, y }) => [[y], [x]]));
    for (const { x, y } of runs) {
      const detected = [
        ...(await env.eventsOf(x, 'CalendarConflictDetected')),
        ...(await env.eventsOf(y, 'CalendarConflictDetected')),
      ];
      expect(detected).toHaveLength(1);
    }
  }, 60_000);

  it('X and Y moving at once, 20 times: the marks end as the schedule does', async () => {
    const runs = Array.from({ length: 20 }, (_, i) => ({ ...pair(), apart: i % 2 === 0 }));
    await Promise.all(runs.map(({ x, listingId }) => place(x, listingId, 1, '10:00', false)));
    await env.stack.eventBridge.idle();
    await Promise.all(runs.map(({ y, listingId }) => place(y, listingId, 1, '11:00', false)));
    expect(await Promise.all(runs.map(({ x, y }) => marks(x, y)))).toEqual(runs.map(({ x, y }) => [[y], [x]]));

    // Half the runs: X moves out and Y moves within X's old time (apart). The rest: both move, still overlapping.
    await Promise.all(
      runs.flatMap(({ x, y, listingId, apart }) => [
        place(x, listingId, 2, apart ? '16:00' : '09:00', false),
        place(y, listingId, 2, '10:30', false),
      ]),
    );
    const after = await Promise.all(runs.map(({ x, y }) => marks(x, y)));
    expect(after).toEqual(runs.map(({ x, y, apart }) => (apart ? [[], []] : [[y], [x]])));
    // A mark never undoes a move it raced with.
    const entries = await env.tables.calendarEntries();
    const startOf = (id: string) => entries.find((e) => e.bookingId === id)?.start;
    expect(runs.map(({ x, y }) => [startOf(x), startOf(y)])).toEqual(
      runs.map(({ apart }) => [`2027-03-12T${apart ? '16:00' : '09:00'}:00-08:00`, '2027-03-12T10:30:00-08:00']),
    );
    expect(await env.deadLetters('calendar')).toEqual([]);
  }, 120_000);
});
