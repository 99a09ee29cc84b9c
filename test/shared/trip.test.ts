import { describe, expect, it } from 'vitest';
import { tripEndMs, tripMinutes, tripTimes, tripWindow } from '../../shared/trip';

const LA = 'America/Los_Angeles';

describe("a trip's start and end at the dock", () => {
  it.each([
    // [what, start, hours, start at the dock, end at the dock]
    [
      'written at the dock’s winter offset',
      '2026-12-05T17:00:00-08:00',
      3,
      '2026-12-05 17:00 -08:00 LA',
      '2026-12-05 20:00 -08:00 LA',
    ],
    [
      'written at the dock’s summer offset',
      '2026-07-04T19:30:00-07:00',
      2.5,
      '2026-07-04 19:30 -07:00 LA',
      '2026-07-04 22:00 -07:00 LA',
    ],
    [
      'in UTC, already the next day there: the dock’s evening',
      '2027-01-16T01:00:00Z',
      3,
      '2027-01-15 17:00 -08:00 LA',
      '2027-01-15 20:00 -08:00 LA',
    ],
    ['in UTC, summer', '2026-07-05T02:30:00Z', 2, '2026-07-04 19:30 -07:00 LA', '2026-07-04 21:30 -07:00 LA'],
    [
      'in UTC with milliseconds, a minute before the dock’s midnight',
      '2026-12-06T07:59:00.000Z',
      1,
      '2026-12-05 23:59 -08:00 LA',
      '2026-12-06 00:59 -08:00 LA',
    ],
    [
      'a late-evening charter ending after midnight',
      '2026-12-05T22:00:00-08:00',
      3,
      '2026-12-05 22:00 -08:00 LA',
      '2026-12-06 01:00 -08:00 LA',
    ],
    [
      'at an offset east of UTC, kept as written',
      '2026-12-05T10:00:00+05:30',
      2,
      '2026-12-05 10:00 +05:30',
      '2026-12-05 12:00 +05:30',
    ],
    [
      'at another offset west of UTC, kept as written',
      '2026-12-05T10:00:00-05:00',
      1,
      '2026-12-05 10:00 -05:00',
      '2026-12-05 11:00 -05:00',
    ],
    [
      'at +00:00, which is not the dock’s zone',
      '2026-12-05T23:00:00+00:00',
      2,
      '2026-12-05 23:00 +00:00',
      '2026-12-06 01:00 +00:00',
    ],
    // The dock's winter offset in summer is not San Diego time: the offset is all it says, for both ends.
    ['at -08:00 in summer', '2026-07-04T18:30:00-08:00', 1, '2026-07-04 18:30 -08:00', '2026-07-04 19:30 -08:00'],
    // 8 March 2026, 2:00 PST becomes 3:00 PDT.
    [
      'across the March change',
      '2026-03-08T01:00:00-08:00',
      2,
      '2026-03-08 01:00 -08:00 LA',
      '2026-03-08 04:00 -07:00 LA',
    ],
    [
      'in UTC, across the March change',
      '2026-03-08T09:00:00Z',
      2,
      '2026-03-08 01:00 -08:00 LA',
      '2026-03-08 04:00 -07:00 LA',
    ],
    [
      'starting just after the March change',
      '2026-03-08T03:00:00-07:00',
      1,
      '2026-03-08 03:00 -07:00 LA',
      '2026-03-08 04:00 -07:00 LA',
    ],
    // 1 November 2026, 2:00 PDT becomes 1:00 PST.
    [
      'an evening charter across the November change',
      '2026-10-31T23:00:00-07:00',
      4,
      '2026-10-31 23:00 -07:00 LA',
      '2026-11-01 02:00 -08:00 LA',
    ],
    [
      'in the November hour that comes twice, the second time',
      '2026-11-01T01:30:00-08:00',
      1,
      '2026-11-01 01:30 -08:00 LA',
      '2026-11-01 02:30 -08:00 LA',
    ],
    [
      'in the November hour that comes twice, the first time',
      '2026-11-01T01:30:00-07:00',
      1,
      '2026-11-01 01:30 -07:00 LA',
      '2026-11-01 01:30 -08:00 LA',
    ],
  ])('%s: %s for %s h', (_, start, hours, startAtDock, endAtDock) => {
    const times = tripTimes({ start, durationHours: hours });
    const read = (t: (typeof times)['start']) =>
      `${t.date} ${t.time} ${t.instant.slice(19)}${t.timeZone === LA ? ' LA' : ''}`;
    expect(read(times.start)).toBe(startAtDock);
    expect(read(times.end)).toBe(endAtDock);
    expect(times.start.ms).toBe(Date.parse(start));
    expect(Date.parse(times.start.instant)).toBe(Date.parse(start));
    expect(Date.parse(times.end.instant)).toBe(times.end.ms);
    expect(times.end.ms - times.start.ms).toBe(hours * 3_600_000);
  });

  it.each([
    [3, 180],
    [2.5, 150],
    [1 / 3, 20],
    // 2.01 h is 120.6 minutes: the end is at the minute the page and JADA show, not 36 seconds before it.
    [2.01, 121],
    [0.999, 60],
  ])('a trip of %s hours lasts %s whole minutes, and ends that many minutes after its start', (hours, minutes) => {
    expect(tripMinutes(hours)).toBe(minutes);
    const trip = { start: '2026-12-05T17:00:00-08:00', durationHours: hours };
    expect(tripEndMs(trip)).toBe(Date.parse(trip.start) + minutes * 60_000);
    expect(tripTimes(trip).end.ms).toBe(tripEndMs(trip));
    expect(tripWindow({ trip: { ...trip, departure: { name: 'Dock', address: 'San Diego' } } }).endMs).toBe(
      tripEndMs(trip),
    );
  });

  it('writes the window’s end at its own offset, and keeps the start as the booking wrote it', () => {
    const trip = { start: '2026-10-31T23:00:00-07:00', durationHours: 4, departure: { name: 'Dock', address: 'SD' } };
    expect(tripWindow({ trip })).toEqual({
      start: '2026-10-31T23:00:00-07:00',
      end: '2026-11-01T02:00:00-08:00',
      startMs: Date.parse('2026-11-01T06:00:00Z'),
      endMs: Date.parse('2026-11-01T10:00:00Z'),
    });
    const utc = { ...trip, start: '2027-01-16T01:00:00Z', durationHours: 3 };
    expect(tripWindow({ trip: utc })).toMatchObject({
      start: '2027-01-16T01:00:00Z',
      end: '2027-01-15T20:00:00-08:00',
    });
  });

  it('refuses a start that is not a date, or that names no offset', () => {
    expect(() => tripTimes({ start: 'soon', durationHours: 1 })).toThrow('trip start soon is not a date');
    expect(() => tripTimes({ start: '2026-12-05T17:00:00', durationHours: 1 })).toThrow('has no UTC offset');
  });
});
