import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { adoptUpcoming, describeLine, runAdopt, summaryOf } from '../../cli/adopt';
import { runSeedLegacy } from '../../cli/seed-legacy';
import { newReplayName, replayTarget, startReplay, waitForReplay } from '../../cli/operator/replays';
import { seedLegacy, upcomingBooking, type LegacyRecord } from '../../local/charterflow/legacy';
import { SCC_EVENTS_TABLE } from '../../local/stand-ins/scc';
import { calendarEntryRequest } from '../../services/calendar/calendar-entry';
import { jadaCalendarApi } from '../../services/calendar/jada-calendar-api';
import { crewFacts } from '../../services/crew/crew-event';
import { isRevenueLine } from '../../services/scrub/notes';
import { toBookingSnapshot } from '../../services/webhook/booking';
import { parseSecrets } from '../../services/webhook/signature';
import { region, secretNames } from '../../shared/config';
import type { BoatsetterWebhookPayload } from '../../shared/contract/boatsetter';
import { RevisionLedger } from '../../shared/revisions';
import { SecretCache } from '../../shared/secrets';
import { signedDelivery } from '../../shared/signed-delivery';
import { atOffsetOf } from '../../shared/trip';
import {
  captureLogs,
  startCalendarCrewStack,
  uniqueBookingId,
  type CalendarCrewStack,
} from '../services/calendar/support';

/**
 * The day of the switch: JADA and SCC already hold an entry and a crew event for every upcoming booking, made
 * by the hand-made Lambdas (no Idempotency-Key, the calendar entry id in the crew event's notes, the crew
 * invited, some revenue lines left by their scrub). Boatsetter then sends charterflow the changes and
 * cancellations of those bookings, with or without `charterflow adopt` run first, in any order, with
 * duplicates, and the archive is replayed. Each booking keeps exactly its one entry and one event, both at the
 * latest revision or cancelled; the crew hear only of what changed, and nobody is invited twice.
 */

const RUNS = 12;
const CONSUMERS = ['calendar', 'crew', 'scrub', 'guest-page'];
const CREATES = { jada: 'POST /entries', scc: 'POST /events' };

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let events: EventBridgeClient;
let documents: DynamoDBDocumentClient;
let webhookSecret: string;
let nextDay = 0;

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(CONSUMERS);
  const endpoint = env.stack.endpoints.aws;
  events = new EventBridgeClient({ region: region(), endpoint });
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: region(), endpoint }));
  const secrets = new SecretsManagerClient({ region: region(), endpoint });
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  webhookSecret = parseSecrets(SecretString!)[0]!;
  secrets.destroy();
  process.env.JADA_CALENDAR_URL = env.standInUrl('jada-calendar');
}, 60_000);

afterAll(async () => {
  events?.destroy();
  documents?.destroy();
  await env?.stop();
  logs?.restore();
});

interface Change {
  startHours: number;
  durationHours: number;
  partySize: number;
}

/** A booking the old system knew at revision 1: its own boat and trip day, so no run double-books another. */
function bookingOf() {
  const bookingId = uniqueBookingId('L');
  return { bookingId, day: nextDay++ };
}

/** Revision `revision` of the booking: 1 as the old system got it, then each change, then perhaps the cancellation. */
function payloadOf(
  booking: { bookingId: string; day: number },
  revision: number,
  changes: Change[] = [],
  cancelled = false,
): BoatsetterWebhookPayload {
  const payload = upcomingBooking(booking.bookingId, booking.day);
  payload.data.listing.id = `lst_${booking.bookingId.toLowerCase()}`;
  payload.data.revision = revision;
  const applied = changes.slice(0, revision - 1).at(-1);
  if (applied) {
    const start = payload.data.trip.start;
    payload.data.trip.start = atOffsetOf(start, Date.parse(start) + applied.startHours * 3_600_000);
    payload.data.trip.duration_hours = applied.durationHours;
    payload.data.party_size = applied.partySize;
  }
  const cancelling = cancelled && revision === changes.length + 2;
  payload.type = revision === 1 ? 'booking.confirmed' : cancelling ? 'booking.cancelled' : 'booking.modified';
  payload.data.status = revision === 1 ? 'confirmed' : cancelling ? 'cancelled' : 'modified';
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

const quiet = new Logger({ serviceName: 'switch-day-test', logLevel: 'SILENT' });

function adopt(apply: boolean) {
  return adoptUpcoming(
    {
      jada: jadaCalendarApi(
        new SecretCache(new SecretsManagerClient({ region: region(), endpoint: env.stack.endpoints.aws })),
      ),
      documents,
      revisions: new RevisionLedger(documents),
      logger: quiet,
    },
    { since: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), apply },
  );
}

