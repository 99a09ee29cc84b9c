import { describe, expect, it } from 'vitest';
import { describeLine, parseAdoptArgs, summaryOf, type AdoptionLine } from '../../cli/adopt';
import { parseSeedLegacyArgs, upcomingBooking } from '../../cli/seed-legacy';
import { UsageError } from '../../cli/usage-error';
import { calendarEntryIdOfNotes, sccTableEventOf } from '../../services/crew/scc-events-table';

describe('seed-legacy arguments', () => {
  it('refuses to run anywhere but the local stack', () => {
    expect(() => parseSeedLegacyArgs([])).toThrow(/local stack only: pass --local/);
    expect(() => parseSeedLegacyArgs(['--stage', 'prod'])).toThrow(UsageError);
    expect(() => parseSeedLegacyArgs(['--local', '--stage', 'prod'])).toThrow(/pass --local/);
  });

  it('seeds a handful by default, and says what is wrong with a count', () => {
    expect(parseSeedLegacyArgs(['--local'])).toEqual({ count: 5 });
    expect(parseSeedLegacyArgs(['--local', '--count', '12'])).toEqual({ count: 12 });
    for (const bad of ['0', '51', '2.5', 'many']) {
      expect(() => parseSeedLegacyArgs(['--local', '--count', bad])).toThrow(`--count must be a whole number`);
    }
  });

  it('an upcoming booking starts after now, on the day it is given', () => {
    const now = new Date('2026-12-05T12:00:00Z');
    const first = upcomingBooking('LEGACY01', 0, now);
    const third = upcomingBooking('LEGACY03', 2, now);
    expect(first.data.booking_id).toBe('LEGACY01');
    expect(first.data.trip.start).toBe('2026-12-06T17:00:00-08:00');
    expect(third.data.trip.start).toBe('2026-12-08T17:00:00-08:00');
    expect(Date.parse(first.data.trip.start)).toBeGreaterThan(now.getTime());
  });
});

describe('adopt arguments and output', () => {
  it('is a dry run from yesterday by default; --since must be a date', () => {
    const now = new Date('2026-12-05T12:00:00Z');
    expect(parseAdoptArgs(['--local'], now)).toMatchObject({ apply: false, since: '2026-12-04', local: true });
    expect(parseAdoptArgs(['--apply', '--since', '2027-01-01'], now)).toMatchObject({
      apply: true,
      since: '2027-01-01',
    });
    expect(() => parseAdoptArgs(['--since', 'tomorrow'], now)).toThrow('--since must be a date as YYYY-MM-DD');
    expect(() => parseAdoptArgs(['--jada-url', 'not a url'], now)).toThrow('--jada-url not a url: not a URL');
  });

  it('one line per booking and a summary that says whether anything was written', () => {
    const lines: AdoptionLine[] = [
      {
        bookingId: 'XHQGMDH',
        status: 'would adopt',
        calendarEntryId: 'cal_1',
        sccEventId: 'scc_1',
        linked: ['calendar', 'crew'],
      },
      { bookingId: 'KQ7ZP2M', status: 'SCC event missing', calendarEntryId: 'cal_2', linked: ['calendar'] },
    ];
    expect(lines.map(describeLine)).toEqual([
      'XHQGMDH  would adopt: calendar entry cal_1, crew event scc_1',
      'KQ7ZP2M  SCC event missing: calendar entry cal_2 (calendar entry linked; crew creates the event with the next revision)',
    ]);
    expect(summaryOf(lines, false)).toBe(
      '2 upcoming bookings: 1 to adopt, 0 already known, 0 seen in shadow, 1 SCC event missing, 0 JADA entry missing (dry run: nothing written; --apply to write)',
    );
  });
});

describe('a crew event in SCC table, found by the calendar entry its notes name', () => {
  it('reads the calendar entry line, whole, and nothing else', () => {
    expect(calendarEntryIdOfNotes('Boatsetter booking XHQGMDH\nCalendar entry: cal_42\nParty size: 6')).toBe('cal_42');
    expect(calendarEntryIdOfNotes('Revenue: $1,450.00\nParty size: 6')).toBeUndefined();
    expect(sccTableEventOf({ eventId: 'scc_1', notes: 'no calendar here' })).toBeUndefined();
    expect(
      sccTableEventOf({
        eventId: 'scc_1',
        notes: 'Calendar entry: cal_9',
        crew: [{ name: 'Sam Ortiz', role: 'captain' }],
        status: 'cancelled',
        start: '2026-12-06T17:00:00-08:00',
      }),
    ).toMatchObject({ eventId: 'scc_1', calendarEntryId: 'cal_9', status: 'cancelled', crew: [{ name: 'Sam Ortiz' }] });
  });
});
