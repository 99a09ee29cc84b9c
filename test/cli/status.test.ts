import { describe, expect, it } from 'vitest';
import type { Io } from '../../cli/args';
import { printList, printTimeline } from '../../cli/status';
import type { LedgerLine } from '../../services/booking-ledger/booking-ledger';
import type { DeadLetter } from '../../cli/operator/dead-letters';
import { statusOf, type StatusRules } from '../../cli/operator/status';

const NOW = Date.parse('2026-11-24T18:00:00Z');
const rules: StatusRules = {
  now: NOW,
  stuckAfterMs: 10 * 60_000,
  consumers: [
    { name: 'calendar', emits: ['CalendarEntryCreated'] },
    { name: 'crew', emits: ['CrewEventCreated'] },
    { name: 'scrub', emits: ['CrewNotesScrubbed'] },
    { name: 'guest-page', emits: ['GuestPagePublished'] },
    { name: 'booking-ledger', emits: [] },
  ],
};

const line = (detailType: LedgerLine['detailType'], at: string, over: Partial<LedgerLine> = {}): LedgerLine => ({
  bookingId: 'XHQGMDH',
  revision: 1,
  step: detailType,
  detailType,
  at,
  outcome: 'done',
  ids: {},
  eventId: `ev-${detailType}`,
  correlationId: 'msg_1',
  causationId: 'msg_1',
  idempotencyKey: `XHQGMDH:r1:${detailType}`,
  ...over,
});

const fullChain = [
  line('BookingReceived', '2026-11-24T17:03:01.000Z', { outcome: 'booking confirmed' }),
  line('CalendarEntryCreated', '2026-11-24T17:03:01.400Z', { ids: { calendarEntryId: 'cal_1' } }),
  line('CrewEventCreated', '2026-11-24T17:03:02.000Z', { ids: { calendarEntryId: 'cal_1', sccEventId: 'scc_1' } }),
  line('CrewNotesScrubbed', '2026-11-24T17:03:02.500Z', { outcome: '3 revenue lines removed' }),
  line('GuestPagePublished', '2026-11-24T17:03:02.700Z', { ids: { url: 'https://queenofsandiego.com/g/XHQGMDH' } }),
];

const crewLetter: DeadLetter = {
  consumer: 'crew',
  queueUrl: 'q',
  messageId: 'm1',
  receiptHandle: 'r1',
  bookingId: 'XHQGMDH',
  errorCode: 'ERROR_FROM_TARGET',
  errorMessage: 'DownstreamError: scc createCrewEvent failed for booking XHQGMDH: HTTP 503',
  retryAttempts: 8,
  deadAt: new Date('2026-11-24T17:05:00Z'),
};

function captureIo() {
  const lines: string[] = [];
  const io: Io = { out: (l) => lines.push(l), err: (l) => lines.push(l), rewrite: () => undefined, isTTY: false };
  return { io, lines };
}

