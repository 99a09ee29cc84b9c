import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { formatDuration, parseDuration, parseWhen, type Io } from '../../cli/args';
import { commands, main } from '../../cli/main';
import { Progress } from '../../cli/progress';
import { onInterrupt, outcomeText, parseReplayArgs } from '../../cli/replay';
import { newReplayName, progressOf } from '../../cli/operator/replays';
import { clusters, splitByArchive, windowOf } from '../../cli/operator/redrive';
import { countByDetailType, deliveredTo, outcomesOf } from '../../cli/operator/outcomes';
import type { DeadLetter } from '../../cli/operator/dead-letters';
import type { LedgerLine } from '../../services/booking-ledger/booking-ledger';
import type { ConsumerDeclaration } from '../../shared/declaration';

const NOW = Date.parse('2026-11-24T17:00:00Z');

function captureIo(isTTY = false) {
  const lines: string[] = [];
  const rewrites: string[] = [];
  const io: Io = { out: (l) => lines.push(l), err: (l) => lines.push(l), rewrite: (l) => rewrites.push(l), isTTY };
  return { io, lines, rewrites };
}

async function runMain(argv: string[]) {
  const out: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => out.push(a.join(' '));
  try {
    return { code: await main(argv), out };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('times as the operator types them', () => {
  it.each([
    ['2h ago', NOW - 2 * 3_600_000],
    ['90 minutes ago', NOW - 90 * 60_000],
    ['3d ago', NOW - 3 * 86_400_000],
    ['45s ago', NOW - 45_000],
    ['1 week ago', NOW - 604_800_000],
    ['2h', NOW - 2 * 3_600_000],
    ['now', NOW],
    ['2026-11-24T17:03:00Z', Date.parse('2026-11-24T17:03:00Z')],
    ['2026-12-05T17:00:00-08:00', Date.parse('2026-12-06T01:00:00Z')],
    ['2026-11-24', Date.parse('2026-11-24T00:00:00Z')],
  ])('"%s"', (text, expected) => {
    expect(parseWhen(text, '--from', NOW).getTime()).toBe(expected);
  });

  it.each(['yesterday', 'Tuesday', '2h later', '', '11/24/2026', '-2h ago', '2026-13-45T99:00:00Z'])(
    'rejects "%s" naming the option',
    (text) => {
      expect(() => parseWhen(text, '--from', NOW)).toThrow(/--from must be an ISO time/);
    },
  );

  it('durations and their display', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2 min')).toBe(120_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(formatDuration(1_400)).toBe('1.4s');
    expect(formatDuration(200_000)).toBe('3m 20s');
  });
});

describe('replay arguments', () => {
  it('takes a window, one consumer and a dry run', () => {
    const args = parseReplayArgs(
      ['--from', '2h ago', '--to', '1h ago', '--consumer', 'booking-ledger', '--dry-run', '--stage', 'prod'],
      NOW,
    );
    expect(args.window).toEqual({ from: new Date(NOW - 7_200_000), to: new Date(NOW - 3_600_000) });
    expect(args).toMatchObject({
      consumer: 'booking-ledger',
      dryRun: true,
      stage: 'prod',
      local: false,
      settleMs: 30_000,
    });
  });

  it('ends the window now by default', () => {
    expect(parseReplayArgs(['--from', '2026-11-24T16:00:00Z'], NOW).window.to.getTime()).toBe(NOW);
  });

  it('--all takes the whole archive; its start is known once the archive is described', () => {
    const args = parseReplayArgs(['--all', '--consumer', 'booking-ledger'], NOW);
    expect(args).toMatchObject({ all: true, consumer: 'booking-ledger' });
    expect(args.window.to.getTime()).toBe(NOW);
  });

  it.each([
    [[], /--from is required/],
    [['--all', '--from', '1h ago'], /--all replays the whole archive/],
    [['--from', '1h ago', '--to', '2h ago'], /must be before --to/],
    [['--from', '1h ago', '--to', '2026-11-25T00:00:00Z'], /--to is in the future/],
    [['--from', 'later'], /--from must be an ISO time/],
    [['--from', '1h ago', '--settle', 'forever'], /--settle must be a duration/],
    [['--from', '1h ago', '--frm', 'x'], /unknown option '--frm' \(see --help\)/],
    [['--from', '1h ago', '--settle', '-5s'], /--settle must be a duration such as 30s or 2m, got "-5s"/],
    [['--from', '1h ago', 'extra'], /unexpected argument "extra"/],
  ])('rejects %j with a one-line reason', (argv, reason) => {
    expect(() => parseReplayArgs(argv as string[], NOW)).toThrow(reason);
  });
});

describe('the CLI', () => {
  it.each(['replay', 'status', 'dlq', 'redrive'])('%s is registered and has --help', async (name) => {
    expect(commands.some((c) => c.name === name)).toBe(true);
    const { code, out } = await runMain([name, '--help']);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(new RegExp(`^Usage: npx charterflow ${name}`));
  });

  it.each([
    [['replay'], 'charterflow replay: --from is required'],
    [['replay', '--from', 'soonish'], 'charterflow replay: --from must be an ISO time'],
    [['replay', '--from', '1h ago', '--consumer', 'nobody'], 'charterflow replay: --consumer must be one of'],
    [['status', 'not-an-id'], 'charterflow status: booking id must be'],
    [['status', '--limit', '0'], 'charterflow status: --limit must be a positive whole number'],
    [['dlq', '--consumer', 'nobody'], 'charterflow dlq: --consumer must be one of'],
    [['redrive', '--booking', 'x'], 'charterflow redrive: --booking must be'],
    [['redrive', '--bogus'], "charterflow redrive: unknown option '--bogus' (see --help)"],
    [['redrive', '--archive-lag', 'a while'], 'charterflow redrive: --archive-lag must be a duration'],
  ])('%j exits 2 with one line', async (argv, reason) => {
    const { code, out } = await runMain(argv as string[]);
    expect(code).toBe(2);
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(reason);
  });
});

describe('progress', () => {
  it('draws a bar on a terminal', () => {
    const { io, lines, rewrites } = captureIo(true);
    const bar = new Progress(io, 'replay r1', 0.1, 10);
    bar.update(0.5, 'last replayed 17:00:00');
    bar.done();
    expect(lines).toEqual([]);
    expect(rewrites[0]).toBe('replay r1 [#####.....]  50% last replayed 17:00:00');
    expect(rewrites.at(-1)).toBe('');
  });

  it('degrades to plain lines, one per step, without a terminal', () => {
    const { io, lines, rewrites } = captureIo(false);
    const bar = new Progress(io, 'replay r1', 0.25);
    for (const f of [0, 0.1, 0.2, 0.3, 0.5, 0.55, 0.8, 1, 1]) bar.update(f);
    bar.done();
    expect(rewrites).toEqual([]);
    expect(lines).toEqual(['replay r1: 0%', 'replay r1: 30%', 'replay r1: 55%', 'replay r1: 80%', 'replay r1: 100%']);
    expect(lines.join('')).not.toContain('\r');
    expect(lines.join('')).not.toContain('\x1b');
  });

  it('is the place of the last replayed event in the window', () => {
    const window = { from: new Date(NOW - 100_000), to: new Date(NOW) };
    expect(progressOf({ State: 'STARTING' }, window)).toBe(0);
    expect(progressOf({ State: 'RUNNING', EventLastReplayedTime: new Date(NOW - 25_000) }, window)).toBe(0.75);
    expect(progressOf({ State: 'COMPLETED', EventLastReplayedTime: new Date(NOW - 90_000) }, window)).toBe(1);
  });
});

describe('replay names', () => {
  it('are unique, at most 64 characters, and say what they are for', () => {
    const a = newReplayName('redrive', 'guest-page', new Date(NOW));
    const b = newReplayName('redrive', 'guest-page', new Date(NOW));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^redrive-guest-page-20261124T170000Z-[0-9a-f]{6}$/);
    expect(newReplayName('replay', 'x'.repeat(80)).length).toBeLessThanOrEqual(64);
  });
});

