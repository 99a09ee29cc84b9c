import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaration } from '../../../services/guest-mail/declaration';
import { mailGuestFor, type GuestMailDeps, type GuestMailEvent } from '../../../services/guest-mail/guest-mail';
import { MailRecords } from '../../../services/guest-mail/mail-records';
import { mailSettings } from '../../../services/guest-mail/send';
import type { BookingSnapshot } from '../../../shared/contract/events';
import { region } from '../../../shared/config';
import { parseConsumedEvent } from '../../../shared/consumer';
import { createLogger } from '../../../shared/logger';
import { PrivateRecords } from '../../../shared/private-records';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from '../calendar/support';
import { guestBooking, mailsIn, pageEvent, rememberRenter, renterAddress } from './support';

/**
 * guest-mail stopped at every await point: just before or just after each AWS call (the real clients, with a
 * middleware that throws there and lets nothing out afterwards, as a dead process would), then run again as
 * Lambda's retry runs it (the same request id). The renter gets exactly the right mails, once, in order; the
 * one exception is a stop just after SES took a mail and before it was recorded, which sends it once more
 * (SES has no idempotency key: the trade-off is in guest-mail.ts and the README).
 */

type Kind = 'confirmation' | 'change' | 'cancellation';

class Crash extends Error {
  override readonly name = 'Crash';
}

interface Plan {
  /** The call to stop at: its number, from 1, or the first call of that name. */
  at?: number | string;
  phase?: 'before' | 'after';
  calls: string[];
  crashed?: string;
}

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let dynamo: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let ses: SESv2Client;
let deps: GuestMailDeps;
let plan: Plan | undefined;

/** Crash points around every call the client sends: fault injection at our boundary, on the real client. */
function withCrashPoints(client: DynamoDBClient | SESv2Client) {
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next, context) => async (args) => {
      const current = plan;
      if (!current) return next(args);
      if (current.crashed) throw new Crash(`crashed at ${current.crashed}: nothing goes out any more`);
      const call = `${context.commandName}`.replace(/Command$/, '');
      current.calls.push(call);
      const at = typeof current.at === 'string' ? current.calls.indexOf(current.at) + 1 : current.at;
      const here = (phase: 'before' | 'after') => at === current.calls.length && current.phase === phase;
      if (here('before')) {
        current.crashed = `before ${call}`;
        throw new Crash(current.crashed);
      }
      // A stop just after a call, whatever it answered: a refused write too.
      const stopAfter = () => {
        current.crashed = `after ${call}`;
        return new Crash(current.crashed);
      };
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        if (here('after')) throw stopAfter();
        throw error;
      }
      if (here('after')) throw stopAfter();
      return result;
    },
    { step: 'initialize', name: 'testCrashPoints', priority: 'high' },
  );
  return client;
}

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['guest-mail']);
  const config = { region: region(), endpoint: env.stack.endpoints.aws };
  dynamo = withCrashPoints(new DynamoDBClient(config)) as DynamoDBClient;
  ses = withCrashPoints(
    new SESv2Client({
      region: region(),
      endpoint: env.stack.endpoints.mailbox,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  ) as SESv2Client;
  documents = DynamoDBDocumentClient.from(dynamo);
  deps = {
    ses,
    records: new MailRecords(documents),
    privateRecords: new PrivateRecords(documents),
    settings: mailSettings(),
    logger: createLogger('guest-mail'),
    pollMs: 20,
  };
}, 60_000);

afterAll(async () => {
  dynamo?.destroy();
  ses?.destroy();
  await env?.stop();
  logs?.restore();
});

const detailTypes = {
  confirmation: 'GuestPagePublished',
  change: 'GuestPageUpdated',
  cancellation: 'GuestPageWithdrawn',
} as const;

function eventOf(kind: Kind, booking: BookingSnapshot): GuestMailEvent {
  const detailType = detailTypes[kind];
  const extra = kind === 'change' ? { changes: [{ field: 'time', before: '5:00 PM', after: '6:00 PM' }] } : {};
  return parseConsumedEvent(declaration, {
    version: '0',
    id: `evt-${booking.bookingId}-${kind}`,
    'detail-type': detailType,
    source: 'charterflow.guest-page',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-west-2',
    resources: [],
    detail: pageEvent(detailType, booking, extra as never),
  });
}