describe('where a booking stands', () => {
  it('is complete when every step of the chain is in the ledger, in chain order with ids', () => {
    const status = statusOf('XHQGMDH', [...fullChain].reverse(), [], rules);
    expect(status.state).toBe('complete');
    expect(status.steps.map((s) => [s.label, s.state])).toEqual([
      ['webhook received', 'done'],
      ['calendar entry', 'done'],
      ['SCC event', 'done'],
      ['scrub', 'done'],
      ['guest page', 'done'],
    ]);
    expect(status.steps[2]!.ids.sccEventId).toBe('scc_1');
    expect(status.receivedAt).toBe('2026-11-24T17:03:01.000Z');
    expect(status.lastEventAt).toBe('2026-11-24T17:03:02.700Z');
  });

  it('is stuck when a dead-letter queue holds an event of it, and the failing step and error show', () => {
    const status = statusOf('XHQGMDH', fullChain.slice(0, 2), [crewLetter], {
      ...rules,
      now: Date.parse('2026-11-24T17:06:00Z'),
    });
    expect(status.state).toBe('stuck');
    expect(status.stuckBecause).toBe('1 dead letter (crew)');
    expect(status.steps.map((s) => s.state)).toEqual(['done', 'done', 'failed', 'pending', 'pending']);
    expect(status.lastError).toEqual({
      consumer: 'crew',
      errorCode: 'ERROR_FROM_TARGET',
      errorMessage: crewLetter.errorMessage,
      retryAttempts: 8,
      at: '2026-11-24T17:05:00.000Z',
    });
  });

  it('is in progress shortly after it was received, stuck once the limit passed', () => {
    const early = statusOf('XHQGMDH', fullChain.slice(0, 3), [], { ...rules, now: Date.parse('2026-11-24T17:05:00Z') });
    expect(early.state).toBe('in progress');
    const late = statusOf('XHQGMDH', fullChain.slice(0, 3), [], rules);
    expect(late.state).toBe('stuck');
    expect(late.stuckBecause).toBe(
      'systems disagree 57 min after revision 1 arrived: scrub has nothing, guest page has nothing',
    );
  });

  it('shows the revision each system holds, and flags systems that disagree for too long', () => {
    const r2 = (type: LedgerLine['detailType'], at: string) =>
      line(type, at, { revision: 2, idempotencyKey: `XHQGMDH:r2:${type}` });
    const lines = [
      ...fullChain,
      r2('BookingModified', '2026-11-24T17:30:00.000Z'),
      r2('CalendarEntryUpdated', '2026-11-24T17:30:00.300Z'),
      r2('CrewEventUpdated', '2026-11-24T17:30:00.600Z'),
      r2('CrewNotesScrubbed', '2026-11-24T17:30:00.800Z'),
    ];
    const status = statusOf('XHQGMDH', lines, [], rules);
    expect(status.revision).toBe(2);
    expect(status.steps.map((s) => [s.label, s.holdsRevision, s.state])).toEqual([
      ['webhook received', 2, 'done'],
      ['calendar entry', 2, 'done'],
      ['SCC event', 2, 'done'],
      ['scrub', 2, 'done'],
      ['guest page', 1, 'pending'],
    ]);
    expect(status.state).toBe('stuck');
    expect(status.stuckBecause).toBe('systems disagree 30 min after revision 2 arrived: guest page at revision 1');
    const settled = statusOf('XHQGMDH', [...lines, r2('GuestPageUpdated', '2026-11-24T17:30:01.000Z')], [], rules);
    expect(settled.state).toBe('complete');
  });

  it('flags a double booking until it is resolved, on both bookings', () => {
    const detected = line('CalendarConflictDetected', '2026-11-24T17:03:01.500Z', { partners: ['KP4RT2Z'] });
    expect(statusOf('XHQGMDH', [...fullChain, detected], [], rules).doubleBookedWith).toEqual(['KP4RT2Z']);
    const resolved = line('CalendarConflictResolved', '2026-11-24T17:20:00.000Z', {
      revision: 2,
      partners: ['KP4RT2Z'],
    });
    expect(statusOf('XHQGMDH', [...fullChain, detected, resolved], [], rules).doubleBookedWith).toEqual([]);
  });

  it('names the other booking, never this one, for a double booking the other booking found and resolved', () => {
    // KP4RT2Z's lines, as the booking-ledger copies them onto this booking's timeline: their outcome names XHQGMDH.
    const theirs = (type: LedgerLine['detailType'], at: string, outcome: string): LedgerLine =>
      line(type, at, { partners: ['KP4RT2Z'], outcome, idempotencyKey: `KP4RT2Z:r1:${type}` });
    const detected = theirs('CalendarConflictDetected', '2026-11-24T17:10:00.000Z', 'double booking with XHQGMDH');
    const status = statusOf('XHQGMDH', [...fullChain, detected], [], rules);
    expect(status.doubleBookedWith).toEqual(['KP4RT2Z']);
    expect(status.otherEvents.map((e) => e.outcome)).toEqual(['double booking with KP4RT2Z']);
    const resolved = theirs('CalendarConflictResolved', '2026-11-24T17:20:00.000Z', 'no longer overlaps XHQGMDH');
    const after = statusOf('XHQGMDH', [...fullChain, detected, resolved], [], rules);
    expect(after.doubleBookedWith).toEqual([]);
    expect(after.otherEvents.map((e) => e.outcome)).toEqual([
      'double booking with KP4RT2Z',
      'no longer overlaps KP4RT2Z',
    ]);
    const { io, lines } = captureIo();
    printTimeline(io, status);
    expect(lines.join('\n')).not.toMatch(/(double booking with|overlaps) XHQGMDH/);
  });

  it('follows the latest received revision: a new revision is not complete until its own chain is', () => {
    const revision2 = line('BookingReceived', '2026-11-24T17:50:00.000Z', {
      revision: 2,
      idempotencyKey: 'XHQGMDH:r2:BookingReceived',
    });
    const status = statusOf('XHQGMDH', [...fullChain, revision2], [], rules);
    expect(status.revision).toBe(2);
    expect(status.state).toBe('in progress');
    expect(status.steps.filter((s) => s.state === 'done').map((s) => s.label)).toEqual(['webhook received']);
  });

  it('is cancelled once every system that held the booking has let it go', () => {
    const r2 = (type: LedgerLine['detailType'], at: string) =>
      line(type, at, { revision: 2, idempotencyKey: `XHQGMDH:r2:${type}` });
    const cancelled = r2('BookingCancelled', '2026-11-24T17:40:00.000Z');
    const halfway = statusOf(
      'XHQGMDH',
      [...fullChain, cancelled, r2('CalendarEntryCancelled', '2026-11-24T17:40:00.300Z')],
      [],
      {
        ...rules,
        now: Date.parse('2026-11-24T17:41:00Z'),
      },
    );
    expect(halfway.state).toBe('in progress');
    const status = statusOf(
      'XHQGMDH',
      [
        ...fullChain,
        cancelled,
        r2('CalendarEntryCancelled', '2026-11-24T17:40:00.300Z'),
        r2('CrewEventCancelled', '2026-11-24T17:40:00.600Z'),
        r2('GuestPageWithdrawn', '2026-11-24T17:40:00.900Z'),
      ],
      [],
      rules,
    );
    expect(status.state).toBe('cancelled');
    expect(status.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'not needed', 'done']);
  });

  it('is cancelled at once when it was cancelled before any system held it', () => {
    const cancelled = line('BookingCancelled', '2026-11-24T17:40:00.000Z', {
      revision: 2,
      outcome: 'booking cancelled',
    });
    const status = statusOf('XHQGMDH', [cancelled], [], rules);
    expect(status.state).toBe('cancelled');
    expect(status.steps.slice(1).every((s) => s.state === 'not needed')).toBe(true);
  });

  it.each(['booking-ledger', 'guest-mail', 'rebooking-offers'])(
    'is stuck when a dead letter of %s holds it, though the chain is complete',
    (consumer) => {
      const status = statusOf('XHQGMDH', fullChain, [{ ...crewLetter, consumer }], rules);
      expect(status.state).toBe('stuck');
      expect(status.stuckBecause).toBe(`1 dead letter (${consumer})`);
      expect(status.stuckAt).toEqual([consumer]);
      expect(status.steps.every((s) => s.state === 'done')).toBe(true);
    },
  );

  it('names the latest line as it is: a double booking found after the page is not "guest page"', () => {
    const detected = line('CalendarConflictDetected', '2026-11-24T17:10:00.000Z', { partners: ['KP4RT2Z'] });
    expect(statusOf('XHQGMDH', [...fullChain, detected], [], rules).lastEventLabel).toBe('double booking found');
    const resolved = line('CalendarConflictResolved', '2026-11-24T17:20:00.000Z', { partners: ['KP4RT2Z'] });
    const status = statusOf('XHQGMDH', [...fullChain, detected, resolved], [], rules);
    expect(status.lastEventLabel).toBe('double booking resolved');
    const { io, lines } = captureIo();
    printList(io, [status], NOW);
    expect(lines[0]).toMatch(/^XHQGMDH +r1 +complete +last: double booking resolved 40m ago$/);
  });

  it('is known from a dead letter alone when the ledger never heard of it', () => {
    const status = statusOf('XHQGMDH', [], [{ ...crewLetter, consumer: 'booking-ledger' }], rules);
    expect(status.state).toBe('stuck');
    expect(status.steps.every((s) => s.state === 'pending')).toBe(true);
  });
});

