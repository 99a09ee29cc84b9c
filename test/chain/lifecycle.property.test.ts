import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { setTimeout as sleep } from 'node:timers/promises';
import { newReplayName, replayTarget, startReplay, waitForReplay } from '../../cli/operator/replays';
import { calendarEntryRequest } from '../../services/calendar/calendar-entry';
import { tripTime } from '../../services/guest-page/trip-time';
import { bookingDetailsOf, bookingEventOf, toBookingSnapshot } from '../../services/webhook/booking';
import { parseSecrets } from '../../services/webhook/signature';
import type { BoatsetterWebhookPayload } from '../../shared/contract/boatsetter';
import { region, secretNames } from '../../shared/config';
import { setCrashPlanner, type CrashInvocation, type CrashPhase, type CrashPlan } from '../../shared/crash-points';
import { newWebhookId, signedDelivery } from '../../shared/signed-delivery';
import { atOffsetOf } from '../../shared/trip';
import { bookingConfirmedAs } from '../../samples';
import {
  captureLogs,
  startCalendarCrewStack,
  uniqueBookingId,
  type CalendarCrewStack,
} from '../services/calendar/support';
import { isPackaged } from '../stack-mode';

/**
 * Latest revision wins, whatever happens on the way, on the real local stack. Each run gives a few bookings a
 * random life (confirmed, then changed in time, duration and party size, perhaps cancelled), delivers every
 * revision in a random order with random duplicates, then replays the run's part of the archive to every
 * consumer. A delivery goes through the signed webhook two at a time, all at once, or with a booking's
 * cancellation 0-120 ms after its last change; or the run puts its booking events on the bus itself, in one
 * batch. In some runs one consumer invocation crashes at one of its downstream calls, before or after it, and
 * Lambda's retries finish it. At the end JADA, SCC, the scrubbed notes and the guest page each hold what the
 * highest revision says; the crew heard at most once per revision crew applied, and only of those; the
 * stand-ins served no more calls than revisions were applied (plus those a crashed invocation had sent, which
 * its retry sends again with the same keys), and the replay none at all.
 */

const RUNS = 50;
/**
 * Short, so that a crashed invocation's lease (it lasts as long as the invocation may) ends soon and Lambda's
 * retry gets in; over the ledger's 10-s reserve, so that a delivery still waits a little for another's lease.
 */
const FUNCTION_TIMEOUT_MS = 12_000;
const CONSUMERS = ['calendar', 'crew', 'scrub', 'guest-page'] as const;
const WRITES = {
  jada: ['POST /entries', 'PUT /entries/:entryId', 'POST /entries/:entryId/cancel', 'PUT /entries/:entryId/conflicts'],
  scc: ['POST /events', 'PUT /events/:eventId', 'POST /events/:eventId/cancel'],
};

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let events: EventBridgeClient;
let webhookSecret: string;

/** The crash aimed at in the current run: the first invocation of this consumer on this booking carries it. */
let aim: { consumer: string; bookingId: string; at: number; phase: CrashPhase; plan?: CrashPlan } | undefined;

function crashPlanOf(invocation: CrashInvocation): CrashPlan | undefined {
  if (!aim || aim.plan || invocation.consumer !== aim.consumer || invocation.bookingId !== aim.bookingId) return;
  aim.plan = { at: aim.at, phase: aim.phase, calls: [] };
  return aim.plan;
}

beforeAll(async () => {
  logs = captureLogs();
  // Before any handler is imported: the SDK clients carry the crash points only when asked as they are made.
  process.env.CHARTERFLOW_CRASH_POINTS = '1';
  env = await startCalendarCrewStack([...CONSUMERS], { functionTimeoutMs: FUNCTION_TIMEOUT_MS });
  setCrashPlanner(crashPlanOf);
  const endpoint = env.stack.endpoints.aws;
  events = new EventBridgeClient({ region: region(), endpoint });
  const secrets = new SecretsManagerClient({ region: region(), endpoint });
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  webhookSecret = parseSecrets(SecretString!)[0]!;
  secrets.destroy();
}, 60_000);