const creates = async () => {
  const calls = await env.calls();
  return { jada: calls.jada[CREATES.jada] ?? 0, scc: calls.scc[CREATES.scc] ?? 0 };
};

async function replayWindow(from: Date) {
  const target = await replayTarget(events);
  const name = newReplayName('replay', undefined);
  const window = { from, to: new Date() };
  await startReplay(events, target, { name, window });
  expect((await waitForReplay(events, name, { window, intervalMs: 25 })).State).toBe('COMPLETED');
  await env.stack.eventBridge.idle();
}

/** What JADA and SCC hold for the booking, and what SCC sent its crew. */
async function heldFor(legacy: LegacyRecord) {
  const [entries, sccEvents, invitations, notices] = await Promise.all([
    env.tables.calendarEntries(),
    env.tables.sccEvents(),
    env.tables.invitations(),
    env.tables.notices(),
  ]);
  return {
    entries: entries.filter((e) => e.bookingId === legacy.bookingId),
    events: sccEvents.filter((e) => e.bookingId === legacy.bookingId),
    invitations: invitations.filter((i) => i.eventId === legacy.sccEventId),
    notices: notices.filter((n) => n.eventId === legacy.sccEventId),
  };
}

const revisionOfKey = (key: string | undefined) => Number(/:r(\d+):/.exec(key ?? '')?.[1]);

/** Exactly the legacy entry and event, at `last` (or cancelled), the notes clean, nobody invited twice. */
async function expectOneEntryAndEventAt(legacy: LegacyRecord, last: BoatsetterWebhookPayload) {
  const held = await heldFor(legacy);
  const snapshot = toBookingSnapshot(last);
  expect(held.entries.map((e) => e.entryId)).toEqual([legacy.calendarEntryId]);
  expect(held.events.map((e) => e.eventId)).toEqual([legacy.sccEventId]);
  const [entry] = held.entries;
  const [event] = held.events;
  if (snapshot.status === 'cancelled') {
    expect(entry!.status).toBe('cancelled');
    expect(event!.status).toBe('cancelled');
  } else {
    expect(entry).toMatchObject({ ...calendarEntryRequest(snapshot), status: 'active' });
    expect(event).toMatchObject({
      start: snapshot.trip.start,
      durationHours: snapshot.trip.durationHours,
      partySize: snapshot.partySize,
      status: 'active',
    });
    expect(event!.notes.split('\n').filter(isRevenueLine)).toEqual([]);
  }
  expect(held.invitations).toHaveLength(legacy.crewInvited);
  return held;
}

