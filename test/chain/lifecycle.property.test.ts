import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { newReplayName, replayTarget, startReplay, waitForReplay } from '../../cli/operator/replays';
import { calendarEntryRequest } from '../../services/calendar/calendar-entry';
import { tripTime } from '../../services/guest-page/trip-time';
import { toBookingSnapshot } from '../../services/webhook/booking';
import { parseSecrets } from '../../services/webhook/signature';
import type { BoatsetterWebhookPayload } from '../../shared/contract/boatsetter';
import { region, secretNames } from '../../shared/config';
import { signedDelivery } from '../../shared/signed-delivery';
import { atOffsetOf } from '../../shared/trip';
import { bookingConfirmedAs } from '../../samples';
import {
  captureLogs,
  startCalendarCrewStack,
  uniqueBookingId,
  type CalendarCrewStack,
} from '../services/calendar/support';

/**
 * Latest revision wins, whatever happens on the way, on the real local stack. Each run gives a few bookings a
 * random life (confirmed, then changed in time, duration and party size, perhaps cancelled), delivers every
 * revision through the signed webhook in a random order with random duplicates, then replays the run's part
 * of the archive to every consumer. At the end JADA, SCC, the scrubbed notes and the guest page each hold what
 * the highest revision says; the crew heard at most once per revision crew applied, and only of those; the
 * stand-ins served no more calls than revisions were applied, and the replay none at all.
 */

const RUNS = 50;
const WRITES = {
  jada: ['POST /entries', 'PUT /entries/:entryId', 'POST /entries/:entryId/cancel', 'PUT /entries/:entryId/conflicts'],
  scc: ['POST /events', 'PUT /events/:eventId', 'POST /events/:eventId/cancel'],
};

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let events: EventBridgeClient;
let webhookSecret: string;

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['calendar', 'crew', 'scrub', 'guest-page']);
  const endpoint = env.stack.endpoints.aws;
  events = new EventBridgeClient({ region: region(), endpoint });
  const secrets = new SecretsManagerClient({ region: region(), endpoint });
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  webhookSecret = parseSecrets(SecretString!)[0]!;
  secrets.destroy();
}, 60_000);

afterAll(async () => {
  events?.destroy();
  await env?.stop();
  logs?.restore();
});

/** How a revision writes its start: at the dock's offset as Boatsetter does, in UTC, or at another offset. */
const written = fc.constantFrom('dock', 'Z', '+05:30', '-05:00');
type Written = typeof written extends fc.Arbitrary<infer W> ? W : never;

interface Change {
  startHours: number;
  durationHours: number;
  partySize: number;
  written: Written;
}

const change = fc.record({
  startHours: fc.integer({ min: 0, max: 12 }).map((half) => half / 2),
  durationHours: fc.integer({ min: 2, max: 6 }),
  partySize: fc.integer({ min: 1, max: 12 }),
  written,
});

const life = fc.record({
  written,
  changes: fc.array(change, { minLength: 0, maxLength: 3 }),
  cancelled: fc.boolean(),
  duplicates: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
});

const scenario = fc.array(life, { minLength: 1, maxLength: 3 }).chain((lives) => {
  const deliveries = lives.flatMap((l, booking) => {
    const revisions = 1 + l.changes.length + (l.cancelled ? 1 : 0);
    return Array.from({ length: revisions }, (_, i) => [
      { booking, revision: i + 1 },
      ...(l.duplicates[i] ? [{ booking, revision: i + 1 }] : []),
    ]).flat();
  });
  return fc.record({
    lives: fc.constant(lives),
    order: fc.shuffledSubarray(deliveries, { minLength: deliveries.length }),
  });
});

/** Revision `revision` of a booking's life: r1 the confirmation, then each change, then perhaps the cancellation. */
function payloadOf(
  bookingId: string,
  l: { written: Written; changes: Change[]; cancelled: boolean },
  revision: number,
): BoatsetterWebhookPayload {
  const payload = bookingConfirmedAs(bookingId);
  // A boat of its own: bookings of other runs must not be double bookings of this one.
  payload.data.listing.id = `lst_${bookingId.toLowerCase()}`;
  payload.data.revision = revision;
  const applied = l.changes.slice(0, revision - 1).at(-1);
  if (applied) {
    payload.data.trip.start = atOffsetOf(
      payload.data.trip.start,
      Date.parse(payload.data.trip.start) + applied.startHours * 3_600_000,
    );
    payload.data.trip.duration_hours = applied.durationHours;
    payload.data.party_size = applied.partySize;
  }
  // The same instant, written another way: the calendar entry's date and the page must still agree.
  const form = applied?.written ?? l.written;
  const ms = Date.parse(payload.data.trip.start);
  if (form !== 'dock') payload.data.trip.start = atOffsetOf(`T${form}`, ms);
  const cancelling = l.cancelled && revision === l.changes.length + 2;
  const type = revision === 1 ? 'booking.confirmed' : cancelling ? 'booking.cancelled' : 'booking.modified';
  payload.type = type;
  payload.data.status = type === 'booking.confirmed' ? 'confirmed' : cancelling ? 'cancelled' : 'modified';
  return payload;
}

async function deliver(payload: BoatsetterWebhookPayload) {
  const delivery = signedDelivery(payload, webhookSecret);
  const response = await fetch(new URL('/webhooks/boatsetter', env.stack.endpoints.webhook), {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  expect(response.status, await response.text()).toBeLessThan(300);
}

const writesIn = (calls: { jada: Record<string, number>; scc: Record<string, number> }) => ({
  jada: WRITES.jada.reduce((sum, route) => sum + (calls.jada[route] ?? 0), 0),
  scc: WRITES.scc.reduce((sum, route) => sum + (calls.scc[route] ?? 0), 0),
});

/** "2026-12-05" as the guest page words a date: "Saturday, December 5, 2026". */
const longDate = (date: string) =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });

