import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Io } from '../../cli/args';
import { runForget } from '../../cli/forget';
import { runReplay, type ReplaySummary } from '../../cli/replay';
import { RemovedLinesStore } from '../../services/scrub/removed-lines';
import { parseSecrets } from '../../services/webhook/signature';
import { busName, region, secretNames } from '../../shared/config';
import { FORGOTTEN_SKIP } from '../../shared/private-records';
import { signedDelivery } from '../../shared/signed-delivery';
import { bookingConfirmedAs, bookingSnapshotV1, eventMetadata } from '../../samples';
import {
  captureLogs,
  startCalendarCrewStack,
  uniqueBookingId,
  type BusEvent,
  type CalendarCrewStack,
} from '../services/calendar/support';
import { mailsIn, tripStartIn } from '../services/guest-mail/support';

/**
 * A renter whose last name, email, phone and prices are like no one else's, through the whole chain from a
 * signed webhook: none of them crosses the bus, stays in the archive or reaches the guest page, even when the
 * renter's note repeats them; SCC still makes its revenue lines and the renter still gets the mail. Then
 * `charterflow forget`, every table of ours scanned, and a replay of the archive that skips cleanly.
 */

const LAST_NAME = 'Quillfeather';
const EMAIL = 'zephyrine.quillfeather@example.org';
const PHONE = '+1 619 555 0187';
const PRICES = { booking_total: 2345.67, boatsetter_fee: 351.85, captain_fee: 312.34, owner_payout: 1681.48 };
const NOTE = `Text me at ${PHONE} or ${EMAIL}, ask for the ${LAST_NAME} party; we paid $2,345.67 already`;
/** Every form in which one of them would give the renter or the money away. */
const SECRETS = [
  LAST_NAME,
  EMAIL,
  PHONE,
  '6195550187',
  '555 0187',
  '2345.67',
  '2,345.67',
  '351.85',
  '312.34',
  '1681.48',
  '1,681.48',
];

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let documents: DynamoDBDocumentClient;
let dynamodb: DynamoDBClient;
const bookingId = uniqueBookingId('P');
const started = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
const io = (lines: string[]): Io => ({
  out: (l) => lines.push(l),
  err: (l) => lines.push(l),
  rewrite: () => undefined,
  isTTY: false,
});

const leaked = (value: unknown) => SECRETS.filter((secret) => JSON.stringify(value).includes(secret));

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['calendar', 'crew', 'scrub', 'guest-page', 'guest-mail', 'booking-ledger']);
  const endpoint = env.stack.endpoints.aws;
  dynamodb = new DynamoDBClient({ region: region(), endpoint });
  documents = DynamoDBDocumentClient.from(dynamodb);
  const secrets = new SecretsManagerClient({ region: region(), endpoint });
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  secrets.destroy();

  const payload = bookingConfirmedAs(bookingId);
  payload.data.trip.start = tripStartIn(30);
  payload.data.renter = { first_name: 'Zephyrine', last_name: LAST_NAME, email: EMAIL, phone: PHONE };
  payload.data.pricing = { currency: 'USD', ...PRICES };
  payload.data.special_requests = NOTE;
  const delivery = signedDelivery(payload, parseSecrets(SecretString!)[0]!);
  const response = await fetch(new URL('/webhooks/boatsetter', env.stack.endpoints.webhook), {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  expect(response.status, await response.text()).toBe(202);
  await env.stack.eventBridge.idle();
}, 60_000);

afterAll(async () => {
  documents?.destroy();
  await env?.stop();
  logs?.restore();
});

