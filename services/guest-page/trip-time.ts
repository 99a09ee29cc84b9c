import { dateTimeFormat } from '../../shared/date-format';

/**
 * The trip's date and time as the guest lives it: at the departure, not where the server runs.
 *
 * Boatsetter's trip.start carries the departure's UTC offset for that very day ("2026-12-05T17:00:00-08:00"),
 * so the wall-clock time is exact from the offset alone, DST included. The offset cannot name the zone, though,
 * so the zone's name ("PST") comes from the departure's IANA zone (every JADA departure is in San Diego:
 * America/Los_Angeles, overridable per call), and is shown only when that zone really has this offset at this
 * instant. Otherwise the page says "UTC−08:00" rather than print a wrong zone name.
 * An instant written in UTC ("...Z") says nothing about the departure, so it is shown in the departure's zone.
 */

export const DEPARTURE_TIME_ZONE = 'America/Los_Angeles';

export interface TripTime {
  /** "Saturday, December 5, 2026" */
  date: string;
  /** "5:00 PM" */
  start: string;
  /** "8:00 PM", with the date when the trip ends on another day: "Sun, Dec 6, 9:00 AM" */
  end: string;
  /** "PST", or "UTC−08:00" */
  zone: string;
  /** "3 hours", "1 hour 30 minutes" */
  duration: string;
}

const OFFSET = /(Z|[+-]\d{2}:\d{2})$/i;

/** Minutes east of UTC, from the offset written in an ISO 8601 instant. */
export function offsetMinutesOf(instant: string): number {
  const match = OFFSET.exec(instant);
  if (!match) throw new Error(`trip start ${instant} has no UTC offset`);
  const offset = match[1]!;
  if (offset.toUpperCase() === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

/** Minutes east of UTC that `timeZone` observes at `at` (Intl's "longOffset": "GMT-08:00", or "GMT"). */
export function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const name = dateTimeFormat({ timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

export function formatDuration(hours: number): string {
  const totalMinutes = Math.round(hours * 60);
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  const parts = [];
  if (h > 0) parts.push(`${h} ${h === 1 ? 'hour' : 'hours'}`);
  if (m > 0) parts.push(`${m} ${m === 1 ? 'minute' : 'minutes'}`);
  return parts.join(' ') || '0 minutes';
}

export function tripTime(startIso: string, durationHours: number, timeZone = DEPARTURE_TIME_ZONE): TripTime {
  const start = new Date(startIso);
  if (Number.isNaN(start.getTime())) throw new Error(`trip start ${startIso} is not a date`);
  const end = new Date(start.getTime() + Math.round(durationHours * 60) * 60_000);
  const writtenInUtc = /z$/i.test(startIso);
  const offset = writtenInUtc ? zoneOffsetMinutes(start, timeZone) : offsetMinutesOf(startIso);
  const zoneMatches = zoneOffsetMinutes(start, timeZone) === offset;

  // Without a matching named zone, shift the instant by the offset and format it as UTC: the same wall clock.
  const shown = (d: Date) => (zoneMatches ? d : new Date(d.getTime() + offset * 60_000));
  const formatIn = zoneMatches ? timeZone : 'UTC';
  const dateFormat = dateTimeFormat({
    timeZone: formatIn,
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
  const timeFormat = dateTimeFormat({ timeZone: formatIn, hour: 'numeric', minute: '2-digit' });
  const shortDate = dateTimeFormat({
    timeZone: formatIn,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
  });
  const sameDay = dateFormat.format(shown(start)) === dateFormat.format(shown(end));

  return {
    date: dateFormat.format(shown(start)),
    start: timeFormat.format(shown(start)),
    end: sameDay ? timeFormat.format(shown(end)) : `${shortDate.format(shown(end))}, ${timeFormat.format(shown(end))}`,
    zone: zoneMatches ? zoneName(start, timeZone) : utcOffsetLabel(offset),
    duration: formatDuration(durationHours),
  };
}

function zoneName(at: Date, timeZone: string): string {
  return dateTimeFormat({ timeZone, timeZoneName: 'short' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')!.value;
}

function utcOffsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
