import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crewFor } from '../../services/crew/crew-event';
import { parseSecrets } from '../../services/webhook/signature';
import { region, secretNames } from '../../shared/config';
import { signedDelivery } from '../../shared/signed-delivery';
import { bookingConfirmedAs, bookingSnapshot, eventMetadata } from '../../samples';
import {
  captureLogs,
  startCalendarCrewStack,
  uniqueBookingId,
  type CalendarCrewStack,
} from '../services/calendar/support';

/**
 * End to end of the calendar and crew part: a signed Boatsetter webhook -> BookingReceived -> calendar ->
 * CalendarEntryCreated -> crew -> CrewEventCreated, observed in the stand-ins' own tables.
 */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let webhookSecret: string;

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['calendar', 'crew']);
  const secrets = new SecretsManagerClient({ region: region(), endpoint: env.stack.endpoints.aws });
  webhookSecret = parseSecrets(
    (await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }))).SecretString!,
  )[0]!;
});
afterAll(async () => {
  await env?.stop();
  logs?.restore();
});

async function sendWebhook(bookingId: string) {
  const delivery = signedDelivery(bookingConfirmedAs(bookingId), webhookSecret);
  const url = new URL('/webhooks/boatsetter', env.stack.endpoints.webhook);
  const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
  expect(response.status, await response.text()).toBeLessThan(300);
}

const bookingReceived = (bookingId: string) => ({
  metadata: eventMetadata({
    bookingId,
    correlationId: `msg_${bookingId}`,
    causationId: `msg_${bookingId}`,
    idempotencyKey: `${bookingId}:r1:BookingReceived`,
  }),
  data: { booking: bookingSnapshot({ bookingId }) },
});

/** What the stand-ins hold for one booking: its calendar entries, SCC events and their invitations. */
async function heldFor(bookingId: string) {
  const entries = (await env.tables.calendarEntries()).filter((e) => e.bookingId === bookingId);
  const events = (await env.tables.sccEvents()).filter((e) => e.bookingId === bookingId);
  const eventIds = new Set(events.map((e) => e.eventId));
  const invitations = (await env.tables.invitations()).filter((i) => eventIds.has(i.eventId));
  return { entries, events, invitations };
}

function expectExactlyOnce(held: Awaited<ReturnType<typeof heldFor>>, bookingId: string) {
  expect(held.entries).toHaveLength(1);
  expect(held.events).toHaveLength(1);
  expect(held.events[0]!.calendarEntryId).toBe(held.entries[0]!.entryId);
  expect(held.events[0]!.notes).toContain(`Calendar entry: ${held.entries[0]!.entryId}`);
  const crew = crewFor(bookingSnapshot({ bookingId }));
  expect(held.invitations.map((i) => `${i.crewMember.role}:${i.crewMember.name}`).sort()).toEqual(
    crew.map((m) => `${m.role}:${m.name}`).sort(),
  );
  for (const invitation of held.invitations) {
    expect(invitation.magicLinkToken).toBeTruthy();
    expect(Date.parse(invitation.sentAt)).not.toBeNaN();
  }
}

describe('calendar and crew, end to end on the local stack', () => {
  it('a signed sample webhook leads to one calendar entry, one SCC event referencing it, one invitation per crew member', async () => {
    const bookingId = uniqueBookingId('E');
    await sendWebhook(bookingId);
    await env.busEvents();
    expectExactlyOnce(await heldFor(bookingId), bookingId);
    const crewEvents = await env.eventsOf(bookingId, 'CrewEventCreated');
    expect(crewEvents).toHaveLength(1);
    const [entry] = (await heldFor(bookingId)).entries;
    expect(crewEvents[0]!.detail.data).toMatchObject({ calendarEntryId: entry!.entryId });
    expect(new Set((await env.eventsOf(bookingId)).map((e) => e.detail.metadata.correlationId)).size).toBe(1);
  });

  it('redelivering every event of a finished booking twice changes nothing in the stand-ins’ tables', async () => {
    const bookingId = uniqueBookingId('R');
    await sendWebhook(bookingId);
    const events = await env.eventsOf(bookingId);
    expect(events.map((e) => e['detail-type']).sort()).toEqual([
      'BookingReceived',
      'CalendarEntryCreated',
      'CrewEventCreated',
    ]);
    const before = {
      entries: await env.tables.calendarEntries(),
      events: await env.tables.sccEvents(),
      invitations: await env.tables.invitations(),
    };

    await env.redeliver([...events, ...events]);
    await env.busEvents();

    const byKey = <T>(items: T[], key: keyof T) =>
      [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
    expect(byKey(await env.tables.calendarEntries(), 'entryId')).toEqual(byKey(before.entries, 'entryId'));
    expect(byKey(await env.tables.sccEvents(), 'eventId')).toEqual(byKey(before.events, 'eventId'));
    expect(byKey(await env.tables.invitations(), 'invitationId')).toEqual(byKey(before.invitations, 'invitationId'));
    // Nothing downstream is told twice either: the steps were done and emitted.
    const after = await env.eventsOf(bookingId);
    expect(
      after.filter((e) => e.source !== 'charterflow.webhook' && !events.some((first) => first.id === e.id)),
    ).toHaveLength(
      // the redelivered CalendarEntryCreated and CrewEventCreated themselves (2 each), and no new emission
      4,
    );
    expectExactlyOnce(await heldFor(bookingId), bookingId);
  });

  it('with 30% injected 5xx and some timeouts on both stand-ins, 50 bookings all complete with no duplicate', {
    timeout: 90_000,
  }, async () => {
    // A timeout hangs past the client's patience (CHARTERFLOW_HTTP_TIMEOUT_MS in the test support).
    const faults = { errorRate: 0.3, timeoutRate: 0.05, hangMs: 4_000, afterEffectShare: 0.5 };
    await env.setFaults('jada-calendar', faults);
    await env.setFaults('scc', faults);
    const bookingIds = Array.from({ length: 50 }, () => uniqueBookingId('F'));
    // What the webhook would have written before each event: the private record crew reads the prices from.
    for (const bookingId of bookingIds) await env.rememberRenter(bookingId);
    try {
      // Straight onto the bus (the webhook's part is proven above): 50 BookingReceived in batches of 10.
      await env.publisher.publish(
        bookingIds.map((bookingId) => ({ detailType: 'BookingReceived' as const, detail: bookingReceived(bookingId) })),
      );
      await env.busEvents();
    } finally {
      await env.setFaults('jada-calendar', 'reset');
      await env.setFaults('scc', 'reset');
    }

    const completed = new Set(
      (await env.busEvents())
        .filter((e) => e['detail-type'] === 'CrewEventCreated')
        .map((e) => e.detail.metadata.bookingId),
    );
    expect(bookingIds.filter((id) => !completed.has(id))).toEqual([]);
    for (const bookingId of bookingIds) expectExactlyOnce(await heldFor(bookingId), bookingId);
    expect(await env.deadLetters('calendar')).toEqual([]);
    expect(await env.deadLetters('crew')).toEqual([]);
    // The faults really struck: both stand-ins answered 5xx, and calls timed out. Timeouts are counted over both
    // stand-ins: at 5% of about 70 calls each, one stand-in alone goes without any in about 3 runs in 100.
    const ours = logs.lines.filter((l) => bookingIds.includes(String(l.bookingId)));
    for (const service of ['jada-calendar', 'scc']) {
      expect(
        ours.some((l) => l.targetService === service && Number(l.status) >= 500),
        service,
      ).toBe(true);
    }
    expect(ours.some((l) => String(l.targetService).length > 0 && String(l.message).includes('timed out'))).toBe(true);
  });
});