afterAll(async () => {
  setCrashPlanner(undefined);
  events?.destroy();
  await env?.stop();
  logs?.restore();
  delete process.env.CHARTERFLOW_CRASH_POINTS;
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

/**
 * How a run's revisions reach the consumers: through the webhook two at a time (deliveries of one booking race
 * each other at the webhook and at each consumer), all at once (a change and its cancellation reach the
 * webhook within milliseconds), two at a time but each cancellation `gapMs` after its booking's last change
 * was sent; or as booking events the run puts on the bus in one batch, bypassing the webhook's revision checks.
 */
type Pace = { by: 'pairs' } | { by: 'burst' } | { by: 'gap'; gapMs: number } | { by: 'batch' };
const pace: fc.Arbitrary<Pace> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ by: 'pairs' as const }) },
  { weight: 1, arbitrary: fc.constant({ by: 'burst' as const }) },
  { weight: 1, arbitrary: fc.record({ by: fc.constant('gap' as const), gapMs: fc.integer({ min: 0, max: 120 }) }) },
  { weight: 1, arbitrary: fc.constant({ by: 'batch' as const }) },
);

/** One consumer's first invocation on one booking stops at its `at`-th downstream call, before or after it. */
interface Crash {
  consumer: (typeof CONSUMERS)[number];
  booking: number;
  at: number;
  phase: CrashPhase;
}

const scenario = fc.array(life, { minLength: 1, maxLength: 3 }).chain((lives) => {
  const deliveries = lives.flatMap((l, booking) => {
    const revisions = 1 + l.changes.length + (l.cancelled ? 1 : 0);
    return Array.from({ length: revisions }, (_, i) => [
      { booking, revision: i + 1 },
      ...(l.duplicates[i] ? [{ booking, revision: i + 1 }] : []),
    ]).flat();
  });
  // About one run in five: a crash costs the run a function timeout (the crashed invocation's lease). The crash
  // points live in the test's process, so only the sources' lane crashes; the packaged lane runs the same lives.
  const crash: fc.Arbitrary<Crash | undefined> = isPackaged()
    ? fc.constant(undefined)
    : fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.record({
            consumer: fc.constantFrom(...CONSUMERS),
            booking: fc.integer({ min: 0, max: lives.length - 1 }),
            at: fc.integer({ min: 1, max: 6 }),
            phase: fc.constantFrom<CrashPhase>('before', 'after'),
          }),
        },
      );
  return fc.record({
    lives: fc.constant(lives),
    order: fc.shuffledSubarray(deliveries, { minLength: deliveries.length }),
    pace,
    crash,
  });
});

type Life = { written: Written; changes: Change[]; cancelled: boolean };
type Delivery = { booking: number; revision: number };