describe('what status prints', () => {
  it('a timeline: one line per step with time, outcome and ids, then the last error and how to redrive', () => {
    const { io, lines } = captureIo();
    printTimeline(
      io,
      statusOf('XHQGMDH', fullChain.slice(0, 2), [crewLetter], { ...rules, now: Date.parse('2026-11-24T17:06:00Z') }),
    );
    expect(lines[0]).toBe('booking XHQGMDH (revision 1): stuck, 1 dead letter (crew)');
    expect(lines[2]).toMatch(/^ {2}calendar entry +r1 {4}2026-11-24T17:03:01\.400Z {2}done {2}calendarEntryId=cal_1$/);
    expect(lines[3]).toMatch(/^ {2}SCC event .* failed$/);
    expect(lines).toContain(
      `  last error: crew ERROR_FROM_TARGET ${crewLetter.errorMessage} (dead-lettered 2026-11-24T17:05:00.000Z after 8 retries)`,
    );
    expect(lines.at(-1)).toBe('  1 dead letter(s): npx charterflow redrive --booking XHQGMDH');
  });

  it('a booking stopped by a refused call: stuck at that consumer, and the permission its role lacks', () => {
    const refused: DeadLetter = {
      ...crewLetter,
      errorCode: '200',
      errorMessage:
        'AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/charterflow-local-crew-role/charterflow-local-crew is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-west-2:000000000000:table/charterflow-local-bookings because no identity-based policy allows the dynamodb:Query action',
    };
    const status = statusOf('XHQGMDH', fullChain.slice(0, 2), [refused], rules);
    expect(status.lastError?.refusedCall).toMatchObject({ action: 'dynamodb:Query', kind: 'missing' });
    const timeline = captureIo();
    printTimeline(timeline.io, status);
    expect(timeline.lines).toContain(
      '  stuck at crew, missing permission: dynamodb:Query on arn:aws:dynamodb:us-west-2:000000000000:table/charterflow-local-bookings (role charterflow-local-crew-role)',
    );
    const list = captureIo();
    printList(list.io, [status], NOW);
    expect(list.lines[0]).toContain('STUCK: 1 dead letter (crew), missing permission: dynamodb:Query on arn:');
  });

  it('a list that flags the stuck bookings', () => {
    const { io, lines } = captureIo();
    const complete = statusOf('XHQGMDH', fullChain, [], rules);
    const stuck = statusOf(
      'BK000002',
      fullChain
        .slice(0, 2)
        .map((l) => ({ ...l, bookingId: 'BK000002', idempotencyKey: l.idempotencyKey.replace('XHQGMDH', 'BK000002') })),
      [{ ...crewLetter, bookingId: 'BK000002' }],
      rules,
    );
    printList(io, [complete, stuck], NOW);
    expect(lines[0]).toMatch(/^XHQGMDH +r1 +complete +last: guest page 56m ago$/);
    expect(lines[1]).toMatch(/^BK000002 +r1 +STUCK: 1 dead letter \(crew\) +last: calendar entry 56m ago$/);
    expect(lines[2]).toBe('2 booking(s), 1 stuck, 0 double-booked');
  });
});