const revisionOfKey = (key: string | undefined) => Number(/:r(\d+):/.exec(key ?? '')?.[1]);

describe('a booking life in any order, with duplicates and a replay', () => {
  it(`ends with every system at the highest revision (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ lives, order }) => {
        const from = new Date(Date.now() - 1000);
        const ids = lives.map(() => uniqueBookingId('P'));
        const callsBefore = writesIn(await env.calls());

        // Two at a time: deliveries of one booking race each other at the webhook and at each consumer.
        for (let i = 0; i < order.length; i += 2) {
          await Promise.all(
            order.slice(i, i + 2).map((d) => deliver(payloadOf(ids[d.booking]!, lives[d.booking]!, d.revision))),
          );
        }
        const seen = await env.busEvents();
        const callsAfterLive = writesIn(await env.calls());

        const applied = (prefix: string) =>
          new Set(
            seen
              .filter((e) => ids.includes(e.detail.metadata.bookingId!) && e['detail-type'].startsWith(prefix))
              .map((e) => `${e.detail.metadata.bookingId}:${e.detail.data.booking.revision}`),
          ).size;
        expect(callsAfterLive.jada - callsBefore.jada).toBeLessThanOrEqual(applied('CalendarEntry'));
        expect(callsAfterLive.scc - callsBefore.scc).toBeLessThanOrEqual(applied('CrewEvent'));

        const target = await replayTarget(events);
        const name = newReplayName('replay', undefined);
        const window = { from, to: new Date() };
        await startReplay(events, target, { name, window });
        expect((await waitForReplay(events, name, { window, intervalMs: 25 })).State).toBe('COMPLETED');
        await env.stack.eventBridge.idle();
        expect(writesIn(await env.calls())).toEqual(callsAfterLive);

        const [entries, sccEvents, notices] = await Promise.all([
          env.tables.calendarEntries(),
          env.tables.sccEvents(),
          env.tables.notices(),
        ]);
        for (const [index, bookingId] of ids.entries()) {
          const l = lives[index]!;
          const last = toBookingSnapshot(payloadOf(bookingId, l, 1 + l.changes.length + (l.cancelled ? 1 : 0)));
          const itsEntries = entries.filter((e) => e.bookingId === bookingId);
          const itsEvents = sccEvents.filter((e) => e.bookingId === bookingId);
          const page = await fetch(new URL(`/g/${bookingId}`, env.stack.endpoints.guestSite));
          const html = await page.text();

          if (last.status === 'cancelled') {
            expect(itsEntries.filter((e) => e.status !== 'cancelled')).toEqual([]);
            expect(itsEvents.filter((e) => e.status !== 'cancelled')).toEqual([]);
            if (page.ok) expect(html).toContain('this charter was cancelled');
          } else {
            const { title, ...entry } = calendarEntryRequest(last);
            expect(itsEntries).toHaveLength(1);
            expect(itsEntries[0]).toMatchObject({ ...entry, title, status: 'active' });
            expect(itsEvents).toHaveLength(1);
            expect(itsEvents[0]).toMatchObject({
              start: last.trip.start,
              durationHours: last.trip.durationHours,
              partySize: last.partySize,
              status: 'active',
            });
            expect(itsEvents[0]!.notes).not.toMatch(/revenue|captain fee|crew costs|port fees|net:/i);
            expect(page.status).toBe(200);
            expect(html).toContain(`<dd>${last.partySize} ${last.partySize === 1 ? 'guest' : 'guests'}</dd>`);
            const when = tripTime(last.trip.start, last.trip.durationHours);
            expect(html).toContain(when.start);
            // JADA's date is the day the page shows, however the start was written.
            expect(html).toContain(when.date);
            expect(longDate(itsEntries[0]!.date)).toBe(when.date);
          }

          // At most one notice per crew member and revision, and only for a revision crew applied and told of.
          const told = new Set(
            seen
              .filter(
                (e) =>
                  e.detail.metadata.bookingId === bookingId &&
                  e['detail-type'] === 'CrewEventUpdated' &&
                  e.detail.data.crewNotified,
              )
              .map((e) => e.detail.data.booking.revision),
          );
          const itsNotices = notices.filter(
            (n) => itsEvents.some((e) => e.eventId === n.eventId) && n.kind === 'changed',
          );
          const perMemberAndRevision = new Set(
            itsNotices.map((n) => `${n.crewMember.name}:${revisionOfKey(n.requestKey)}`),
          );
          expect(perMemberAndRevision.size).toBe(itsNotices.length);
          for (const notice of itsNotices) expect(told.has(revisionOfKey(notice.requestKey))).toBe(true);
          const cancelNotices = notices.filter(
            (n) => itsEvents.some((e) => e.eventId === n.eventId) && n.kind === 'cancelled',
          );
          expect(new Set(cancelNotices.map((n) => `${n.eventId}:${n.crewMember.name}`)).size).toBe(
            cancelNotices.length,
          );
        }
        expect(await env.deadLetters('calendar')).toEqual([]);
        expect(await env.deadLetters('crew')).toEqual([]);
        expect(await env.deadLetters('scrub')).toEqual([]);
        expect(await env.deadLetters('guest-page')).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
