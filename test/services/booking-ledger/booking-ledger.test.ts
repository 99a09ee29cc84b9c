import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type LocalStack } from '../../../local/charterflow/stack';
import { documentClient, eventBridgeClient, sqsClient } from '../../../shared/aws';
import { parseConsumedEvent } from '../../../shared/consumer';
import type { DetailType, EventDetail } from '../../../shared/contract/events';
import { deployedNames } from '../../../shared/declaration';
import { Publisher } from '../../../shared/publisher';
import { exampleData } from '../../../shared/contract/examples';
import { declaration } from '../../../services/booking-ledger/declaration';
import { ledgerLineOf, ledgerLinesOf } from '../../../services/booking-ledger/booking-ledger';
import { BookingLedger, ledgerTableName } from '../../../services/booking-ledger/ledger';
import { measured } from '../../../bench/harness';
import { bookingSnapshot, eventEnvelope, eventMetadata } from '../../../samples';

/** The chain of one booking, a few seconds apart, as the services emit it. */
const chain: DetailType[] = [
  'BookingReceived',
  'CalendarEntryCreated',
  'CrewEventCreated',
  'CrewNotesScrubbed',
  'GuestPagePublished',
];

function detailOf<T extends DetailType>(type: T, bookingId: string, second: number): EventDetail<T> {
  return {
    metadata: eventMetadata({
      bookingId,
      occurredAt: `2026-11-24T17:03:${String(second).padStart(2, '0')}.250Z`,
      idempotencyKey: `${bookingId}:r1:${type}`,
    }),
    data: { booking: bookingSnapshot({ bookingId }), ...exampleData[type] },
  } as EventDetail<T>;
}

const envelope = (type: DetailType, detail: unknown, extra: Record<string, unknown> = {}) =>
  eventEnvelope(type, detail, { id: `evt-${type}`, ...extra });

describe('a ledger line', () => {
  it.each([
    ['BookingReceived', 'booking received', 'booking confirmed', {}],
    ['BookingModified', 'booking modified', 'booking confirmed', {}],
    ['BookingCancelled', 'booking cancelled', 'booking confirmed', {}],
    ['CalendarEntryCreated', 'calendar entry created', 'done', { calendarEntryId: 'cal_01J9Z3K8QX' }],
    ['CrewEventCreated', 'crew event created', 'done', { calendarEntryId: 'cal_01J9Z3K8QX', sccEventId: 'scc_7f3a9c' }],
    ['CrewNotesScrubbed', 'crew notes scrubbed', '5 revenue lines removed', { sccEventId: 'scc_7f3a9c' }],
    ['GuestPagePublished', 'guest page published', 'done', exampleData.GuestPagePublished],
  ] as const)('of %s says "%s", "%s", with its ids', (type, step, outcome, ids) => {
    const line = ledgerLineOf(parseConsumedEvent(declaration, envelope(type, detailOf(type, 'XHQGMDH', 1))));
    expect(line).toMatchObject({ bookingId: 'XHQGMDH', revision: 1, step, outcome, ids, eventId: `evt-${type}` });
    expect(line.at).toBe('2026-11-24T17:03:01.250Z');
  });

  it('says when the notes were already clean, and marks a replayed event', () => {
    const detail = detailOf('CrewNotesScrubbed', 'XHQGMDH', 1);
    detail.data.linesRemoved = 0;
    const line = ledgerLineOf(
      parseConsumedEvent(declaration, envelope('CrewNotesScrubbed', detail, { 'replay-name': 'r-7' })),
    );
    expect(line.outcome).toBe('notes already clean');
    expect(line.replayName).toBe('r-7');
  });

  it.each([
    ['CalendarConflictDetected', 'double booking with'],
    ['CalendarConflictResolved', 'no longer overlaps'],
  ] as const)('of %s goes on both timelines, each naming the other booking', (type, says) => {
    const [own, theirs] = ledgerLinesOf(parseConsumedEvent(declaration, envelope(type, detailOf(type, 'XHQGMDH', 1))));
    expect(own).toMatchObject({ bookingId: 'XHQGMDH', partners: ['KP4RT2Z'], outcome: `${says} KP4RT2Z` });
    expect(theirs).toMatchObject({ bookingId: 'KP4RT2Z', partners: ['XHQGMDH'], outcome: `${says} XHQGMDH` });
  });

  it('keeps no renter details: no name, e-mail or phone, no price', () => {
    const text = JSON.stringify(
      ledgerLineOf(
        parseConsumedEvent(declaration, envelope('BookingReceived', detailOf('BookingReceived', 'XHQGMDH', 1))),
      ),
    );
    for (const secret of ['Reyes', 'Dana', 'dana@example.com', '+16195550100', '1450'])
      expect(text).not.toContain(secret);
  });
});

