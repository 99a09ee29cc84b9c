import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyToCrewEvent, type CalendarEvent, type CrewDeps } from '../../../services/crew/crew-event';
import { sccApi } from '../../../services/crew/scc-api';
import { documentClient, eventBridgeClient, secretsManagerClient } from '../../../shared/aws';
import { createLogger } from '../../../shared/logger';
import { PrivateRecords } from '../../../shared/private-records';
import { Publisher } from '../../../shared/publisher';
import { RevisionLedger } from '../../../shared/revisions';
import { SecretCache } from '../../../shared/secrets';
import { bookingSnapshot, eventMetadata } from '../../../samples';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from '../calendar/support';
import { atEveryBoundary, Crashes, RecordsAfterActing, sameCopies } from '../crashes';

/**
 * Crew crashed between every two of its steps (before and after each DynamoDB, SCC and EventBridge call), then
 * the event delivered again, or a newer revision instead: SCC holds one crew event at the latest revision, the
 * crew's notice of a change says what SCC held before it, and every event emitted twice is the same.
 */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
const crashes = new Crashes();
let deps: CrewDeps;
let revisions: RevisionLedger;

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack([]);
  const documents = crashes.watch(documentClient());
  revisions = new RevisionLedger(documents);
  deps = {
    revisions,
    publisher: new Publisher(crashes.watch(eventBridgeClient())),
    scc: crashes.wrap(sccApi(new SecretCache(secretsManagerClient())), 'scc'),
    privateRecords: new PrivateRecords(documents),
    logger: createLogger('crew'),
  };
});
afterAll(async () => {
  await env?.stop();
  logs?.restore();
});

/** Revision n of a booking as the calendar states it: each revision a trip an hour longer. */
function calendarEvent(bookingId: string, revision: number): CalendarEvent {
  const detailType = revision === 1 ? 'CalendarEntryCreated' : 'CalendarEntryUpdated';
  return {
    id: `evt_${bookingId}_r${revision}`,
    detailType,
    source: 'charterflow.calendar',
    time: new Date().toISOString(),
    detail: {
      metadata: eventMetadata({
        bookingId,
        correlationId: `msg_${bookingId}`,
        causationId: `evt_${bookingId}_booking_r${revision}`,
        idempotencyKey: `${bookingId}:r${revision}:${detailType}`,
      }),
      data: {
        booking: bookingSnapshot({
          bookingId,
          revision,
          trip: { ...bookingSnapshot().trip, durationHours: 2 + revision },
        }),
        calendarEntryId: `cal_${bookingId}`,
        ...(revision === 1 ? {} : { changed: ['durationHours'] }),
      },
    },
  } as CalendarEvent;
}

const crashedRun = (event: CalendarEvent, ledger = revisions) =>
  applyToCrewEvent(event, { ...deps, revisions: ledger, until: Date.now() + 300 });
const retry = (event: CalendarEvent, ledger = revisions) =>
  applyToCrewEvent(event, { ...deps, revisions: ledger, until: Date.now() + 20_000 });

const sccEventsOf = async (bookingId: string) =>
  (await env.tables.sccEvents()).filter((e) => e.bookingId === bookingId);

async function booking(prefix: string) {
  const bookingId = uniqueBookingId(prefix);
  await env.rememberRenter(bookingId, [1, 2, 3]);
  return bookingId;
}

async function expectConverged(bookingId: string, revision: number, point: string) {
  const events = await sccEventsOf(bookingId);
  expect(events, `SCC crew events after a crash ${point}`).toHaveLength(1);
  expect(events[0]!.durationHours, `SCC's crew event after a crash ${point}`).toBe(2 + revision);
  expect(await revisions.get(bookingId, 'crew'), `crew's record after a crash ${point}`).toMatchObject({
    revision,
    held: { sccEventId: events[0]!.eventId },
  });
  expect(await revisions.pendingOf(bookingId, 'crew')).toBeUndefined();
  expect(sameCopies(crashes.emitted, bookingId), `events emitted twice after a crash ${point}`).toEqual([]);
  const created = crashes.emittedOf(bookingId, 'CrewEventCreated');
  expect(new Set(created.map((e) => e.detail.metadata.idempotencyKey)).size, `created after a crash ${point}`).toBe(1);
  return events[0]!;
}