const letter = (time: string, over: Partial<DeadLetter> = {}): DeadLetter => ({
  consumer: 'crew',
  queueUrl: 'q',
  messageId: time,
  receiptHandle: time,
  event: { id: time, time, source: 'charterflow.calendar', 'detail-type': 'CalendarEntryCreated' },
  deadAt: new Date(time),
  ...over,
});

describe('redrive windows', () => {
  it('groups letters close in time and covers each group to the second after its last event', () => {
    const groups = clusters(
      [
        letter('2026-11-24T10:00:05Z'),
        letter('2026-11-24T10:00:01Z'),
        letter('2026-11-24T12:00:00Z'),
        letter('2026-11-24T10:03:00Z'),
      ],
      5 * 60_000,
    );
    expect(groups.map((g) => g.map((l) => l.event!.time))).toEqual([
      ['2026-11-24T10:00:01Z', '2026-11-24T10:00:05Z', '2026-11-24T10:03:00Z'],
      ['2026-11-24T12:00:00Z'],
    ]);
    expect(windowOf(groups[0]!)).toEqual({
      from: new Date('2026-11-24T10:00:01Z'),
      to: new Date('2026-11-24T10:03:01Z'),
    });
  });

  it('keeps letters whose event may not be archived yet', () => {
    const now = Date.parse('2026-11-24T10:10:00Z');
    const { replayable, notReplayable } = splitByArchive(
      [letter('2026-11-24T09:59:00Z'), letter('2026-11-24T10:05:00Z')],
      { archive: { CreationTime: new Date('2026-11-01T00:00:00Z') } as never },
      now,
      10 * 60_000,
    );
    expect(replayable.map((l) => l.messageId)).toEqual(['2026-11-24T09:59:00Z']);
    expect([...notReplayable.keys()]).toEqual([
      'the event may not be archived yet: redrive again after 2026-11-24T10:15:00.000Z',
    ]);
  });

  it('keeps letters whose event the archive cannot replay', () => {
    const archive = { CreationTime: new Date('2026-11-01T00:00:00Z'), RetentionDays: 30 };
    const { replayable, notReplayable } = splitByArchive(
      [
        letter('2026-11-20T00:00:00Z'),
        letter('2026-10-01T00:00:00Z'),
        letter('2026-11-02T00:00:00Z'),
        { ...letter('2026-11-20T00:00:01Z'), event: undefined },
      ],
      { archive: archive as never },
      Date.parse('2026-12-05T00:00:00Z'),
    );
    expect(replayable.map((l) => l.messageId)).toEqual(['2026-11-20T00:00:00Z']);
    expect([...notReplayable.keys()]).toEqual([
      'the event is older than the archive',
      "the event is past the archive's retention (30 days)",
      'the message is not an EventBridge event',
    ]);
  });
});