describe('booking-ledger on the local stack', () => {
  let stack: LocalStack;
  let ledger: BookingLedger;
  const delivered: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ ephemeral: true, ports: { aws: 0 }, consumers: [declaration.name], standIns: false });
    // The real handler, imported after the stack set AWS_ENDPOINT_URL; the wrapper only counts deliveries.
    const { handler } = await import('../../../services/booking-ledger/handler');
    stack.lambda.register(deployedNames(declaration.name).functionName, () =>
      Promise.resolve((event, context) => {
        delivered.push((event as { 'detail-type': string })['detail-type']);
        return handler(event as never, context as Context);
      }),
    );
    ledger = new BookingLedger(documentClient());
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const publishChain = async (bookingId: string, firstSecond: number, types = chain) => {
    const events = eventBridgeClient();
    try {
      await new Publisher(events).publish(
        types.map((type) => ({
          detailType: type,
          detail: detailOf(type, bookingId, firstSecond + chain.indexOf(type)),
        })),
      );
      await stack.eventBridge.idle();
    } finally {
      events.destroy();
    }
  };

  it('keeps a timeline of every step of a booking, in the order they happened', async () => {
    // Published newest first: the bus gives no ordering, the timeline must not depend on one.
    await publishChain('LEDGER01', 10, [...chain].reverse());
    const timeline = await ledger.timeline('LEDGER01');
    expect(timeline.map((line) => line.step)).toEqual([
      'booking received',
      'calendar entry created',
      'crew event created',
      'crew notes scrubbed',
      'guest page published',
    ]);
    expect(timeline[2]).toMatchObject({
      ids: { calendarEntryId: 'cal_01J9Z3K8QX', sccEventId: 'scc_7f3a9c' },
      outcome: 'done',
    });
    expect(new Set(timeline.map((line) => line.eventId)).size).toBe(5);
  });

  it('adds no line when the same facts arrive again (redelivery, re-emit, replay)', async () => {
    await publishChain('LEDGER02', 20);
    const before = await ledger.timeline('LEDGER02');
    await publishChain('LEDGER02', 20);
    await publishChain('LEDGER02', 20);
    const after = await ledger.timeline('LEDGER02');
    expect(after).toHaveLength(5);
    expect(after).toEqual(before);
    expect(delivered.filter((type) => type === 'BookingReceived').length).toBeGreaterThanOrEqual(4);
  });

  const lineOf = (bookingId: string, type: DetailType, second: number) =>
    ledgerLineOf(parseConsumedEvent(declaration, envelope(type, detailOf(type, bookingId, second))));

  it('tells by one read whether a replayed line is in already', async () => {
    const received = lineOf('LEDGER04', 'BookingReceived', 50);
    expect(await ledger.holds(received)).toBe(false);
    expect(await ledger.record(received)).toBe('recorded');
    expect(await ledger.holds(received)).toBe(true);
    expect(await ledger.record(received)).toBe('already-recorded');
    expect(await ledger.holds(lineOf('LEDGER04', 'CalendarEntryCreated', 51))).toBe(false);
  });

  it('records a new fact in one write, and a replay of a recorded one by one read that writes nothing', async () => {
    const { handler } = await import('../../../services/booking-ledger/handler');
    const context = { awsRequestId: 'ledger-replay', functionName: 'booking-ledger' } as Context;
    const replayed = envelope('CalendarEntryCreated', detailOf('CalendarEntryCreated', 'LEDGER05', 31), {
      'replay-name': 'r-9',
    });
    const first = await measured(() => handler(envelope('CalendarEntryCreated', replayed.detail), context));
    expect(first.calls.map((call) => call.operation)).toEqual(['PutItem']);

    // The whole table: a few dozen items, one page.
    const everything = async () =>
      (await documentClient().send(new ScanCommand({ TableName: ledgerTableName(), ConsistentRead: true }))).Items;
    const before = await everything();
    const replay = await measured(() => handler(replayed, context));
    expect(replay.calls.map((call) => call.operation)).toEqual(['GetItem']);
    expect(await everything()).toEqual(before);
  });

  it("shows a booking's latest step in recent bookings from its one write, whatever order the events arrive in", async () => {
    // Each line is the only write its event makes: right after it, with nothing else written (nothing a crash
    // could leave undone), the booking is listed at its latest step.
    const lastStep = async () =>
      (await ledger.recentBookings(50)).find((summary) => summary.bookingId === 'LEDGER06')?.lastStep;
    await ledger.record(lineOf('LEDGER06', 'CrewEventCreated', 2));
    expect(await lastStep()).toBe('crew event created');
    // Older facts arriving late (a retry, a replay) do not take the step back.
    await ledger.record(lineOf('LEDGER06', 'BookingReceived', 0));
    await ledger.record(lineOf('LEDGER06', 'CalendarEntryCreated', 1));
    expect(await lastStep()).toBe('crew event created');
    // A line on this timeline from another booking's double booking is not this booking's step.
    await ledger.record(lineOf('LEDGER06', 'CalendarConflictDetected', 5), { recent: false });
    expect(await lastStep()).toBe('crew event created');
    await ledger.record(lineOf('LEDGER06', 'GuestPagePublished', 4));
    expect(await lastStep()).toBe('guest page published');
    expect(await ledger.recentBookings(50)).toContainEqual(
      expect.objectContaining({ bookingId: 'LEDGER06', revision: 1, lastEventAt: '2026-11-24T17:03:04.250Z' }),
    );
  });

  it('lists recent bookings, newest activity first, with their last step', async () => {
    await publishChain('LEDGER03', 40, chain.slice(0, 2));
    const recent = await ledger.recentBookings(10);
    const ids = recent.map((summary) => summary.bookingId);
    expect(ids.indexOf('LEDGER03')).toBeLessThan(ids.indexOf('LEDGER02'));
    expect(recent.find((summary) => summary.bookingId === 'LEDGER03')).toMatchObject({
      lastStep: 'calendar entry created',
      lastEventAt: '2026-11-24T17:03:41.250Z',
    });
    expect(recent.find((summary) => summary.bookingId === 'LEDGER01')?.lastStep).toBe('guest page published');
  });

  it('dead-letters nothing', async () => {
    const sqs = sqsClient();
    try {
      const { QueueUrl } = await sqs.send(
        new GetQueueUrlCommand({ QueueName: deployedNames(declaration.name).deadLetterQueueName }),
      );
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
      expect(Messages ?? []).toEqual([]);
    } finally {
      sqs.destroy();
    }
  });
});