describe("the renter's details and the prices stay off the bus", () => {
  it('the whole chain ran: page published, crew notes scrubbed', async () => {
    const types = (await env.eventsOf(bookingId)).map((e) => e['detail-type']);
    expect(types).toEqual(
      expect.arrayContaining([
        'BookingReceived',
        'CalendarEntryCreated',
        'CrewEventCreated',
        'CrewNotesScrubbed',
        'GuestPagePublished',
      ]),
    );
  });

  it('no event a tap on the bus sees carries the last name, email, phone or a price, in any field', async () => {
    const events = await env.eventsOf(bookingId);
    expect(events.length).toBeGreaterThanOrEqual(5);
    for (const event of events) expect(leaked(event), event['detail-type']).toEqual([]);
    const [received] = events.filter((e) => e['detail-type'] === 'BookingReceived');
    expect(received!.detail.metadata.schemaVersion).toBe('2.1');
    expect(received!.detail.data.booking).toMatchObject({
      renter: { firstName: 'Zephyrine' },
      hasSpecialRequests: true,
    });
  });

  it('the guest page shows none of them', async () => {
    const page = await (await fetch(new URL(`/g/${bookingId}`, env.stack.endpoints.guestSite))).text();
    expect(page).toContain('Zephyrine');
    expect(leaked(page)).toEqual([]);
  });

  it('SCC still made its revenue lines from the prices (scrub kept them for the operator)', async () => {
    const removed = await new RemovedLinesStore(documents).forBooking(bookingId);
    expect(removed.flatMap((r) => r.lines)).toContain('Revenue: $2,345.67');
    const [sccEvent] = (await env.tables.sccEvents()).filter((e) => e.bookingId === bookingId);
    expect(sccEvent!.notes).toContain('Special requests: Text me at');
  });

  it('guest-mail still mailed the renter, at the address from the private record', async () => {
    const mails = await mailsIn(env.stack.endpoints.mailbox, EMAIL);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.body.text).toContain('Hi Zephyrine,');
  });
});

async function ourTables(): Promise<string[]> {
  const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
  // The stand-ins' tables are JADA's and SCC's: systems we do not own, which forget names instead.
  return TableNames.filter((name) => name.startsWith('charterflow-'));
}

describe('charterflow forget, then a replay', () => {
  const printed: string[] = [];

  it('before: our tables hold the renter (the private record), so the scan below can see them', async () => {
    const holding = [];
    for (const table of await ourTables())
      holding.push(...(await env.scanTable(table)).filter((item) => leaked(item).length > 0));
    expect(holding.length).toBeGreaterThan(0);
  });

  it('erases them from every table of ours, and names what JADA, SCC and the guest page still hold', async () => {
    expect(await runForget([bookingId, '--yes'], { io: io(printed), documents })).toBe(0);
    const text = printed.join('\n');
    expect(text).toContain(`Forgot the renter of booking ${bookingId}`);
    expect(text).toMatch(/JADA calendar entry \S+ \(active\): its title "JADA charter, Zephyrine \(party of 6\)"/);
    expect(text).toMatch(/SCC crew event \S+ \(active\)/);
    expect(text).toMatch(new RegExp(`guest page \\S+/g/${bookingId} \\(published\\)`));
    expect(leaked(text)).toEqual([]);
    const second: string[] = [];
    expect(await runForget([bookingId, '--yes'], { io: io(second), documents })).toBe(0);
    expect(second.join('\n')).toContain('private records: none left (forgotten before)');

    const tables = await ourTables();
    expect(tables).toEqual(expect.arrayContaining(['charterflow-local-bookings']));
    for (const table of tables) {
      const holding = (await env.scanTable(table)).filter((item) => leaked(item).length > 0);
      expect(holding, table).toEqual([]);
    }
  });

  it('a replay of the archive afterwards brings none of it back: logged skips, no dead letter', async () => {
    const seenBefore = logs.lines.length;
    const lines: string[] = [];
    const argv = ['--from', started.toISOString(), '--to', 'now', '--json', '--settle', '2s'];
    expect(await runReplay(argv, { io: io(lines), settled: () => env.stack.eventBridge.idle() })).toBe(0);
    await env.stack.eventBridge.idle();
    expect((JSON.parse(lines.at(-1)!) as ReplaySummary).state).toBe('COMPLETED');

    // What the archive held is what the replay put back on the bus: none of it there either.
    const replayed = (await env.eventsOf(bookingId)).filter(
      (e: BusEvent & { 'replay-name'?: string }) => e['replay-name'],
    );
    expect(replayed.length).toBeGreaterThanOrEqual(5);
    for (const event of replayed) expect(leaked(event), event['detail-type']).toEqual([]);

    const mine = logs.lines.slice(seenBefore).filter((line) => line.bookingId === bookingId);
    // Crew and guest-mail read the private record only for what they have still to do: a replay of what they did
    // before the forget is a duplicate to them, anything else finds the booking forgotten. Either way, a skip.
    const skips = mine
      .filter(
        (line) =>
          line.replayName && (line.message === FORGOTTEN_SKIP || /^(duplicate|skipped)$/.test(String(line.outcome))),
      )
      .map((line) => String(line.service));
    expect(skips).toEqual(expect.arrayContaining(['charterflow.crew', 'charterflow.guest-mail']));
    expect(mine.filter((line) => line.replayName && line.outcome === 'acted')).toEqual([]);
    expect(mine.filter((line) => line.level === 'ERROR')).toEqual([]);
    for (const consumer of ['calendar', 'crew', 'scrub', 'guest-page', 'guest-mail', 'booking-ledger']) {
      expect(await env.deadLetters(consumer), consumer).toEqual([]);
    }
    expect(await mailsIn(env.stack.endpoints.mailbox, EMAIL)).toHaveLength(1);
    for (const table of await ourTables()) {
      expect(
        (await env.scanTable(table)).filter((item) => leaked(item).length > 0),
        table,
      ).toEqual([]);
    }
  }, 120_000);
});