describe('the day of the switch: records the hand-made Lambdas made', () => {
  it('a change and a cancellation, with no adopt, update the legacy entry and event in place', async () => {
    const moved = bookingOf();
    const dropped = bookingOf();
    const first = [payloadOf(moved, 1), payloadOf(dropped, 1)];
    const [movedLegacy, droppedLegacy] = await seedLegacy(env.stack, first);
    expect(movedLegacy!.revenueLinesLeft).toBeGreaterThan(0);
    const before = await creates();

    const change = { startHours: 1, durationHours: 4, partySize: 5 };
    const movedLast = payloadOf(moved, 2, [change]);
    const droppedLast = payloadOf(dropped, 2, [], true);
    await Promise.all([deliver(movedLast), deliver(droppedLast)]);
    await env.busEvents();

    expect(await creates()).toEqual(before);
    const movedHeld = await expectOneEntryAndEventAt(movedLegacy!, movedLast);
    // The crew heard once each, of the start, the duration and the party size: what differs from the legacy event.
    const legacyFacts = crewFacts(toBookingSnapshot(first[0]!));
    const nowFacts = crewFacts(toBookingSnapshot(movedLast));
    const changed = movedHeld.notices.filter((n) => n.kind === 'changed');
    expect(changed).toHaveLength(movedHeld.invitations.length);
    for (const notice of changed) {
      expect(notice.changes).toEqual(
        ['start', 'duration', 'party size'].map((field) => ({
          field,
          before: legacyFacts[field],
          after: nowFacts[field],
        })),
      );
    }
    const droppedHeld = await expectOneEntryAndEventAt(droppedLegacy!, droppedLast);
    expect(droppedHeld.notices.map((n) => n.kind)).toEqual(droppedHeld.invitations.map(() => 'cancelled'));
    expect(await env.deadLetters('calendar')).toEqual([]);
    expect(await env.deadLetters('crew')).toEqual([]);
  });

  it('adopt: a dry run writes nothing, --apply links each booking once, a second run finds them known', async () => {
    const kept = bookingOf();
    const noEvent = bookingOf();
    const [keptLegacy, noEventLegacy] = await seedLegacy(env.stack, [payloadOf(kept, 1), payloadOf(noEvent, 1)]);
    // An SCC event lost on the old side: the entry is adopted alone, and crew makes the event.
    await documents.send(
      new DeleteCommand({ TableName: SCC_EVENTS_TABLE, Key: { eventId: noEventLegacy!.sccEventId } }),
    );
    const ours = (lines: Awaited<ReturnType<typeof adopt>>) =>
      lines.filter((l) => [kept.bookingId, noEvent.bookingId].includes(l.bookingId));

    const dry = ours(await adopt(false));
    expect(dry.map((l) => [l.bookingId, l.status]).sort()).toEqual(
      [
        [kept.bookingId, 'would adopt'],
        [noEvent.bookingId, 'SCC event missing'],
      ].sort(),
    );
    expect(await new RevisionLedger(documents).get(kept.bookingId, 'calendar')).toBeUndefined();

    const applied = ours(await adopt(true));
    expect(applied.find((l) => l.bookingId === kept.bookingId)).toMatchObject({
      status: 'adopted',
      calendarEntryId: keptLegacy!.calendarEntryId,
      sccEventId: keptLegacy!.sccEventId,
      linked: ['calendar', 'crew'],
    });
    expect(describeLine(applied.find((l) => l.bookingId === noEvent.bookingId)!)).toContain(
      'SCC event missing: calendar entry',
    );
    expect(summaryOf(applied, true)).toMatch(/adopted/);
    const again = ours(await adopt(true));
    expect(again.find((l) => l.bookingId === kept.bookingId)!.status).toBe('already known');

    const before = await creates();
    const keptLast = payloadOf(kept, 2, [{ startHours: 0, durationHours: 3, partySize: 4 }]);
    await deliver(keptLast);
    await deliver(payloadOf(noEvent, 2, [{ startHours: 2, durationHours: 3, partySize: 6 }]));
    await env.busEvents();
    // The one create: the crew event SCC had lost.
    expect(await creates()).toEqual({ jada: before.jada, scc: before.scc + 1 });
    const held = await expectOneEntryAndEventAt(keptLegacy!, keptLast);
    for (const notice of held.notices)
      expect(notice.changes).toEqual([{ field: 'party size', before: '6', after: '4' }]);
  });

  it('npx charterflow seed-legacy --local prints each booking it made, and adopt --local finds them to adopt', async () => {
    const io = () => {
      const lines: string[] = [];
      return { lines, out: (l: string) => lines.push(l), err: () => {}, rewrite: () => {}, isTTY: false };
    };
    const seeded = io();
    expect(await runSeedLegacy(['--local', '--count', '2'], seeded)).toBe(0);
    expect(seeded.lines).toHaveLength(3);
    for (const line of seeded.lines.slice(0, 2)) {
      expect(line).toMatch(
        /^S[A-Z0-9]{7} {2}\S+ {2}calendar entry cal_\S+, crew event scc_\S+ \(2 crew invited, 3 revenue lines left in the notes\)$/,
      );
    }
    expect(seeded.lines[2]).toBe(
      '2 bookings seeded as the hand-made Lambdas made them; charterflow holds none of them yet',
    );
    const adopted = io();
    expect(await runAdopt(['--local'], adopted)).toBe(0);
    for (const line of seeded.lines.slice(0, 2)) {
      expect(adopted.lines).toContainEqual(
        expect.stringMatching(new RegExp(`^${line.split(' ')[0]} {2}would adopt: `)),
      );
    }
    expect(adopted.lines.at(-1)).toMatch(/\(dry run: nothing written; --apply to write\)$/);
  });

  it(`changes, cancellations, duplicates and a replay, with and without adopt (${RUNS} runs)`, async () => {
    const change = fc.record({
      startHours: fc.integer({ min: 0, max: 6 }).map((half) => half / 2),
      durationHours: fc.integer({ min: 2, max: 5 }),
      // Up to six: one deckhand, so the crew stays who the old system invited.
      partySize: fc.integer({ min: 1, max: 6 }),
    });
    const life = fc.record({
      changes: fc.array(change, { minLength: 0, maxLength: 2 }),
      cancelled: fc.boolean(),
      // Boatsetter retrying the confirmation the old system already had.
      confirmationAgain: fc.boolean(),
      duplicates: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    });
    const scenario = fc.array(life, { minLength: 1, maxLength: 2 }).chain((lives) => {
      const deliveries = lives.flatMap((l, booking) => {
        const last = 1 + l.changes.length + (l.cancelled ? 1 : 0);
        const revisions = Array.from({ length: last }, (_, i) => i + 1).filter(
          (r) => r > 1 || l.confirmationAgain || last === 1,
        );
        return revisions.flatMap((revision, i) => [
          { booking, revision },
          ...(l.duplicates[i] ? [{ booking, revision }] : []),
        ]);
      });
      return fc.record({
        lives: fc.constant(lives),
        order: fc.shuffledSubarray(deliveries, { minLength: deliveries.length }),
        adoptFirst: fc.boolean(),
      });
    });
    const tally = { runs: 0, adopted: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async ({ lives, order, adoptFirst }) => {
        tally.runs++;
        const bookings = lives.map(() => bookingOf());
        const legacy = await seedLegacy(
          env.stack,
          bookings.map((b) => payloadOf(b, 1)),
        );
        if (adoptFirst) {
          tally.adopted++;
          await adopt(true);
        }
        const from = new Date(Date.now() - 1000);
        const before = await creates();
        for (let i = 0; i < order.length; i += 2) {
          await Promise.all(
            order.slice(i, i + 2).map((d) => {
              const l = lives[d.booking]!;
              return deliver(payloadOf(bookings[d.booking]!, d.revision, l.changes, l.cancelled));
            }),
          );
        }
        await env.busEvents();
        await replayWindow(from);
        expect(await creates()).toEqual(before);

        for (const [index, booking] of bookings.entries()) {
          const l = lives[index]!;
          const last = payloadOf(booking, 1 + l.changes.length + (l.cancelled ? 1 : 0), l.changes, l.cancelled);
          const held = await expectOneEntryAndEventAt(legacy[index]!, last);
          const changed = held.notices.filter((n) => n.kind === 'changed');
          // Only what changed: each notice names real changes, one per member and revision, none without a change.
          for (const notice of changed) {
            expect(notice.changes!.length).toBeGreaterThan(0);
            for (const c of notice.changes!) expect(c.before).not.toBe(c.after);
          }
          const perMemberAndRevision = new Set(
            changed.map((n) => `${n.crewMember.name}:${revisionOfKey(n.requestKey)}`),
          );
          expect(perMemberAndRevision.size).toBe(changed.length);
          if (l.changes.length === 0) expect(changed).toEqual([]);
          // The first the crew hear of is measured against what the old system told them.
          const firstRevision = Math.min(...changed.map((n) => revisionOfKey(n.requestKey)));
          const legacyFacts = crewFacts(toBookingSnapshot(payloadOf(booking, 1)));
          for (const notice of changed.filter((n) => revisionOfKey(n.requestKey) === firstRevision)) {
            for (const c of notice.changes!) expect(c.before).toBe(legacyFacts[c.field]);
          }
          const cancelNotices = held.notices.filter((n) => n.kind === 'cancelled');
          expect(cancelNotices).toHaveLength(l.cancelled ? held.invitations.length : 0);
        }
        expect(await env.deadLetters('calendar')).toEqual([]);
        expect(await env.deadLetters('crew')).toEqual([]);
        expect(await env.deadLetters('scrub')).toEqual([]);
        expect(await env.deadLetters('guest-page')).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    console.log(`switch-day runs: ${tally.runs}, adopt run first in ${tally.adopted}`);
  }, 600_000);
});
