import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoatSchedule } from '../../../services/calendar/boat-schedule';
import { applyToCalendar, type BookingEvent, type CalendarDeps } from '../../../services/calendar/calendar-entry';
import { jadaCalendarApi, turnaroundMs } from '../../../services/calendar/jada-calendar-api';
import { documentClient, eventBridgeClient, secretsManagerClient } from '../../../shared/aws';
import { createLogger } from '../../../shared/logger';
import { Publisher } from '../../../shared/publisher';
import { RevisionLedger } from '../../../shared/revisions';
import { SecretCache } from '../../../shared/secrets';
import { bookingSnapshot, eventMetadata } from '../../../samples';
import { atEveryBoundary, Crashes, RecordsAfterActing, sameCopies } from '../crashes';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from './support';

/**
 * The calendar crashed between every two of its steps (before and after each DynamoDB, JADA and EventBridge
 * call), then the event delivered again, or a newer revision instead: JADA holds one entry at the latest
 * revision, and every event the calendar emitted more than once went out with the same metadata.
 */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
const crashes = new Crashes();
let deps: CalendarDeps;
let revisions: RevisionLedger;

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack([]);
  const documents = crashes.watch(documentClient());
  revisions = new RevisionLedger(documents);
  deps = {
    revisions,
    publisher: new Publisher(crashes.watch(eventBridgeClient())),
    jada: crashes.wrap(jadaCalendarApi(new SecretCache(secretsManagerClient())), 'jada'),
    schedule: new BoatSchedule(documents, turnaroundMs()),
    logger: createLogger('calendar'),
  };
});
afterAll(async () => {
  await env?.stop();
  logs?.restore();
});

function bookingEvent(bookingId: string, revision: number): BookingEvent {
  const detailType = revision === 1 ? 'BookingReceived' : 'BookingModified';
  return {
    id: `evt_${bookingId}_r${revision}`,
    detailType,
    source: 'charterflow.webhook',
    time: new Date().toISOString(),
    detail: {
      metadata: eventMetadata({
        bookingId,
        correlationId: `msg_${bookingId}`,
        causationId: `msg_${bookingId}_r${revision}`,
        idempotencyKey: `${bookingId}:r${revision}:${detailType}`,
      }),
      // Each revision a longer trip: the JADA entry tells which one it holds. A boat of its own: no double booking.
      data: {
        booking: bookingSnapshot({
          bookingId,
          revision,
          boat: { ...bookingSnapshot().boat, listingId: `L${bookingId}` },
          trip: { ...bookingSnapshot().trip, durationHours: 2 + revision },
        }),
      },
    },
  } as BookingEvent;
}

/** A crashed invocation: its lease ends soon after, as its invocation would have. */
const crashedRun = (event: BookingEvent, ledger = revisions) =>
  applyToCalendar(event, { ...deps, revisions: ledger, until: Date.now() + 300 });
const retry = (event: BookingEvent, ledger = revisions) =>
  applyToCalendar(event, { ...deps, revisions: ledger, until: Date.now() + 20_000 });

const entriesOf = async (bookingId: string) =>
  (await env.tables.calendarEntries()).filter((e) => e.bookingId === bookingId);

async function expectConverged(bookingId: string, revision: number, point: string) {
  const entries = await entriesOf(bookingId);
  expect(entries, `JADA entries after a crash ${point}`).toHaveLength(1);
  expect(entries[0]!.durationHours, `JADA's entry after a crash ${point}`).toBe(2 + revision);
  const record = await revisions.get<{ entryId: string }>(bookingId, 'calendar');
  expect(record, `the calendar's record after a crash ${point}`).toMatchObject({
    revision,
    held: { entryId: entries[0]!.entryId },
  });
  expect(await revisions.pendingOf(bookingId, 'calendar')).toBeUndefined();
  expect(sameCopies(crashes.emitted, bookingId), `events emitted twice after a crash ${point}`).toEqual([]);
  const created = crashes.emittedOf(bookingId, 'CalendarEntryCreated');
  expect(new Set(created.map((e) => e.detail.metadata.idempotencyKey)).size, `created after a crash ${point}`).toBe(1);
  expect(created.every((e) => e.detail.data.calendarEntryId === entries[0]!.entryId)).toBe(true);
}

