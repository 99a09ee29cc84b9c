import type { BookingSnapshot } from '../../shared/contract/events';
import { dateTimeFormat } from '../../shared/date-format';

/**
 * The trip's date and time as the renter lives it: at the departure's own UTC offset, which Boatsetter writes
 * into trip.start for that very day ("2026-12-05T17:00:00-08:00"), so the wall clock is exact, DST included,
 * wherever the Lambda runs. A start written in UTC says nothing about the dock: it is shown in San Diego's
 * zone, where every JADA departure is. (The guest page has a richer version with the zone's name, in its own
 * folder; the mail needs only the date and the time.)
 */

const DEPARTURE_TIME_ZONE = 'America/Los_Angeles';
const OFFSET = /([+-])(\d{2}):(\d{2})$/;

export interface TripWhen {
  /** "Saturday, December 5" */
  day: string;
  /** "Saturday, December 5, 2026" */
  date: string;
  /** "5:00 PM" */
  time: string;
}

export function tripWhen(start: string): TripWhen {
  const instant = new Date(start);
  if (Number.isNaN(instant.getTime())) throw new Error(`trip start ${start} is not a date`);
  const match = OFFSET.exec(start);
  // With an offset: shift the instant by it and read the wall clock in UTC.
  const offsetMinutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  const shown = match ? new Date(instant.getTime() + offsetMinutes * 60_000) : instant;
  const timeZone = match ? 'UTC' : DEPARTURE_TIME_ZONE;
  const format = (options: Intl.DateTimeFormatOptions) => dateTimeFormat({ timeZone, ...options }).format(shown);
  return {
    day: format({ weekday: 'long', month: 'long', day: 'numeric' }),
    date: format({ weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }),
    time: format({ hour: 'numeric', minute: '2-digit' }),
  };
}

/** Epoch ms at which the trip is over: its start plus its duration. */
export const tripEndsAt = (trip: BookingSnapshot['trip']) =>
  Date.parse(trip.start) + Math.round(trip.durationHours * 60) * 60_000;