describe('an event of contract major 1, still in the archive', () => {
  it('is handled: crew takes the prices it carries, and what it emits carries none of them', async () => {
    const oldBookingId = uniqueBookingId('V');
    const booking = bookingSnapshotV1({
      bookingId: oldBookingId,
      renter: { firstName: 'Zephyrine', lastName: LAST_NAME, email: EMAIL, phone: PHONE },
      pricing: {
        currency: 'USD',
        bookingTotal: PRICES.booking_total,
        boatsetterFee: PRICES.boatsetter_fee,
        captainFee: PRICES.captain_fee,
        ownerPayout: PRICES.owner_payout,
      },
      specialRequests: NOTE,
    });
    const detail = {
      metadata: eventMetadata({
        bookingId: oldBookingId,
        schemaVersion: '1.0',
        correlationId: `msg_${oldBookingId}`,
        idempotencyKey: `${oldBookingId}:r1:CalendarEntryCreated`,
      }),
      data: { booking, calendarEntryId: `cal_${oldBookingId.toLowerCase()}` },
    };
    // As calendar put it on the bus before contract major 2, and as the archive still holds it.
    const putOldEvent = async () => {
      const events = new EventBridgeClient({ region: region(), endpoint: env.stack.endpoints.aws });
      try {
        await events.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: busName(),
                Source: 'charterflow.calendar',
                DetailType: 'CalendarEntryCreated',
                Detail: JSON.stringify(detail),
              },
            ],
          }),
        );
      } finally {
        events.destroy();
      }
      await env.stack.eventBridge.idle();
    };
    await putOldEvent();

    const removed = await new RemovedLinesStore(documents).forBooking(oldBookingId);
    expect(removed.flatMap((r) => r.lines)).toContain('Revenue: $2,345.67');
    const followUps = (await env.eventsOf(oldBookingId)).filter((e) => e['detail-type'] !== 'CalendarEntryCreated');
    expect(followUps.map((e) => e['detail-type'])).toEqual(
      expect.arrayContaining(['CrewEventCreated', 'GuestPagePublished']),
    );
    for (const event of followUps) expect(leaked(event), event['detail-type']).toEqual([]);
    expect(await env.deadLetters('crew')).toEqual([]);
    // The page event guest-page re-stated in major 2 has no private record behind it: named, not guessed at.
    const [letter, ...more] = await env.deadLetters('guest-mail');
    expect(more).toEqual([]);
    expect(letter?.MessageAttributes?.ErrorMessage?.StringValue).toContain(
      `booking ${oldBookingId}: no private record for revision 1`,
    );

    // Forgotten, its major-1 event (still in the archive, the details inline) is skipped, not used.
    expect(await runForget([oldBookingId, '--yes'], { io: io([]), documents })).toBe(0);
    const seenBefore = logs.lines.length;
    await putOldEvent();
    const skipped = logs.lines
      .slice(seenBefore)
      .filter((l) => l.bookingId === oldBookingId && l.message === FORGOTTEN_SKIP);
    expect(skipped.map((l) => l.service)).toEqual(['charterflow.crew']);
    expect(await env.deadLetters('crew')).toEqual([]);
  });
});
