import { describe, expect, it } from 'vitest';
import { compareBooking, reportLines, wouldWriteOf } from '../../../cli/operator/shadow-compare';
import type { JadaEntry } from '../../../services/calendar/jada-calendar-api';
import type { ShadowRecord } from '../../../shared/shadow';

const entryRequest = {
  bookingId: 'XHQGMDH',
  date: '2026-12-12',
  start: '2026-12-12T17:00:00-08:00',
  durationHours: 3,
  boat: 'JADA',
  partySize: 6,
  title: 'JADA charter, Dana (party of 6)',
};

const record = (over: Partial<ShadowRecord>): ShadowRecord => ({
  bookingId: 'XHQGMDH',
  revision: 1,
  consumer: 'calendar',
  operation: 'createEntry',
  target: 'jada-calendar',
  reason: 'shadow-stage',
  recordedAt: '2026-12-05T12:00:00Z',
  ...over,
});

const legacy: JadaEntry = { ...entryRequest, entryId: 'cal_old', status: 'active' };

describe('what charterflow would leave', () => {
  it('is the last create or update, cancelled when a cancel followed', () => {
    const records = [
      record({ request: entryRequest }),
      record({ revision: 2, operation: 'updateEntry', request: ['cal_old', { ...entryRequest, partySize: 8 }] }),
    ];
    expect(wouldWriteOf(records).entry).toMatchObject({ partySize: 8, status: 'active' });
    const cancelled = [...records, record({ revision: 3, operation: 'cancelEntry', request: 'cal_old' })];
    expect(wouldWriteOf(cancelled).entry).toMatchObject({ partySize: 8, status: 'cancelled' });
  });
});

describe('a booking compared', () => {
  it('matches when JADA holds what charterflow would write', () => {
    const compared = compareBooking('XHQGMDH', 2, wouldWriteOf([record({ request: entryRequest })]), legacy, undefined);
    expect(compared.differences).toEqual([]);
  });

  it('differs field by field, and when JADA holds no entry at all', () => {
    const would = wouldWriteOf([record({ request: { ...entryRequest, start: '2026-12-12T18:30:00-08:00' } })]);
    expect(compareBooking('XHQGMDH', 1, would, legacy, undefined).differences).toEqual([
      {
        system: 'JADA',
        field: 'start',
        holds: '2026-12-12T17:00:00-08:00',
        wouldWrite: '2026-12-12T18:30:00-08:00',
      },
    ]);
    expect(compareBooking('XHQGMDH', 1, would, undefined, undefined).differences).toEqual([
      { system: 'JADA', field: 'entry', holds: '(no entry)', wouldWrite: 'an entry' },
    ]);
  });

  it('is reported differing first, then matching, then the summary', () => {
    const lines = reportLines([
      { bookingId: 'AAAAAA', revision: 1, differences: [] },
      {
        bookingId: 'BBBBBB',
        revision: 2,
        differences: [{ system: 'JADA', field: 'partySize', holds: '6', wouldWrite: '8' }],
      },
    ]);
    expect(lines).toEqual([
      'DIFFERS  BBBBBB (revision 2)',
      '  JADA partySize: holds 6; charterflow would write 8',
      'matches  AAAAAA (revision 1)',
      '2 booking(s) compared: 1 match, 1 differ',
    ]);
  });
});