const kindOfSubject = (subject: string): Kind =>
  subject.endsWith(', is cancelled') ? 'cancellation' : subject.endsWith(': what changed') ? 'change' : 'confirmation';

async function mailsOf(bookingId: string): Promise<Kind[]> {
  return (await mailsIn(env.stack.endpoints.mailbox, renterAddress(bookingId))).map((m) => kindOfSubject(m.subject));
}

const invocation = (requestId: string, ms = 29_000) => ({ requestId, deadline: Date.now() + ms });

interface Scenario {
  name: string;
  /** What happened to the booking before: events handled cleanly, in order. */
  before: { kind: Kind; revision: number }[];
  event: { kind: Kind; revision: number };
  /** The renter's mails at the end, in order. */
  expected: Kind[];
}

const scenarios: Scenario[] = [
  { name: 'a new booking', before: [], event: { kind: 'confirmation', revision: 1 }, expected: ['confirmation'] },
  {
    name: 'a change',
    before: [{ kind: 'confirmation', revision: 1 }],
    event: { kind: 'change', revision: 2 },
    expected: ['confirmation', 'change'],
  },
  {
    name: 'a cancellation',
    before: [{ kind: 'confirmation', revision: 1 }],
    event: { kind: 'cancellation', revision: 2 },
    expected: ['confirmation', 'cancellation'],
  },
  {
    name: 'a confirmation with the cancellation waiting for it',
    before: [{ kind: 'cancellation', revision: 2 }],
    event: { kind: 'confirmation', revision: 1 },
    expected: ['confirmation', 'cancellation'],
  },
];

async function prepare(scenario: Scenario, prefix: string) {
  const booking = guestBooking(uniqueBookingId(prefix));
  await rememberRenter(documents, booking, [1, 2]);
  const at = (revision: number) => ({
    ...booking,
    revision,
    ...(revision > 1 ? { status: 'modified' as const } : {}),
  });
  for (const step of scenario.before) {
    const snapshot =
      step.kind === 'cancellation' ? { ...at(step.revision), status: 'cancelled' as const } : at(step.revision);
    await mailGuestFor(eventOf(step.kind, snapshot), { ...deps, invocation: invocation(`before-${step.kind}`) });
  }
  const snapshot =
    scenario.event.kind === 'cancellation'
      ? { ...at(scenario.event.revision), status: 'cancelled' as const }
      : at(scenario.event.revision);
  return { booking, event: eventOf(scenario.event.kind, snapshot) };
}

describe.each(scenarios)('guest-mail stopped at every await point: $name', (scenario) => {
  it('exactly the right mails, once and in order, after Lambda retries the invocation', async () => {
    // The calls of a run that does not crash: one crash point before and one after each.
    const clean = await prepare(scenario, 'K');
    plan = { calls: [] };
    await mailGuestFor(clean.event, { ...deps, invocation: invocation('clean') });
    const calls = plan.calls;
    plan = undefined;
    expect(await mailsOf(clean.booking.bookingId)).toEqual(scenario.expected);
    expect(calls).toContain('SendEmail');

    const outcomes: string[] = [];
    for (const [index, call] of calls.entries()) {
      for (const phase of ['before', 'after'] as const) {
        const { booking, event } = await prepare(scenario, 'X');
        const requestId = `crash-${index + 1}-${phase}`;
        plan = { at: index + 1, phase, calls: [] };
        await expect(mailGuestFor(event, { ...deps, invocation: invocation(requestId) })).rejects.toThrow(Crash);
        plan = undefined;
        await mailGuestFor(event, { ...deps, invocation: invocation(requestId) });
        // A redelivery afterwards (another request) changes nothing.
        await mailGuestFor(event, { ...deps, invocation: invocation(`${requestId}-again`) });

        const expected = [...scenario.expected];
        // Between SES taking a mail and its record (just after SendEmail, just before the next call) the retry
        // sends it once more: the one duplicate SES allows. Which mail: the n-th SendEmail of the clean run.
        const sent = phase === 'after' ? index : index - 1;
        if (calls[sent] === 'SendEmail') {
          const nth = calls.slice(0, sent + 1).filter((c) => c === 'SendEmail').length;
          const position = scenario.expected.length - calls.filter((c) => c === 'SendEmail').length + nth - 1;
          expected.splice(position, 0, expected[position]!);
        }
        const got = await mailsOf(booking.bookingId);
        outcomes.push(`${phase} ${call} #${index + 1}: ${got.join(', ')}`);
        expect(got, `${phase} ${call} (call ${index + 1})`).toEqual(expected);
        const states = (await deps.records.of(booking.bookingId)).map((r) => r.state);
        expect(
          states.filter((s) => s === 'sending' || s === 'waiting'),
          `${phase} ${call}`,
        ).toEqual([]);
      }
    }
    expect(outcomes).toHaveLength(calls.length * 2);
  }, 120_000);
});

