import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Io } from '../../cli/args';
import { statusOf } from '../../cli/operator/status';
import { runAdopt } from '../../cli/adopt';
import { runShadowReport } from '../../cli/shadow-report';
import { seedLegacy, upcomingBooking } from '../../local/charterflow/legacy';
import { crewFor } from '../../services/crew/crew-event';
import { toBookingSnapshot } from '../../services/webhook/booking';
import { BookingLedger } from '../../services/booking-ledger/ledger';
import { parseSecrets } from '../../services/webhook/signature';
import type { BoatsetterWebhookPayload } from '../../shared/contract/boatsetter';
import { bookingsTable, region, secretNames } from '../../shared/config';
import { signedDelivery } from '../../shared/signed-delivery';
import { atOffsetOf } from '../../shared/trip';
import { bookingRevisionAs as revisionOf } from '../../samples';
import {
  captureLogs,
  startCalendarCrewStack,
  uniqueBookingId,
  type CalendarCrewStack,
} from '../services/calendar/support';
import { GUEST_SITE_BUCKET, guestSiteClients, invalidationsOf } from '../services/guest-page/support';
import { mailsIn } from '../services/guest-mail/support';

/**
 * A stage in shadow mode (`mode: shadow`; `npm start -- --shadow`) runs a booking's whole life and writes
 * nothing to the systems we do not own: JADA and SCC get no write (only the lookups a consumer makes before
 * creating), the guest site no page and no invalidation, the mailbox no mail. Each consumer records what it
 * would have sent, and status shows the booking through the whole chain.
 */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let documents: DynamoDBDocumentClient;
let webhookSecret: string;
let site: ReturnType<typeof guestSiteClients>;

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['calendar', 'crew', 'scrub', 'guest-page', 'guest-mail', 'booking-ledger'], {
    functionEnvironment: { CHARTERFLOW_MODE: 'shadow' },
  });
  const endpoint = env.stack.endpoints.aws;
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: region(), endpoint }));
  site = guestSiteClients(endpoint);
  const secrets = new SecretsManagerClient({ region: region(), endpoint });
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  webhookSecret = parseSecrets(SecretString!)[0]!;
  secrets.destroy();
}, 60_000);

afterAll(async () => {
  documents?.destroy();
  site?.s3.destroy();
  site?.cloudFront.destroy();
  await env?.stop();
  logs?.restore();
});

async function send(payload: BoatsetterWebhookPayload) {
  const delivery = signedDelivery(payload, webhookSecret);
  const response = await fetch(new URL('/webhooks/boatsetter', env.stack.endpoints.webhook), {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  await env.busEvents();
  return response.status;
}

async function statusOfBooking(bookingId: string) {
  const lines = await new BookingLedger(documents).timeline(bookingId);
  return statusOf(bookingId, lines, [], { now: Date.now(), stuckAfterMs: 600_000, consumers: [] });
}

/** What reached the systems we do not own for this booking. */
/** Every call the JADA and SCC stand-ins have answered so far, by route. */
async function standInCalls(): Promise<Record<string, number>> {
  const calls = await env.calls();
  return {
    ...Object.fromEntries(Object.entries(calls.jada).map(([route, n]) => [`JADA ${route}`, n])),
    ...Object.fromEntries(Object.entries(calls.scc).map(([route, n]) => [`SCC ${route}`, n])),
  };
}

async function outside(bookingId: string) {
  const calls = await env.calls();
  const writes = [...Object.keys(calls.jada), ...Object.keys(calls.scc)].filter((route) => !route.startsWith('GET '));
  const { Contents = [] } = await site.s3.send(
    new ListObjectsV2Command({ Bucket: GUEST_SITE_BUCKET, Prefix: `g/${bookingId}` }),
  );
  const invitations = (await env.tables.invitations()).length;
  return {
    writes,
    entries: (await env.tables.calendarEntries()).filter((e) => e.bookingId === bookingId).length,
    events: (await env.tables.sccEvents()).filter((e) => e.bookingId === bookingId).length,
    invitations,
    pages: Contents.length,
    invalidations: (await invalidationsOf(site.cloudFront, bookingId)).length,
    mails: (await mailsIn(env.stack.endpoints.mailbox)).length,
  };
}

const nothingOutside = { writes: [], entries: 0, events: 0, invitations: 0, pages: 0, invalidations: 0, mails: 0 };

async function shadowRecords(bookingId: string) {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: bookingsTable(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :shadow)',
      ExpressionAttributeValues: { ':pk': `BOOKING#${bookingId}`, ':shadow': 'SHADOW#' },
      ConsistentRead: true,
    }),
  );
  return Items.filter((item) => !String(item.sk).startsWith('SHADOW#held#'));
}

