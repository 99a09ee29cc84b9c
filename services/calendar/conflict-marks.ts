import type { CallContext } from '../../shared/http-client';
import { gateShut, isShadowId } from '../../shared/shadow';
import type { BoatSchedule, Slot } from './boat-schedule';
import type { JadaCalendarApi } from './jada-calendar-api';

/** A calendar entry whose double-booking mark is to be stated, and the boat whose pairs say what it is. */
export interface MarkedEntry {
  bookingId: string;
  calendarEntryId: string;
  listingId: string;
}

export interface MarkDeps {
  jada: Pick<JadaCalendarApi, 'markConflicts'>;
  schedule: Pick<BoatSchedule, 'pairedWith' | 'conflictsOf'>;
  /** The call context of one mark; `statement` counts the marks of this entry in this run, from 0. */
  context: (marked: string, conflictsWith: string[], statement: number) => CallContext;
}

/** Marks sent again for one entry in one run while its pairs keep moving, before the run gives up (and is retried). */
const MOST_STATEMENTS = 5;

/**
 * Brings the double-booking marks up to date in JADA after a booking's trip was placed, moved or freed: its own
 * entry (`own`, none once cancelled), the bookings whose pair with it this run created or removed (`touched`), and
 * the bookings it is paired with now. Nothing is marked when no pair was touched and the trip overlaps nothing
 * (`overlapsNow`): a booking never paired has no mark to change. Overlapping is enough to mark again, so a run
 * repeated after a crash marks the pair its first attempt created.
 */
export async function markDoubleBookings(
  own: MarkedEntry | undefined,
  touched: readonly Slot[],
  overlapsNow: boolean,
  fallbackListingId: string,
  deps: MarkDeps,
): Promise<void> {
  if (touched.length === 0 && !overlapsNow) return;
  const entries: MarkedEntry[] = [];
  const add = (entry: MarkedEntry) => {
    if (!entries.some((e) => e.bookingId === entry.bookingId)) entries.push(entry);
  };
  if (own) add(own);
  for (const slot of touched) add(markedEntryOf(slot, fallbackListingId));
  if (own)
    for (const partner of await deps.schedule.pairedWith(own.bookingId, own.listingId))
      add(markedEntryOf(partner, own.listingId));
  // A partner's entry made up behind a shut shadow gate is in no JADA to mark: once the gate is open, that
  // booking's next revision looks for its real entry, and marks it from the schedule then.
  const open = gateShut() === undefined;
  for (const entry of entries) {
    if (open && isShadowId(entry.calendarEntryId)) continue;
    await stateConflictMarks(entry, deps);
  }
}

const markedEntryOf = (slot: Slot, fallbackListingId: string): MarkedEntry => ({
  bookingId: slot.bookingId,
  calendarEntryId: slot.calendarEntryId,
  listingId: slot.listingId ?? fallbackListingId,
});

/**
 * States one entry's mark from the boat's pair records as they are now, never from what a booking's run
 * remembers: a partner's run marks this entry too. Runs of two partners race, and JADA may take their marks in
 * any order, so each mark is followed by a second read of the pairs, and sent again if they moved. The last mark
 * JADA takes was then followed by a read that agreed with it, and any later change of the pairs is followed by
 * a mark from the run that made it: the marks end as the schedule does.
 */
export async function stateConflictMarks(entry: MarkedEntry, deps: MarkDeps): Promise<void> {
  let conflictsWith = await deps.schedule.conflictsOf(entry.bookingId, entry.listingId);
  for (let statement = 0; ; statement++) {
    await deps.jada.markConflicts(
      entry.calendarEntryId,
      conflictsWith,
      deps.context(entry.bookingId, conflictsWith, statement),
    );
    const now = await deps.schedule.conflictsOf(entry.bookingId, entry.listingId);
    if (now.join() === conflictsWith.join()) return;
    if (statement + 1 >= MOST_STATEMENTS) {
      throw new Error(
        `calendar entry ${entry.calendarEntryId} of booking ${entry.bookingId}: its double bookings changed ${MOST_STATEMENTS} times while being marked`,
      );
    }
    conflictsWith = now;
  }
}
