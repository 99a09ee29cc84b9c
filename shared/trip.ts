import type { BookingSnapshot } from './contract/events';
import { dateTimeFormat } from './date-format';

/**
 * Where every JADA departure is (San Diego). Boatsetter writes a trip's start at the departure's own UTC offset
 * for that very day ("2026-12-05T17:00:00-08:00"); a start written in UTC ("...Z") says nothing of the dock,
 * so it is read in this zone.
 */
export const DEPARTURE_TIME_ZONE = 'America/Los_Angeles';

type Trip = Pick<BookingSnapshot['trip'], 'start' | 'durationHours'>;

/** One end of a trip as the clock at the dock reads it. */
export interface DockTime {
  ms: number;
  /** The local date: "2026-12-05". */
  date: string;
  /** The local wall clock, 24-hour: "17:00". */
  time: string;
  /** Minutes east of UTC of that clock at that moment (DST included). */
  offsetMinutes: number;
  /** The instant written at that offset: "2026-12-05T17:00:00-08:00". */
  instant: string;
  /** The IANA zone this clock is, when it is the departure zone's; absent when the start was written at another offset. */
  timeZone?: string;
}

/** When a trip starts and ends at the dock: the one reading the calendar, the guest page and the mail share. */
export interface TripTimes {
  start: DockTime;
  end: DockTime;
  /** The duration in whole minutes: what the page shows and what the end is counted from. */
  minutes: number;
}

/**
 * The trip's length in whole minutes. Whole minutes, not milliseconds: the page says "2 hours 1 minute" and
 * shows the end to the minute, and JADA's entry is to the minute; a 2.01-hour trip ends at the minute all of
 * them show, not 36 seconds earlier.
 */
export const tripMinutes = (durationHours: number) => Math.round(durationHours * 60);

/** Epoch ms at which the trip is over: its start plus its duration. */
export const tripEndMs = (trip: Trip) => Date.parse(trip.start) + tripMinutes(trip.durationHours) * 60_000;

/**
 * The trip's start and end as the dock's clock reads them. A start at the departure zone's offset (or in UTC)
 * is read in that zone, so each end has its own offset: a trip across a DST change starts in PDT and ends in
 * PST. A start at any other offset is read at that offset for both ends: the offset is all it says.
 */
export function tripTimes(trip: Trip, timeZone = DEPARTURE_TIME_ZONE): TripTimes {
  const startMs = Date.parse(trip.start);
  if (Number.isNaN(startMs)) throw new Error(`trip start ${trip.start} is not a date`);
  const minutes = tripMinutes(trip.durationHours);
  const endMs = startMs + minutes * 60_000;
  const written = writtenOffsetMinutes(trip.start);
  const inZone = written === undefined || written === zoneOffsetMinutes(startMs, timeZone);
  const at = (ms: number) =>
    inZone ? dockTime(ms, zoneOffsetMinutes(ms, timeZone), timeZone) : dockTime(ms, written!, undefined);
  return { start: at(startMs), end: at(endMs), minutes };
}

/** The time a trip holds its boat: from its start to start + duration, as instants and as epoch ms. */
export interface TripWindow {
  /** As the booking writes it. */
  start: string;
  /** At the end's own offset at the dock, so it reads in local time (across a DST change too). */
  end: string;
  startMs: number;
  endMs: number;
}

export function tripWindow(booking: Pick<BookingSnapshot, 'trip'>): TripWindow {
  const { start, end } = tripTimes(booking.trip);
  return { start: booking.trip.start, end: end.instant, startMs: start.ms, endMs: end.ms };
}

/** Minutes east of UTC that `timeZone` observes at `ms` (Intl's "longOffset": "GMT-08:00", or "GMT"). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const name =
    dateTimeFormat({ timeZone, timeZoneName: 'longOffset' })
      .formatToParts(ms)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

const OFFSET = /(Z|[+-]\d{2}:\d{2})$/i;

/** Minutes east of UTC written in an ISO 8601 instant; undefined for UTC ("Z"), which names no place. */
function writtenOffsetMinutes(instant: string): number | undefined {
  const offset = OFFSET.exec(instant)?.[1];
  if (offset === undefined) throw new Error(`trip start ${instant} has no UTC offset`);
  if (offset.toUpperCase() === 'Z') return undefined;
  return offsetMinutesOf(offset);
}

function offsetMinutesOf(offset: string): number {
  return (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

function dockTime(ms: number, offsetMinutes: number, timeZone: string | undefined): DockTime {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString();
  return {
    ms,
    date: local.slice(0, 10),
    time: local.slice(11, 16),
    offsetMinutes,
    instant: `${local.slice(0, 19)}${offsetText(offsetMinutes)}`,
    ...(timeZone ? { timeZone } : {}),
  };
}

/** "-08:00", "+05:30", "+00:00". */
function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `ms` as an ISO 8601 instant at the UTC offset written in `instant` (seconds kept, milliseconds dropped). */
export function atOffsetOf(instant: string, ms: number): string {
  const offset = OFFSET.exec(instant)?.[1]?.toUpperCase() ?? 'Z';
  const minutes = offset === 'Z' ? 0 : offsetMinutesOf(offset);
  const local = new Date(ms + minutes * 60_000).toISOString().slice(0, 19);
  return `${local}${offset === 'Z' ? 'Z' : offset}`;
}