describe('a stage in shadow mode', () => {
  it("runs a booking's whole life (new, change, cancel) with no write to JADA, SCC, the guest site or SES, and status shows each revision through", async () => {
    const bookingId = uniqueBookingId('SH');
    const callsBefore = await standInCalls();
    const first = revisionOf(bookingId, 1, 'booking.confirmed');
    expect(await send(first)).toBe(202);
    expect(await outside(bookingId)).toEqual(nothingOutside);
    const created = await statusOfBooking(bookingId);
    expect(created.state).toBe('complete');
    expect(created.steps.map((s) => s.state)).not.toContain('pending');

    const moved = revisionOf(bookingId, 2, 'booking.modified', (d) => {
      d.trip.start = atOffsetOf(first.data.trip.start, Date.parse(first.data.trip.start) + 90 * 60_000);
      d.party_size = 8;
    });
    expect(await send(moved)).toBe(202);
    expect(await outside(bookingId)).toEqual(nothingOutside);
    expect(await statusOfBooking(bookingId)).toMatchObject({ state: 'complete', revision: 2 });

    expect(await send(revisionOf(bookingId, 3, 'booking.cancelled'))).toBe(202);
    expect(await outside(bookingId)).toEqual(nothingOutside);
    const cancelled = await statusOfBooking(bookingId);
    expect(cancelled).toMatchObject({ state: 'cancelled', revision: 3 });
    expect(cancelled.steps.map((s) => s.state)).not.toContain('pending');
    // Not a write, and not a read either: shadow looks for nothing in JADA or SCC.
    expect(await standInCalls()).toEqual(callsBefore);

    // What each consumer would have sent, revision by revision: the report compares these with JADA and SCC.
    const records = await shadowRecords(bookingId);
    const kept = records.map((r) => `r${r.revision} ${r.consumer} ${r.operation}`);
    for (const expected of [
      'r1 calendar createEntry',
      'r1 crew createEvent',
      'r1 guest-page PutObject',
      'r1 guest-page CreateInvalidation',
      'r1 guest-mail SendEmail',
      'r2 calendar updateEntry',
      'r2 crew updateEvent',
      'r3 calendar cancelEntry',
      'r3 crew cancelEvent',
    ])
      expect(kept).toContain(expected);
    expect(records.every((r) => r.reason === 'shadow-stage')).toBe(true);
    const entry = records.find((r) => r.operation === 'createEntry')!;
    expect(entry.request).toMatchObject({ bookingId, partySize: first.data.party_size });
    // A mail's record keeps no address: a digest of what would have been sent.
    const mail = records.find((r) => r.operation === 'SendEmail')!;
    expect(mail.request).toBeUndefined();
    expect(mail.requestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(records)).not.toContain(first.data.renter.email);
  }, 60_000);
});

const crewText = (payload: BoatsetterWebhookPayload) =>
  crewFor(toBookingSnapshot(payload))
    .map((m) => `${m.name} (${m.role})`)
    .sort()
    .join(', ');

function io(printed: string[]): Io {
  return { out: (line) => printed.push(line), err: () => {}, rewrite: () => {}, isTTY: false };
}

