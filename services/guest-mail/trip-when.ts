import { dateTimeFormat } from '../../shared/date-format';
import { tripTimes } from '../../shared/trip';

/**
 * The trip's date and time as the renter lives it: at the dock, wherever the Lambda runs. Which day and which
 * time that is comes from shared/trip.ts, the one reading the calendar entry and the guest page share; the mail
 * needs only the start's date and time, in words.
 */

export interface TripWhen {
  /** "Saturday, December 5" */
  day: string;
  /** "Saturday, December 5, 2026" */
  date: string;
  /** "5:00 PM" */
  time: string;
}

export function tripWhen(start: string): TripWhen {
  const { start: at } = tripTimes({ start, durationHours: 0 });
  // The dock's wall clock is the instant shifted by its offset, read in UTC.
  const shown = new Date(at.ms + at.offsetMinutes * 60_000);
  const format = (options: Intl.DateTimeFormatOptions) => dateTimeFormat({ timeZone: 'UTC', ...options }).format(shown);
  return {
    day: format({ weekday: 'long', month: 'long', day: 'numeric' }),
    date: format({ weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }),
    time: format({ hour: 'numeric', minute: '2-digit' }),
  };
}
