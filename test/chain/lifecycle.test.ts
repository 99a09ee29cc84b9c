import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Io } from '../../cli/args';
import { statusOf } from '../../cli/operator/status';
import { runReplay, type ReplaySummary } from '../../cli/replay';
import { calendarEntryRequest } from '../../services/calendar/calendar-entry';
import { crewFor } from '../../services/crew/crew-event';
import { BookingLedger } from '../../services/booking-ledger/ledger';
import { parseSecrets } from '../../services/webhook/signature';
import { toBookingSnapshot } from '../../services/webhook/booking';
import type { BoatsetterWebhookPayload } from '../../shared/contract/boatsetter';
import { region, secretNames } from '../../shared/config';
import { signedDelivery } from '../../shared/signed-delivery';
import { atOffsetOf } from '../../shared/trip';
import { bookingRevisionAs as revisionOf, eventMetadata } from '../../samples';
import {
  captureLogs,
  startCalendarCrewStack,
  uniqueBookingId,
  type CalendarCrewStack,
} from '../services/calendar/support';
import { guestSiteClients, invalidationsOf } from '../services/guest-page/support';

/**
 * A booking's whole life on the local stack, from signed webhooks: changed, re-confirmed, cancelled, in order
 * and out of it, and two bookings of one boat at the same time. Observed where the operator, the crew and the
 * guest look: JADA's entries, SCC's events and notices, the guest site, the ledger.
 */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let documents: DynamoDBDocumentClient;
let webhookSecret: string;
const started = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['calendar', 'crew', 'scrub', 'guest-page', 'booking-ledger']);
  const endpoint = env.stack.endpoints.aws;
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: region(), endpoint }));
  const secrets = new SecretsManagerClient({ region: region(), endpoint });
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  webhookSecret = parseSecrets(SecretString!)[0]!;
  secrets.destroy();
}, 60_000);

afterAll(async () => {
  documents?.destroy();
  await env?.stop();
  logs?.restore();
});

const later = (start: string, hours: number) => atOffsetOf(start, Date.parse(start) + hours * 3_600_000);