describe('shadow-report', () => {
  it('lists a booking whose legacy entry differs from what charterflow would write, field by field, and one that matches', async () => {
    const same = uniqueBookingId('SM');
    const moved = uniqueBookingId('SD');
    // The day of the switch: the old Lambdas made both bookings' JADA entries and SCC events.
    await seedLegacy(env.stack, [upcomingBooking(same, 3), upcomingBooking(moved, 4)]);
    // Boatsetter sends a change for each: the same trip again, and one with two more guests.
    const again = upcomingBooking(same, 3);
    again.type = 'booking.modified';
    again.data.status = 'modified';
    again.data.revision = 2;
    expect(await send(again)).toBe(202);
    const bigger = upcomingBooking(moved, 4);
    bigger.type = 'booking.modified';
    bigger.data.status = 'modified';
    bigger.data.revision = 2;
    bigger.data.party_size += 2;
    expect(await send(bigger)).toBe(202);
    // Seeding posted the legacy records; charterflow, in shadow, updated nothing in place.
    expect((await outside(moved)).writes.filter((route) => route.startsWith('PUT '))).toEqual([]);

    const matching: string[] = [];
    expect(await runShadowReport(['--local', '--booking', same], io(matching))).toBe(0);
    expect(matching).toEqual([`matches  ${same} (revision 2)`, '1 booking(s) compared: 1 match, 0 differ']);

    const differing: string[] = [];
    expect(await runShadowReport(['--local', '--booking', moved], io(differing))).toBe(1);
    const size = String(upcomingBooking(moved, 4).data.party_size);
    expect(differing).toEqual([
      `DIFFERS  ${moved} (revision 2)`,
      `  JADA partySize: holds ${size}; charterflow would write ${bigger.data.party_size}`,
      `  JADA title: holds JADA charter, Dana (party of ${size}); charterflow would write JADA charter, Dana (party of ${bigger.data.party_size})`,
      `  SCC partySize: holds ${size}; charterflow would write ${bigger.data.party_size}`,
      // Eight guests need a second deckhand.
      `  SCC crew: holds ${crewText(upcomingBooking(moved, 4))}; charterflow would write ${crewText(bigger)}`,
      '1 booking(s) compared: 0 match, 1 differ',
    ]);

    const all: string[] = [];
    expect(await runShadowReport(['--local'], io(all))).toBe(1);
    expect(all).toContain(`matches  ${same} (revision 2)`);
    expect(all).toContain(`DIFFERS  ${moved} (revision 2)`);
  }, 60_000);
});

describe('the stage going live after shadow', () => {
  it('does not trust what the gate kept back: a booking first seen in shadow takes over the entry and event the old Lambdas made', async () => {
    const bookingId = uniqueBookingId('SL');
    // Another booking of the same boat at the same time, seen only in shadow: its entry is made up, and the
    // double booking charterflow finds going live cannot be marked on it in JADA.
    expect(await send(upcomingBooking(uniqueBookingId('SO'), 4))).toBe(202);
    const first = upcomingBooking(bookingId, 4);
    // In shadow, charterflow sees the booking before the old Lambdas have made anything: it holds a made-up entry.
    expect(await send(first)).toBe(202);
    expect(await outside(bookingId)).toMatchObject({ entries: 0, events: 0 });
    // Then the old Lambdas make the booking's entry and event, as they did all week.
    await seedLegacy(env.stack, [first]);
    const [legacyEntry] = (await env.tables.calendarEntries()).filter((e) => e.bookingId === bookingId);
    const before = await env.calls();
    // adopt has nothing to link for it: the records say what the gate kept back, not what JADA holds.
    const adoptLines: string[] = [];
    expect(await runAdopt(['--local'], io(adoptLines))).toBe(0);
    expect(adoptLines.find((line) => line.startsWith(bookingId))).toMatch(/ seen in shadow: .*next revision/);

    process.env.CHARTERFLOW_MODE = 'live';
    try {
      const bigger = upcomingBooking(bookingId, 4);
      bigger.type = 'booking.modified';
      bigger.data.status = 'modified';
      bigger.data.revision = 2;
      bigger.data.party_size += 2;
      expect(await send(bigger)).toBe(202);

      const entries = (await env.tables.calendarEntries()).filter((e) => e.bookingId === bookingId);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ entryId: legacyEntry!.entryId, partySize: bigger.data.party_size });
      const events = (await env.tables.sccEvents()).filter((e) => e.bookingId === bookingId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ partySize: bigger.data.party_size });
      const after = await env.calls();
      const created = (calls: typeof after) => (calls.jada['POST /entries'] ?? 0) + (calls.scc['POST /events'] ?? 0);
      expect(created(after)).toBe(created(before));
    } finally {
      process.env.CHARTERFLOW_MODE = 'shadow';
    }
  }, 60_000);
});
