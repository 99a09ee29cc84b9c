import type { BookingSnapshot } from './contract/events';

/** The longest trip Boatsetter may book (two weeks): the webhook refuses longer ones, the calendar counts on it. */
export const LONGEST_TRIP_HOURS = 24 * 14;

/** The time a trip holds its boat: from its start to start + duration, as instants and as epoch ms. */
export interface TripWindow {
  start: string;
  /** Written at the start's own UTC offset, so both ends read in the departure's local time. */
  end: string;
  startMs: number;
  endMs: number;
}

const OFFSET = /(Z|[+-]\d{2}:\d{2})$/i;

export function tripWindow(booking: Pick<BookingSnapshot, 'trip'>): TripWindow {
  const { start, durationHours } = booking.trip;
  const startMs = Date.parse(start);
  const endMs = startMs + Math.round(durationHours * 3_600_000);
  return { start, end: atOffsetOf(start, endMs), startMs, endMs };
}

/** `ms` as an ISO 8601 instant at the UTC offset written in `instant` (seconds kept, milliseconds dropped). */
export function atOffsetOf(instant: string, ms: number): string {
  const offset = OFFSET.exec(instant)?.[1]?.toUpperCase() ?? 'Z';
  const minutes =
    offset === 'Z'
      ? 0
      : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(ms + minutes * 60_000).toISOString().slice(0, 19);
  return `${local}${offset === 'Z' ? 'Z' : offset}`;
}