describe('the calendar, crashed at every step', { timeout: 240_000 }, () => {
  it('delivered again, holds one JADA entry and emits CalendarEntryCreated with the same metadata', async () => {
    const ids = new Map<number, string>();
    const idOf = (k: number) => ids.get(k) ?? ids.set(k, uniqueBookingId('A')).get(k)!;
    const points = await atEveryBoundary(
      crashes,
      (k) => crashedRun(bookingEvent(idOf(k), 1)),
      async (k, point) => {
        await retry(bookingEvent(idOf(k), 1));
        await expectConverged(idOf(k), 1, point);
      },
    );
    expect(points).toContain('before jada createEntry');
  });

  it('with a newer revision instead, finishes the crashed decision first: one entry, updated, not a second one', async () => {
    const ids = new Map<number, string>();
    const idOf = (k: number) => ids.get(k) ?? ids.set(k, uniqueBookingId('N')).get(k)!;
    await atEveryBoundary(
      crashes,
      (k) => crashedRun(bookingEvent(idOf(k), 1)),
      async (k, point) => {
        await retry(bookingEvent(idOf(k), 2));
        await expectConverged(idOf(k), 2, point);
        const updated = crashes.emittedOf(idOf(k), 'CalendarEntryUpdated');
        const created = crashes.emittedOf(idOf(k), 'CalendarEntryCreated');
        // Either revision 1's decision was recorded (finished, then updated) or it never was (revision 2 creates).
        expect([...created, ...updated].some((e) => e.detail.data.booking.revision === 2)).toBe(true);
      },
    );
  });

  it('a crash during an update, then a newer revision: the update is finished with its key, then the newer one applied', async () => {
    const ids = new Map<number, string>();
    const idOf = (k: number) => ids.get(k) ?? ids.set(k, uniqueBookingId('U')).get(k)!;
    await atEveryBoundary(
      crashes,
      async (k) => {
        crashes.arm();
        await retry(bookingEvent(idOf(k), 1));
        crashes.arm(k);
        return crashedRun(bookingEvent(idOf(k), 2));
      },
      async (k, point) => {
        await retry(bookingEvent(idOf(k), 3));
        await expectConverged(idOf(k), 3, point);
      },
    );
  });

  it('has teeth: recording after acting leaves a second JADA entry after some crash', async () => {
    const wrong = new RecordsAfterActing(crashes.watch(documentClient()));
    const ids = new Map<number, string>();
    const idOf = (k: number) => ids.get(k) ?? ids.set(k, uniqueBookingId('T')).get(k)!;
    const doubled: string[] = [];
    // Without the look for an existing entry, which would adopt the crashed run's: the order alone is on trial.
    const blind = { ...deps.jada, findEntries: () => Promise.resolve([]) };
    await atEveryBoundary(
      crashes,
      (k) =>
        applyToCalendar(bookingEvent(idOf(k), 1), { ...deps, jada: blind, revisions: wrong, until: Date.now() + 300 }),
      async (k, point) => {
        await applyToCalendar(bookingEvent(idOf(k), 2), {
          ...deps,
          jada: blind,
          revisions: wrong,
          until: Date.now() + 20_000,
        });
        if ((await entriesOf(idOf(k))).length > 1) doubled.push(point);
      },
    );
    expect(doubled).toContain('after jada createEntry');
  });

  it("the look for an existing entry finds our own: even recording after acting, a retry adopts the crashed run's entry", async () => {
    const wrong = new RecordsAfterActing(crashes.watch(documentClient()));
    const ids = new Map<number, string>();
    const idOf = (k: number) => ids.get(k) ?? ids.set(k, uniqueBookingId('F')).get(k)!;
    const doubled: string[] = [];
    const points = await atEveryBoundary(
      crashes,
      (k) => crashedRun(bookingEvent(idOf(k), 1), wrong),
      async (k, point) => {
        await retry(bookingEvent(idOf(k), 2), wrong);
        if ((await entriesOf(idOf(k))).length > 1) doubled.push(point);
      },
    );
    expect(points).toContain('after jada createEntry');
    expect(doubled).toEqual([]);
  });
});
