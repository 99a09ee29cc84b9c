import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { documentClient, eventBridgeClient } from '../../shared/aws';
import { busName } from '../../shared/config';
import { deployedNames } from '../../shared/declaration';
import { Publisher } from '../../shared/publisher';
import { PrivateRecords } from '../../shared/private-records';
import { startStack, type LocalStack } from '../../local/charterflow/stack';
import type { Io } from '../../cli/args';
import { runDlq, type DeadLetterView } from '../../cli/dlq';
import { runRedrive } from '../../cli/redrive';
import { runStatus } from '../../cli/status';
import type { BookingStatus } from '../../cli/operator/status';
import { bookingDetails, bookingSnapshot, eventMetadata } from '../../samples';

/**
 * dlq and redrive on the local stack with crew and booking-ledger subscribed: crew's dead letters come from
 * SCC being down and from a malformed event (which also dead-letters in the ledger).
 */

const [A, B, C] = ['DLQTESTA1', 'DLQTESTB2', 'DLQTESTC3'];

function captureIo() {
  const lines: string[] = [];
  const io: Io = { out: (l) => lines.push(l), err: (l) => lines.push(l), rewrite: () => undefined, isTTY: false };
  return { io, lines, json: <T>() => JSON.parse(lines.at(-1)!) as T };
}

const calendarEntryCreated = (bookingId: string) => ({
  metadata: eventMetadata({
    bookingId,
    correlationId: `msg_${bookingId}`,
    causationId: `ev_${bookingId}`,
    occurredAt: new Date().toISOString(),
    idempotencyKey: `${bookingId}:r1:CalendarEntryCreated`,
  }),
  data: { booking: bookingSnapshot({ bookingId }), calendarEntryId: `cal_${bookingId.toLowerCase()}` },
});