describe('crew, crashed at every step', { timeout: 240_000 }, () => {
  it('delivered again, holds one SCC event and emits CrewEventCreated with the same metadata', async () => {
    const ids = new Map<number, string>();
    await atEveryBoundary(
      crashes,
      async (k) => {
        ids.set(k, await booking('A'));
        return crashedRun(calendarEvent(ids.get(k)!, 1));
      },
      async (k, point) => {
        await retry(calendarEvent(ids.get(k)!, 1));
        await expectConverged(ids.get(k)!, 1, point);
      },
    );
  });

  it('created, then overtaken by a newer revision: one SCC event, updated, never a second one', async () => {
    const ids = new Map<number, string>();
    await atEveryBoundary(
      crashes,
      async (k) => {
        ids.set(k, await booking('N'));
        return crashedRun(calendarEvent(ids.get(k)!, 1));
      },
      async (k, point) => {
        await retry(calendarEvent(ids.get(k)!, 2));
        await expectConverged(ids.get(k)!, 2, point);
      },
    );
  });

  it('with a newer revision instead: one SCC event, and the notice says what SCC held before', async () => {
    const ids = new Map<number, string>();
    const points = await atEveryBoundary(
      crashes,
      async (k) => {
        ids.set(k, await booking('U'));
        crashes.arm();
        await retry(calendarEvent(ids.get(k)!, 1));
        crashes.arm(k);
        return crashedRun(calendarEvent(ids.get(k)!, 2));
      },
      async (k, point) => {
        const bookingId = ids.get(k)!;
        await retry(calendarEvent(bookingId, 3));
        const held = await expectConverged(bookingId, 3, point);
        const notices = (await env.tables.notices()).filter((n) => n.eventId === held.eventId);
        const told = (revision: number) =>
          notices.filter((n) => n.requestKey === `${bookingId}:r${revision}:CalendarEntryUpdated`);
        // SCC took revision 2's update (its notice went out) or never saw it: the last notice starts from there.
        const before = told(2).length > 0 ? '4 h' : '3 h';
        expect(told(3).length, `notices of revision 3 after a crash ${point}`).toBeGreaterThan(0);
        for (const notice of told(3)) {
          expect(notice.changes, `revision 3's notice after a crash ${point}`).toEqual([
            { field: 'duration', before, after: '5 h' },
          ]);
        }
      },
    );
    expect(points).toContain('before scc updateEvent');
  });

  it('has teeth: recording after acting tells the crew stale "before" values after some crash', async () => {
    const wrong = new RecordsAfterActing(crashes.watch(documentClient()));
    const ids = new Map<number, string>();
    const stale: string[] = [];
    await atEveryBoundary(
      crashes,
      async (k) => {
        ids.set(k, await booking('T'));
        crashes.arm();
        await retry(calendarEvent(ids.get(k)!, 1), wrong);
        crashes.arm(k);
        return crashedRun(calendarEvent(ids.get(k)!, 2), wrong);
      },
      async (k, point) => {
        const bookingId = ids.get(k)!;
        await retry(calendarEvent(bookingId, 3), wrong);
        const notices = await env.tables.notices();
        const toldOf = (revision: number) =>
          notices.filter((n) => n.requestKey === `${bookingId}:r${revision}:CalendarEntryUpdated`);
        const sccHadRevision2 = toldOf(2).length > 0;
        if (sccHadRevision2 && toldOf(3).some((n) => n.changes?.[0]?.before !== '4 h')) stale.push(point);
      },
    );
    expect(stale).toContain('after scc updateEvent');
  });
});
