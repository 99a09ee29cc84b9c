import { describe, expect, it } from 'vitest';
import type { Io } from '../../cli/args';
import { pageLatenciesOf, pageLatencyStats } from '../../cli/operator/stats';
import { printStats } from '../../cli/stats';
import type { LedgerLine } from '../../services/booking-ledger/booking-ledger';

const line = (bookingId: string, detailType: LedgerLine['detailType'], at: string, revision = 1): LedgerLine => ({
  bookingId,
  revision,
  step: detailType,
  detailType,
  at,
  outcome: 'done',
  ids: {},
  eventId: `ev-${bookingId}-${detailType}-${revision}`,
  correlationId: `msg_${bookingId}`,
  causationId: `msg_${bookingId}`,
  idempotencyKey: `${bookingId}:r${revision}:${detailType}`,
});

const chain = (
  bookingId: string,
  receivedAt: string,
  publishedAt: string,
  revision = 1,
  first: LedgerLine['detailType'] = 'BookingReceived',
) => [
  line(bookingId, first, receivedAt, revision),
  line(bookingId, 'CalendarEntryCreated', receivedAt, revision),
  line(bookingId, 'GuestPagePublished', publishedAt, revision),
];

describe('booking-to-page latency from the ledger', () => {
  it('is, per revision, the time from the booking event to its first GuestPagePublished', () => {
    const lines = [
      ...chain('XHQGMDH', '2026-11-24T17:03:01.000Z', '2026-11-24T17:03:02.700Z'),
      ...chain('XHQGMDH', '2026-11-24T18:00:00.000Z', '2026-11-24T18:00:04.000Z', 2, 'BookingModified'),
      // A replayed publication later on does not count again.
      line('XHQGMDH', 'GuestPagePublished', '2026-11-25T09:00:00.000Z', 2),
    ];
    expect(pageLatenciesOf(lines)).toEqual([
      {
        bookingId: 'XHQGMDH',
        revision: 1,
        receivedAt: '2026-11-24T17:03:01.000Z',
        publishedAt: '2026-11-24T17:03:02.700Z',
        ms: 1_700,
      },
      {
        bookingId: 'XHQGMDH',
        revision: 2,
        receivedAt: '2026-11-24T18:00:00.000Z',
        publishedAt: '2026-11-24T18:00:04.000Z',
        ms: 4_000,
      },
    ]);
  });

  it('leaves out a revision whose page is not published yet, or whose booking event the ledger lacks', () => {
    expect(pageLatenciesOf([line('KQ7TZ2M', 'BookingReceived', '2026-11-24T17:00:00.000Z')])).toEqual([]);
    expect(pageLatenciesOf([line('KQ7TZ2M', 'GuestPagePublished', '2026-11-24T17:00:00.000Z')])).toEqual([]);
  });

  it('summarises p50, p90, p99 (nearest rank), the longest, and the slowest first', () => {
    const latencies = [3_000, 1_000, 2_000, 10_000].map((ms, i) => ({
      bookingId: `B${i}XXXXX`,
      revision: 1,
      receivedAt: '2026-11-24T17:00:00.000Z',
      publishedAt: new Date(Date.parse('2026-11-24T17:00:00.000Z') + ms).toISOString(),
      ms,
    }));
    const stats = pageLatencyStats(5, latencies, 2);
    expect(stats).toMatchObject({ bookings: 5, revisions: 4, p50: 2_000, p90: 10_000, p99: 10_000, max: 10_000 });
    expect(stats.slowest.map((s) => s.ms)).toEqual([10_000, 3_000]);
    expect(pageLatencyStats(3, [])).toEqual({ bookings: 3, revisions: 0, slowest: [] });
  });

  it('lines up the slowest ones whatever the widths of their ids, revisions and times', () => {
    const lines: string[] = [];
    const io: Io = { out: (l) => lines.push(l), err: (l) => lines.push(l), rewrite: () => undefined, isTTY: false };
    const latencies = [
      { bookingId: 'KQ7TZ2MXYZ12', revision: 12, ms: 200_000 },
      { bookingId: 'XHQGMDH', revision: 1, ms: 1_700 },
    ].map((l) => ({ ...l, receivedAt: '2026-11-24T17:00:00.000Z', publishedAt: '2026-11-24T17:03:20.000Z' }));
    printStats(io, pageLatencyStats(2, latencies));
    const slowest = lines.slice(lines.indexOf('  slowest:') + 1);
    expect(slowest).toEqual([
      '    KQ7TZ2MXYZ12  r12  3m 20s  received 2026-11-24T17:00:00.000Z',
      '    XHQGMDH       r1     1.7s  received 2026-11-24T17:00:00.000Z',
    ]);
  });

  it('prints the figures in the operator words', () => {
    const lines: string[] = [];
    const io: Io = { out: (l) => lines.push(l), err: (l) => lines.push(l), rewrite: () => undefined, isTTY: false };
    printStats(
      io,
      pageLatencyStats(1, pageLatenciesOf(chain('XHQGMDH', '2026-11-24T17:03:01.000Z', '2026-11-24T17:03:02.700Z'))),
    );
    expect(lines).toEqual([
      'booking to live page, last 1 booking(s), 1 revision(s) published:',
      '  p50 1.7s  p90 1.7s  p99 1.7s  longest 1.7s',
      '  slowest:',
      '    XHQGMDH  r1  1.7s  received 2026-11-24T17:03:01.000Z',
    ]);
    lines.length = 0;
    printStats(io, pageLatencyStats(2, []));
    expect(lines).toEqual(['no guest page published yet for the last 2 booking(s) in the ledger']);
  });
});