describe('dlq and redrive', () => {
  let stack: LocalStack;
  let events: EventBridgeClient;
  const invocations = new Map<string, number>();
  const invoked = (consumer: string) => invocations.get(deployedNames(consumer).functionName) ?? 0;
  const scc = (method: 'POST' | 'DELETE', body?: unknown) =>
    fetch(`${new URL(stack.endpoints.standIns.scc!).origin}/__faults`, {
      method,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const dlq = async (...argv: string[]) => {
    const out = captureIo();
    expect(await runDlq(['--json', ...argv], out.io)).toBe(0);
    return out.json<DeadLetterView[]>();
  };
  const status = async (id: string) => {
    const out = captureIo();
    expect(await runStatus([id, '--json'], out.io)).toBe(0);
    return out.json<BookingStatus>();
  };

  beforeAll(async () => {
    process.env.CHARTERFLOW_HTTP_MAX_ATTEMPTS = '1';
    stack = await startStack({
      ephemeral: true,
      ports: { aws: 0, webhook: 0, guestSite: 0 },
      consumers: ['crew', 'booking-ledger'],
      backoff: { baseMs: 2, maxMs: 10 },
    });
    Object.assign(process.env, stack.env);
    events = eventBridgeClient();
    const invoke = stack.lambda.invoke.bind(stack.lambda);
    stack.lambda.invoke = (arn, event) => {
      const name = arn.split(':').at(-1)!;
      invocations.set(name, (invocations.get(name) ?? 0) + 1);
      return invoke(arn, event);
    };

    await scc('POST', { errorRate: 1, afterEffectShare: 0 });
    const publisher = new Publisher(events);
    const privateRecords = new PrivateRecords(documentClient());
    for (const id of [A!, B!]) await privateRecords.write(id, 1, bookingDetails());
    // A second apart: event times are whole seconds, and redrive's window for A must not hold B.
    await publisher.publishOne('CalendarEntryCreated', calendarEntryCreated(A!));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await publisher.publishOne('CalendarEntryCreated', calendarEntryCreated(B!));
    // Malformed (no calendarEntryId): every consumer rejects it, naming the field, and it ends in their DLQs.
    const { data, metadata } = calendarEntryCreated(C!);
    const { calendarEntryId: _dropped, ...withoutId } = data;
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName(),
            Source: 'charterflow.calendar',
            DetailType: 'CalendarEntryCreated',
            Detail: JSON.stringify({ metadata, data: withoutId }),
          },
        ],
      }),
    );
    await stack.eventBridge.idle();
  }, 60_000);

  afterAll(async () => {
    events?.destroy();
    await stack?.stop();
    delete process.env.CHARTERFLOW_HTTP_MAX_ATTEMPTS;
  });

  it('lists every consumer’s dead letters with the error, booking, detail-type and age, and leaves them in place', async () => {
    const letters = await dlq();
    expect(letters.map((l) => `${l.consumer} ${l.bookingId}`).sort()).toEqual([
      `booking-ledger ${C}`,
      `crew ${A}`,
      `crew ${B}`,
      `crew ${C}`,
    ]);
    const crewA = letters.find((l) => l.consumer === 'crew' && l.bookingId === A)!;
    // The function failed the event: Lambda wrote the letter, with the invoke's HTTP status as ErrorCode and no
    // retry count (EventBridge's RETRY_ATTEMPTS is only on letters of invokes Lambda refused).
    expect(crewA).toMatchObject({ detailType: 'CalendarEntryCreated', errorCode: '200' });
    expect(crewA.retryAttempts).toBeUndefined();
    expect(crewA.errorMessage).toMatch(new RegExp(`503.*|scc.*${A}`));
    expect(letters.find((l) => l.consumer === 'crew' && l.bookingId === C)!.errorMessage).toMatch(/calendarEntryId/);

    // Looking twice sees the same letters: listing does not consume them.
    expect((await dlq()).map((l) => l.messageId).sort()).toEqual(letters.map((l) => l.messageId).sort());
    expect(await dlq('--consumer', 'booking-ledger', '--booking', C!)).toHaveLength(1);

    const plain = captureIo();
    expect(await runDlq([], plain.io)).toBe(0);
    // The target line goes first (stderr), then a header over columns that line up.
    expect(plain.lines[0]).toMatch(/^target: local stack /);
    const header = plain.lines[1]!;
    expect(header).toMatch(/^CONSUMER +BOOKING +DETAIL-TYPE +DEAD FOR +ERROR CODE +ERROR$/);
    const row = plain.lines.find((l) => l.startsWith(`crew `) && l.includes(A!))!;
    expect(row).toMatch(/ \d+s +200 \(function error\) +scc createCrewEvent failed/);
    for (const column of ['BOOKING', 'DETAIL-TYPE', 'DEAD FOR', 'ERROR CODE', 'ERROR'])
      for (const line of plain.lines.slice(2, -1)) expect(line[header.indexOf(column) - 1]).toBe(' ');
    expect(plain.lines.at(-1)).toBe('4 dead letter(s): booking-ledger 1, crew 3');
  });

  it('status shows the failed step and the last error of a dead-lettered booking', async () => {
    const a = await status(A!);
    expect(a.state).toBe('stuck');
    expect(a.lastError?.consumer).toBe('crew');
    expect(a.steps.find((s) => s.detailType === 'CrewEventCreated')?.state).toBe('failed');
    expect(a.steps.find((s) => s.detailType === 'CalendarEntryCreated')).toMatchObject({
      state: 'done',
      ids: { calendarEntryId: `cal_${A!.toLowerCase()}` },
    });
  });

  it('redrive --booking re-sends that booking’s event to crew alone and deletes its letter', async () => {
    expect((await scc('DELETE')).status).toBe(200);
    invocations.clear();
    const out = captureIo();
    expect(await runRedrive(['--booking', A!, '--json'], out.io)).toBe(0);
    await stack.eventBridge.idle();
    expect(out.json<unknown[]>()).toMatchObject([{ consumer: 'crew', redriven: 1, kept: [] }]);
    // crew got A's event once; the ledger only heard of what crew then emitted, never the replayed event.
    expect(invoked('crew')).toBe(1);
    expect(invoked('booking-ledger')).toBe(1);
    expect((await status(A!)).steps.find((s) => s.detailType === 'CrewEventCreated')?.state).toBe('done');
    expect((await status(B!)).steps.find((s) => s.detailType === 'CrewEventCreated')?.state).toBe('failed');
    expect((await dlq()).map((l) => `${l.consumer} ${l.bookingId}`).sort()).toEqual([
      `booking-ledger ${C}`,
      `crew ${B}`,
      `crew ${C}`,
    ]);
  });

  it('redrive --consumer crew leaves other consumers’ letters; an event that fails again comes back as a new letter', async () => {
    const before = await dlq('--consumer', 'crew', '--booking', C!);
    const plain = captureIo();
    expect(await runRedrive(['--consumer', 'crew'], plain.io)).toBe(0);
    await stack.eventBridge.idle();
    expect(plain.lines.at(-1)).toBe('crew: 2 redriven and deleted, 0 kept');
    expect(plain.lines.some((l) => /^crew: \d letter\(s\) via replay redrive-crew-/.test(l))).toBe(true);

    const after = await dlq();
    expect(after.map((l) => `${l.consumer} ${l.bookingId}`).sort()).toEqual([`booking-ledger ${C}`, `crew ${C}`]);
    expect(after.find((l) => l.consumer === 'crew')!.messageId).not.toBe(before[0]!.messageId);
    expect((await status(B!)).steps.find((s) => s.detailType === 'CrewEventCreated')?.state).toBe('done');
  });

  it('has nothing to do when no letters match', async () => {
    const out = captureIo();
    expect(await runRedrive(['--booking', 'NOSUCHBK'], out.io)).toBe(0);
    expect(out.lines).toEqual([expect.stringMatching(/^target: local stack /), 'no dead letters to redrive']);
  });
});