async function send(payload: BoatsetterWebhookPayload) {
  const delivery = signedDelivery(payload, webhookSecret);
  const response = await fetch(new URL('/webhooks/boatsetter', env.stack.endpoints.webhook), {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  const body = (await response.json()) as Record<string, unknown>;
  await env.busEvents();
  return { status: response.status, body };
}

async function held(bookingId: string) {
  const entries = (await env.tables.calendarEntries()).filter((e) => e.bookingId === bookingId);
  const events = (await env.tables.sccEvents()).filter((e) => e.bookingId === bookingId);
  const ids = new Set(events.map((e) => e.eventId));
  const invitations = (await env.tables.invitations()).filter((i) => ids.has(i.eventId));
  const notices = (await env.tables.notices()).filter((n) => ids.has(n.eventId));
  const page = await fetch(new URL(`/g/${bookingId}`, env.stack.endpoints.guestSite));
  return { entries, events, invitations, notices, page: { status: page.status, html: await page.text() } };
}

const types = async (bookingId: string) =>
  (await env.eventsOf(bookingId)).map((e) => `${e['detail-type']} r${e.detail.data.booking.revision}`).sort();

async function statusOfBooking(bookingId: string) {
  const lines = await new BookingLedger(documents).timeline(bookingId);
  return statusOf(bookingId, lines, [], { now: Date.now(), stuckAfterMs: 600_000, consumers: [] });
}

describe('a changed booking', () => {
  it('moves the one calendar entry and SCC event, tells each crew member once, and the page shows the new time', async () => {
    const bookingId = uniqueBookingId('L');
    const first = revisionOf(bookingId, 1, 'booking.confirmed');
    expect((await send(first)).status).toBe(202);
    const before = await held(bookingId);
    const moved = revisionOf(bookingId, 2, 'booking.modified', (d) => {
      d.trip.start = later(first.data.trip.start, 1.5);
      d.party_size = 8;
    });
    expect((await send(moved)).status).toBe(202);
    const after = await held(bookingId);

    expect(after.entries).toHaveLength(1);
    expect(after.entries[0]).toMatchObject({
      ...calendarEntryRequest(toBookingSnapshot(moved)),
      entryId: before.entries[0]!.entryId,
      status: 'active',
    });
    expect(after.events).toHaveLength(1);
    expect(after.events[0]).toMatchObject({
      eventId: before.events[0]!.eventId,
      start: moved.data.trip.start,
      partySize: 8,
    });
    expect(after.events[0]!.notes).not.toMatch(/revenue|captain fee|crew costs|port fees|net:/i);
    // Eight guests need a second deckhand: invited; the captain and the first deckhand get one notice each.
    const crew = crewFor(toBookingSnapshot(moved));
    expect(after.invitations.map((i) => i.crewMember.name).sort()).toEqual(crew.map((m) => m.name).sort());
    const stayed = crewFor(toBookingSnapshot(first))
      .map((m) => m.name)
      .sort();
    expect(after.notices.map((n) => `${n.kind}:${n.crewMember.name}`).sort()).toEqual(
      stayed.map((name) => `changed:${name}`),
    );
    expect(after.notices[0]!.changes!.map((c) => c.field).sort()).toEqual(['party size', 'start']);
    expect(after.page.html).toContain('<dd>8 guests</dd>');
    expect(after.page.html).toContain('6:30 PM');

    expect(await types(bookingId)).toEqual([
      'BookingModified r2',
      'BookingReceived r1',
      'CalendarEntryCreated r1',
      'CalendarEntryUpdated r2',
      'CrewEventCreated r1',
      'CrewEventUpdated r2',
      'CrewNotesScrubbed r1',
      'CrewNotesScrubbed r2',
      'GuestPagePublished r1',
      'GuestPageUpdated r2',
    ]);
    const [updated] = await env.eventsOf(bookingId, 'GuestPageUpdated');
    expect(updated!.detail.data.changes.map((c: { field: string }) => c.field)).toEqual(['time', 'party']);
    const status = await statusOfBooking(bookingId);
    expect(status).toMatchObject({ revision: 2, state: 'complete' });
    expect(status.steps.map((s) => s.holdsRevision)).toEqual([2, 2, 2, 2, 2]);
  });

  it('re-sent as confirmed with a higher revision, updates in place and invites nobody twice', async () => {
    const bookingId = uniqueBookingId('L');
    await send(revisionOf(bookingId, 1, 'booking.confirmed'));
    const before = await held(bookingId);
    expect((await send(revisionOf(bookingId, 2, 'booking.confirmed', (d) => (d.trip.duration_hours = 4)))).status).toBe(
      202,
    );
    const after = await held(bookingId);
    expect(after.entries).toHaveLength(1);
    expect(after.entries[0]!.durationHours).toBe(4);
    expect(after.events).toHaveLength(1);
    expect(after.events[0]!.durationHours).toBe(4);
    expect(after.invitations).toEqual(before.invitations);
    expect(new Set(after.notices.map((n) => n.crewMember.name)).size).toBe(after.notices.length);
  });

  it('whose change touches nothing a system holds, calls none of them', async () => {
    const bookingId = uniqueBookingId('L');
    await send(revisionOf(bookingId, 1, 'booking.confirmed'));
    const before = await held(bookingId);
    const callsBefore = await env.calls();
    const invalidations = (await invalidationsOf(guestSiteClients(env.stack.endpoints.aws).cloudFront, bookingId))
      .length;
    await send(revisionOf(bookingId, 2, 'booking.modified', (d) => (d.renter.phone = '+16195550199')));

    expect(await env.calls()).toEqual(callsBefore);
    expect(await held(bookingId)).toEqual(before);
    expect(await invalidationsOf(guestSiteClients(env.stack.endpoints.aws).cloudFront, bookingId)).toHaveLength(
      invalidations,
    );
    const [calendar] = await env.eventsOf(bookingId, 'CalendarEntryUpdated');
    const [crew] = await env.eventsOf(bookingId, 'CrewEventUpdated');
    const [page] = await env.eventsOf(bookingId, 'GuestPageUpdated');
    expect([calendar!.detail.data.changed, crew!.detail.data.changed, page!.detail.data.changes]).toEqual([[], [], []]);
    expect(crew!.detail.data.crewNotified).toBe(false);
  });

  it('arriving before its confirmation is created from the change; the late confirmation is answered as stale', async () => {
    const bookingId = uniqueBookingId('L');
    const moved = revisionOf(bookingId, 2, 'booking.modified', (d) => (d.party_size = 4));
    expect((await send(moved)).status).toBe(202);
    const late = await send(revisionOf(bookingId, 1, 'booking.confirmed'));
    expect(late).toMatchObject({ status: 200, body: { stale: true, acceptedRevision: 2 } });
    const now = await held(bookingId);
    expect(now.entries).toHaveLength(1);
    expect(now.entries[0]!.partySize).toBe(4);
    expect(now.events).toHaveLength(1);
    expect(await types(bookingId)).toEqual([
      'BookingModified r2',
      'CalendarEntryCreated r2',
      'CrewEventCreated r2',
      'CrewNotesScrubbed r2',
      'GuestPagePublished r2',
    ]);
  });
});

describe('a cancelled booking', () => {
  it('leaves no active calendar entry, a cancelled SCC event, one notice per crew member and a page with no trip', async () => {
    const bookingId = uniqueBookingId('L');
    await send(revisionOf(bookingId, 1, 'booking.confirmed'));
    expect((await send(revisionOf(bookingId, 3, 'booking.cancelled'))).status).toBe(202);
    const after = await held(bookingId);

    expect(after.entries.map((e) => e.status)).toEqual(['cancelled']);
    expect(after.events.map((e) => e.status)).toEqual(['cancelled']);
    const crew = after.events[0]!.crew.map((m) => m.name).sort();
    expect(after.notices.map((n) => `${n.kind}:${n.crewMember.name}`).sort()).toEqual(
      crew.map((name) => `cancelled:${name}`),
    );
    expect(after.page.status).toBe(200);
    expect(after.page.html).toContain('this charter was cancelled');
    for (const detail of ['Shelter Island', 'JADA', 'guests', 'December', 'Reyes'])
      expect(after.page.html).not.toContain(detail);
    expect(await statusOfBooking(bookingId)).toMatchObject({ revision: 3, state: 'cancelled' });
  });

  it('cancelled before it was confirmed, is never created: not by the late confirmation, nor by the event itself', async () => {
    const bookingId = uniqueBookingId('L');
    expect((await send(revisionOf(bookingId, 3, 'booking.cancelled'))).status).toBe(202);
    expect((await send(revisionOf(bookingId, 1, 'booking.confirmed'))).status).toBe(200);
    // A consumer sees the older fact anyway when deliveries race: it must guard too.
    await env.publisher.publishOne('BookingReceived', {
      metadata: eventMetadata({
        bookingId,
        correlationId: `msg_${bookingId}`,
        idempotencyKey: `${bookingId}:r1:BookingReceived`,
      }),
      data: { booking: toBookingSnapshot(revisionOf(bookingId, 1, 'booking.confirmed')) },
    });
    await env.busEvents();
    const after = await held(bookingId);
    expect([after.entries, after.events, after.notices]).toEqual([[], [], []]);
    expect(after.page.status).not.toBe(200);
    expect(await types(bookingId)).toEqual(['BookingCancelled r3', 'BookingReceived r1']);
    expect(await statusOfBooking(bookingId)).toMatchObject({ revision: 3, state: 'cancelled' });
  });
});

describe('two bookings of one boat at the same time', () => {
  it('raise exactly one conflict, mark both entries and flag both; moving one clears it', async () => {
    const [a, b] = [uniqueBookingId('A'), uniqueBookingId('B')];
    const aFirst = revisionOf(a, 1, 'booking.confirmed');
    await send(aFirst);
    await send(revisionOf(b, 1, 'booking.confirmed', (d) => (d.trip.start = later(aFirst.data.trip.start, 1))));

    const conflicts = [
      ...(await env.eventsOf(a, 'CalendarConflictDetected')),
      ...(await env.eventsOf(b, 'CalendarConflictDetected')),
    ];
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.detail.metadata.bookingId).toBe(b);
    expect(conflicts[0]!.detail.data.conflictsWith.map((c: { bookingId: string }) => c.bookingId)).toEqual([a]);
    expect((await held(a)).entries[0]!.conflictsWith).toEqual([b]);
    expect((await held(b)).entries[0]!.conflictsWith).toEqual([a]);
    expect((await statusOfBooking(a)).doubleBookedWith).toEqual([b]);
    expect((await statusOfBooking(b)).doubleBookedWith).toEqual([a]);

    // Three hours later than A's start: A ends at +3 h, and the 30-minute turnaround still overlaps; four is clear.
    await send(revisionOf(b, 2, 'booking.modified', (d) => (d.trip.start = later(aFirst.data.trip.start, 3))));
    expect((await statusOfBooking(b)).doubleBookedWith).toEqual([a]);
    await send(revisionOf(b, 3, 'booking.modified', (d) => (d.trip.start = later(aFirst.data.trip.start, 4))));
    expect(await env.eventsOf(b, 'CalendarConflictResolved')).toHaveLength(1);
    expect((await held(a)).entries[0]!.conflictsWith).toBeUndefined();
    expect((await held(b)).entries[0]!.conflictsWith).toBeUndefined();
    expect((await statusOfBooking(a)).doubleBookedWith).toEqual([]);
    expect((await statusOfBooking(b)).doubleBookedWith).toEqual([]);
  });
});

describe('the webhook', () => {
  it('refuses a type that disagrees with the status, naming both fields, and emits nothing', async () => {
    const bookingId = uniqueBookingId('L');
    const confused = revisionOf(bookingId, 1, 'booking.confirmed', (d) => (d.status = 'cancelled'));
    const answer = await send(confused);
    expect(answer.status).toBe(400);
    expect((answer.body.issues as { path: string }[]).map((i) => i.path)).toEqual(['data.status', 'type']);
    expect(await env.eventsOf(bookingId)).toEqual([]);
  });
});

describe('replaying the whole archive afterwards', () => {
  it('revives nothing and calls no system', async () => {
    const before = {
      entries: await env.tables.calendarEntries(),
      events: await env.tables.sccEvents(),
      notices: await env.tables.notices(),
    };
    const calls = await env.calls();
    const lines: string[] = [];
    const io: Io = { out: (l) => lines.push(l), err: () => undefined, rewrite: () => undefined, isTTY: false };
    const argv = ['--from', started.toISOString(), '--to', 'now', '--json', '--settle', '2s'];
    expect(await runReplay(argv, { io, settled: () => env.stack.eventBridge.idle() })).toBe(0);
    await env.stack.eventBridge.idle();
    expect((JSON.parse(lines.at(-1)!) as ReplaySummary).state).toBe('COMPLETED');

    expect(await env.calls()).toEqual(calls);
    expect({
      entries: await env.tables.calendarEntries(),
      events: await env.tables.sccEvents(),
      notices: await env.tables.notices(),
    }).toEqual(before);
    expect(await env.deadLetters('calendar')).toEqual([]);
    expect(await env.deadLetters('crew')).toEqual([]);
  }, 120_000);
});