describe('replay outcomes per consumer', () => {
  const consumers = [
    { name: 'calendar', consumes: ['BookingReceived'], emits: ['CalendarEntryCreated'] },
    { name: 'crew', consumes: ['CalendarEntryCreated'], emits: ['CrewEventCreated'] },
    { name: 'booking-ledger', consumes: ['BookingReceived', 'CalendarEntryCreated'], emits: [] },
  ] as unknown as ConsumerDeclaration[];
  let events = 0;
  const line = (detailType: string, replayName?: string, eventId = `ev-${++events}`) =>
    ({ detailType, eventId, ...(replayName ? { replayName } : {}) }) as LedgerLine;

  it('counts deliveries from the ledger, acts from step records or the ledger lines the replay wrote', () => {
    const lines = [
      line('BookingReceived'),
      line('BookingReceived', 'r1'),
      line('CalendarEntryCreated', 'r1'),
      line('CalendarEntryCreated', 'older'),
    ];
    const outcomes = outcomesOf({ consumers, replayName: 'r1' }, lines, new Map([['calendar', 1]]));
    expect(outcomes).toEqual([
      { consumer: 'calendar', delivered: 2, acted: 1, emittedOnly: 0, skipped: 1 },
      { consumer: 'crew', delivered: 2, acted: 0, emittedOnly: 0, skipped: 2 },
      { consumer: 'booking-ledger', delivered: 4, acted: 2, emittedOnly: 0, skipped: 2 },
    ]);
  });

  it('tells a step that only had to emit (a chain broken between done and emitted) from one that acted', () => {
    // calendar acted for one booking and re-emitted for another; crew emitted nothing.
    const since = [line('CalendarEntryCreated'), line('CalendarEntryCreated')];
    const outcomes = outcomesOf(
      { consumers, replayName: 'r1' },
      [line('BookingReceived'), line('BookingReceived'), line('BookingReceived')],
      new Map([['calendar', 1]]),
      since,
    );
    expect(outcomes[0]).toEqual({ consumer: 'calendar', delivered: 3, acted: 1, emittedOnly: 1, skipped: 1 });
    expect(outcomes[1]).toMatchObject({ consumer: 'crew', emittedOnly: 0 });
  });

  it('a consumer that keeps no record (a new one, backfilled) acted on every event delivered, skipped none', () => {
    const added = {
      name: 'rebooking-offers',
      consumes: ['BookingReceived'],
      emits: [],
    } as unknown as ConsumerDeclaration;
    const lines = Array.from({ length: 7 }, () => line('BookingReceived'));
    const outcomes = outcomesOf(
      { consumers: [added, consumers[0]!], replayName: 'r1' },
      lines,
      new Map([['calendar', 0]]),
      [],
      new Set(['calendar']),
    );
    expect(outcomes).toEqual([
      { consumer: 'rebooking-offers', delivered: 7, acted: 7, emittedOnly: 0, skipped: 0, unrecorded: true },
      { consumer: 'calendar', delivered: 7, acted: 0, emittedOnly: 0, skipped: 7 },
    ]);
    expect(outcomeText(outcomes[0]!)).toBe('7 acted (it keeps no record of what it did: every event delivered counts)');
    expect(outcomeText(outcomes[1]!)).toBe('0 acted, 7 skipped (already done)');
  });

  it('counts a double booking once, though the ledger keeps its line on both bookings', () => {
    // 24 events, and one CalendarConflictDetected copied onto the partner booking's timeline with its event id.
    const lines = [
      ...Array.from({ length: 24 }, () => line('BookingReceived')),
      line('CalendarConflictDetected', undefined, 'ev-conflict'),
      line('CalendarConflictDetected', undefined, 'ev-conflict'),
    ];
    const counts = countByDetailType(lines);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(25);
    expect(counts.get('CalendarConflictDetected')).toBe(1);
    const ledger = { name: 'booking-ledger', consumes: ['BookingReceived', 'CalendarConflictDetected'], emits: [] };
    expect(deliveredTo(ledger as unknown as ConsumerDeclaration, counts)).toBe(25);
  });
});

describe('Ctrl-C during a replay', () => {
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('cancels at once without a terminal: there is nobody to ask', async () => {
    const signals = new EventEmitter();
    const { io } = captureIo(false);
    let cancelled = 0;
    let asked = 0;
    const ask = () => {
      asked++;
      return Promise.resolve(true);
    };
    const stop = onInterrupt({ signals, ask }, io, async () => void cancelled++);
    signals.emit('SIGINT');
    await settle();
    expect({ cancelled, asked }).toEqual({ cancelled: 1, asked: 0 });
    stop();
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('asks on a terminal, and cancels only on yes', async () => {
    const signals = new EventEmitter();
    const { io, lines } = captureIo(true);
    const answers = [false, true];
    let cancelled = 0;
    onInterrupt({ signals, ask: async () => answers.shift()! }, io, async () => void cancelled++);
    signals.emit('SIGINT');
    await settle();
    expect(cancelled).toBe(0);
    expect(lines).toContain('replay continues');
    signals.emit('SIGINT');
    await settle();
    expect(cancelled).toBe(1);
  });
});