/** Revision `revision` of a booking's life: r1 the confirmation, then each change, then perhaps the cancellation. */
function payloadOf(bookingId: string, l: Life, revision: number): BoatsetterWebhookPayload {
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

/** Sends the run's deliveries through the webhook at the run's pace. */
async function deliverAll(order: Delivery[], lives: Life[], ids: string[], pace: Exclude<Pace, { by: 'batch' }>) {
  const send = (d: Delivery) => deliver(payloadOf(ids[d.booking]!, lives[d.booking]!, d.revision));
  if (pace.by === 'burst') {
    await Promise.all(order.map(send));
    return;
  }
  const cancellationOf = (booking: number) => lives[booking]!.changes.length + 2;
  const isCancellation = (d: Delivery) => lives[d.booking]!.cancelled && d.revision === cancellationOf(d.booking);
  // gap: a cancellation (and its duplicate) waits for its booking's last change, then follows it gapMs later.
  const held = pace.by === 'gap' ? order.filter(isCancellation) : [];
  const late: Promise<void>[] = [];
  const sentLast = new Set<number>();
  const queue = order.filter((d) => !held.includes(d));
  for (let i = 0; i < queue.length; i += 2) {
    const pair = queue.slice(i, i + 2);
    for (const d of pair) {
      const lastChange = lives[d.booking]!.cancelled && d.revision === cancellationOf(d.booking) - 1;
      if (pace.by !== 'gap' || !lastChange || sentLast.has(d.booking)) continue;
      sentLast.add(d.booking);
      const { gapMs } = pace;
      const cancel = async () => {
        await sleep(gapMs);
        await Promise.all(held.filter((c) => c.booking === d.booking).map(send));
      };
      const cancelling = cancel();
      // Awaited below, after the pairs: a failure then fails the run, not the process.
      cancelling.catch(() => {});
      late.push(cancelling);
    }
    await Promise.all(pair.map(send));
  }
  await Promise.all(late);
}

/**
 * Puts the run's booking events on the bus in one batch (PutEvents takes ten a call), as the webhook would have
 * published them one by one: the renter's private record of each revision written first, a duplicate delivery
 * the same event again.
 */
async function putInOneBatch(order: Delivery[], lives: Life[], ids: string[]) {
  const correlationIds = ids.map(() => newWebhookId());
  const eventOf = new Map<string, ReturnType<typeof bookingEventOf>>();
  for (const d of order) {
    const key = `${d.booking}:${d.revision}`;
    if (eventOf.has(key)) continue;
    const payload = payloadOf(ids[d.booking]!, lives[d.booking]!, d.revision);
    await env.rememberRenter(ids[d.booking]!, [d.revision], bookingDetailsOf(payload));
    eventOf.set(
      key,
      bookingEventOf(payload, {
        webhookId: newWebhookId(),
        correlationId: correlationIds[d.booking]!,
        occurredAt: new Date(),
      }),
    );
  }
  await env.publisher.publish(order.map((d) => eventOf.get(`${d.booking}:${d.revision}`)!));
}

/** Stand-in calls the crashed invocation had sent: its retry finishes the recorded decision and sends them again. */
function resentBy(plan: CrashPlan | undefined) {
  const crashed = plan?.crashed;
  if (!crashed) return { jada: 0, scc: 0 };
  const sent = plan.calls.slice(0, crashed.phase === 'after' ? crashed.at : crashed.at - 1);
  return {
    jada: sent.filter((call) => call.startsWith('jada')).length,
    scc: sent.filter((call) => call.startsWith('scc')).length,
  };
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
    const tally = {
      runs: 0,
      crashesAimed: 0,
      crashed: [] as string[],
      missed: [] as string[],
      paces: {} as Record<string, number>,
    };
    await fc.assert(
      fc.asyncProperty(scenario, async ({ lives, order, pace, crash }) => {
        const from = new Date(Date.now() - 1000);
        const ids = lives.map(() => uniqueBookingId('P'));
        const callsBefore = writesIn(await env.calls());
        tally.runs++;
        tally.paces[pace.by] = (tally.paces[pace.by] ?? 0) + 1;
        aim = crash && { consumer: crash.consumer, bookingId: ids[crash.booking]!, at: crash.at, phase: crash.phase };
        if (crash) tally.crashesAimed++;

        if (pace.by === 'batch') await putInOneBatch(order, lives, ids);
        else await deliverAll(order, lives, ids, pace);
        // Waits for Lambda's retries too: a crashed invocation is finished by the time the bus is idle.
        const seen = await env.busEvents();
        const callsAfterLive = writesIn(await env.calls());
        const aimed = aim;
        const crashed = aimed?.plan?.crashed;
        const resent = resentBy(aimed?.plan);
        // The replay must find everything applied: no crash there.
        aim = undefined;
        if (crashed) tally.crashed.push(`${crash!.consumer} ${crashed.phase} ${crashed.call}`);
        else if (crash)
          tally.missed.push(`${crash.consumer} at ${crash.at} of ${aimed?.plan?.calls.length ?? 'no'} call(s)`);

        const applied = (prefix: string) =>
          new Set(
            seen
              .filter((e) => ids.includes(e.detail.metadata.bookingId!) && e['detail-type'].startsWith(prefix))
              .map((e) => `${e.detail.metadata.bookingId}:${e.detail.data.booking.revision}`),
          ).size;
        expect(callsAfterLive.jada - callsBefore.jada).toBeLessThanOrEqual(applied('CalendarEntry') + resent.jada);
        expect(callsAfterLive.scc - callsBefore.scc).toBeLessThanOrEqual(applied('CrewEvent') + resent.scc);

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
    console.log(
      `lifecycle runs: ${tally.runs}, by pace ${JSON.stringify(tally.paces)}; crashes aimed ${tally.crashesAimed}, ` +
        `made ${tally.crashed.length}: ${tally.crashed.join(', ')}; none made: ${tally.missed.join(', ')}`,
    );
    // The crash arbitrary must bite: a first invocation mostly makes as many calls as `at` says.
    if (tally.crashesAimed > 0) expect(tally.crashed.length).toBeGreaterThan(0);
  }, 900_000);
});