describe('a claim left by a crashed invocation', () => {
  it('is finished by the next event of the booking once its invocation has ended: the confirmation, then the change', async () => {
    const booking = guestBooking(uniqueBookingId('S'));
    await rememberRenter(documents, booking, [1, 2]);
    // The confirmation's invocation stops just before SES, its claim taken; it would have ended 6 s later.
    plan = { at: 'SendEmail', phase: 'before', calls: [] };
    await expect(
      mailGuestFor(eventOf('confirmation', booking), { ...deps, invocation: invocation('dead', 6_000) }),
    ).rejects.toThrow(Crash);
    plan = undefined;
    expect((await deps.records.of(booking.bookingId)).map((r) => [r.kind, r.state])).toEqual([
      ['confirmation', 'sending'],
    ]);

    // The change comes from another invocation: it waits for the claim to end, finishes it, then mails.
    const started = Date.now();
    await expect(
      mailGuestFor(eventOf('change', { ...booking, revision: 2, status: 'modified' }), {
        ...deps,
        invocation: invocation('change'),
      }),
    ).resolves.toBe('sent');
    expect(await mailsOf(booking.bookingId)).toEqual(['confirmation', 'change']);
    expect(Date.now() - started).toBeGreaterThan(4_000);
    expect((await deps.records.of(booking.bookingId)).map((r) => [r.kind, r.state])).toEqual([
      ['change', 'sent'],
      ['confirmation', 'sent'],
    ]);
  }, 30_000);

  it("is finished at once by Lambda's retry of the same invocation, whatever its deadline", async () => {
    const booking = guestBooking(uniqueBookingId('L'));
    await rememberRenter(documents, booking, [1]);
    plan = { at: 'SendEmail', phase: 'before', calls: [] };
    await expect(
      mailGuestFor(eventOf('confirmation', booking), { ...deps, invocation: invocation('same') }),
    ).rejects.toThrow(Crash);
    plan = undefined;
    const started = Date.now();
    await expect(
      mailGuestFor(eventOf('confirmation', booking), { ...deps, invocation: invocation('same') }),
    ).resolves.toBe('sent');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await mailsOf(booking.bookingId)).toEqual(['confirmation']);
  });

  it('makes a delivery that cannot outwait it fail, to be retried, rather than mail past it', async () => {
    const booking = guestBooking(uniqueBookingId('W'));
    await rememberRenter(documents, booking, [1, 2]);
    plan = { at: 'SendEmail', phase: 'before', calls: [] };
    await expect(
      mailGuestFor(eventOf('confirmation', booking), { ...deps, invocation: invocation('holder', 29_000) }),
    ).rejects.toThrow(Crash);
    plan = undefined;
    await expect(
      mailGuestFor(eventOf('cancellation', { ...booking, revision: 2, status: 'cancelled' }), {
        ...deps,
        invocation: invocation('short', 5_500),
      }),
    ).rejects.toThrow(/is being sent by another delivery; this event will be retried/);
    expect(await mailsOf(booking.bookingId)).toEqual([]);
  });
});
