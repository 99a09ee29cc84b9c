import { dateTimeFormat } from '../../shared/date-format';
import { DEPARTURE_TIME_ZONE, tripMinutes, tripTimes, type DockTime } from '../../shared/trip';

/**
 * The trip's date and time as the guest lives it: at the dock, not where the server runs. When the trip starts
 * and ends, and in which zone, is shared/trip.ts's one reading (the calendar entry and the mail use it too);
 * this file only words it. A zone is named ("PST") when the clock is the departure zone's; a start written at
 * another offset shows that offset ("UTC−05:00") rather than a wrong zone name.
 */

export interface TripTime {
  /** "Saturday, December 5, 2026" */
  date: string;
  /** "5:00 PM"; "1:00 AM PDT" when the trip ends in another zone than it starts (across a DST change) */
  start: string;
  /** "8:00 PM", with the date when the trip ends on another day: "Sun, Dec 6, 9:00 AM" */
  end: string;
  /** The zone written after the end, the end's own: "PST", or "UTC−08:00" */
  zone: string;
  /** "3 hours", "1 hour 30 minutes" */
  duration: string;
}

export function formatDuration(hours: number): string {
  const totalMinutes = tripMinutes(hours);
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  const parts = [];
  if (h > 0) parts.push(`${h} ${h === 1 ? 'hour' : 'hours'}`);
  if (m > 0) parts.push(`${m} ${m === 1 ? 'minute' : 'minutes'}`);
  return parts.join(' ') || '0 minutes';
}

// The dock's wall clock is the instant shifted by its offset, read in UTC: exact for any offset, DST included.
const dateFormat = () =>
  dateTimeFormat({ timeZone: 'UTC', weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
const timeFormat = () => dateTimeFormat({ timeZone: 'UTC', hour: 'numeric', minute: '2-digit' });
const shortDate = () => dateTimeFormat({ timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' });
const wallClock = (t: DockTime) => new Date(t.ms + t.offsetMinutes * 60_000);

export function tripTime(startIso: string, durationHours: number, timeZone = DEPARTURE_TIME_ZONE): TripTime {
  const { start, end } = tripTimes({ start: startIso, durationHours }, timeZone);
  const startZone = zoneOf(start);
  const endZone = zoneOf(end);
  const startTime = timeFormat().format(wallClock(start));
  const endTime = timeFormat().format(wallClock(end));
  return {
    date: dateFormat().format(wallClock(start)),
    start: startZone === endZone ? startTime : `${startTime} ${startZone}`,
    end: start.date === end.date ? endTime : `${shortDate().format(wallClock(end))}, ${endTime}`,
    zone: endZone,
    duration: formatDuration(durationHours),
  };
}

function zoneOf(t: DockTime): string {
  if (!t.timeZone) return utcOffsetLabel(t.offsetMinutes);
  return dateTimeFormat({ timeZone: t.timeZone, timeZoneName: 'short' })
    .formatToParts(t.ms)
    .find((p) => p.type === 'timeZoneName')!.value;
}

function utcOffsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
