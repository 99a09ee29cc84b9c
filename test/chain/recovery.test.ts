import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, DeleteCommand, paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { cloudFrontClient, documentClient, s3Client } from '../../shared/aws';
import { bookingsTable, secretNames } from '../../shared/config';
import { bookingKey, consumerStateKey } from '../../shared/tables';
import { deployedNames } from '../../shared/declaration';
import { startStack, type LocalStack } from '../../local/charterflow/stack';
import { devSecrets, GUEST_SITE_BUCKET, GUEST_SITE_DISTRIBUTION_ID } from '../../local/charterflow/seed';
import { JADA_CALENDAR_TABLE } from '../../local/stand-ins/jada-calendar';
import { SCC_EVENTS_TABLE, SCC_INVITATIONS_TABLE, type SccEvent } from '../../local/stand-ins/scc';
import { ledgerTableName } from '../../services/booking-ledger/ledger';
import { bookingConfirmedAs, bookingIdNumber } from '../../samples';
import type { Io } from '../../cli/args';
import { runDlq, type DeadLetterView } from '../../cli/dlq';
import { runRedrive } from '../../cli/redrive';
import { runReplay, type ReplaySummary } from '../../cli/replay';
import { runStatus } from '../../cli/status';
import type { BookingStatus } from '../../cli/operator/status';

/**
 * The operator's recovery path end to end on the in-process stack: SCC down for a while, crew events
 * dead-lettered, `dlq` shows them, `redrive` finishes them, two full replays change nothing downstream, and
 * a replay for booking-ledger alone rebuilds a wiped ledger without waking any other consumer.
 */

const BOOKINGS = 100;
const DOWN_WHILE = 40;
// Generous: two cores shared with other work; the whole file takes about two minutes.
const TEST_TIMEOUT_MS = 150_000;

function captureIo() {
  const lines: string[] = [];
  const errors: string[] = [];
  const io: Io = { out: (l) => lines.push(l), err: (l) => errors.push(l), rewrite: () => undefined, isTTY: false };
  return { io, lines, errors, json: <T>() => JSON.parse(lines.at(-1)!) as T };
}

async function scanAll<T>(documents: DynamoDBDocumentClient, table: string): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateScan({ client: documents }, { TableName: table, ConsistentRead: true })) {
    items.push(...((page.Items ?? []) as T[]));
  }
  return items;
}

describe('recovery: dead letters, redrive, replays', () => {
  let stack: LocalStack;
  let documents: DynamoDBDocumentClient;
  const invocations = new Map<string, number>();
  const started = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
  const ids = Array.from({ length: BOOKINGS }, (_, i) => bookingIdNumber(9_100 + i));

  const sccFaults = (method: 'POST' | 'DELETE', body?: unknown) =>
    fetch(`${new URL(stack.endpoints.standIns.scc!).origin}/__faults`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).then((r) => expect(r.status).toBe(200));

  async function sendBookings(bookingIds: string[]) {
    const base = stack.endpoints.webhook.replace(/\/$/, '');
    const url = base.endsWith('/webhooks/boatsetter') ? base : `${base}/webhooks/boatsetter`;
    const webhook = new Webhook(devSecrets[secretNames.webhookSecret]!);
    const queue = [...bookingIds];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          const body = JSON.stringify(bookingConfirmedAs(id));
          const msgId = `msg_${randomUUID().replace(/-/g, '')}`;
          const now = new Date();
          const response = await fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'webhook-id': msgId,
              'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
              'webhook-signature': webhook.sign(msgId, now, body),
            },
            body,
          });
          expect(response.status, await response.text()).toBe(202);
        }
      }),
    );
    await stack.eventBridge.idle();
  }

  const invoked = (consumer: string) => invocations.get(deployedNames(consumer).functionName) ?? 0;

  async function downstreamSnapshot() {
    const [calendar, sccEvents, invitations, pages, invalidations] = await Promise.all([
      scanAll<{ bookingId: string }>(documents, JADA_CALENDAR_TABLE),
      scanAll<SccEvent>(documents, SCC_EVENTS_TABLE),
      scanAll<{ invitationId: string; eventId: string }>(documents, SCC_INVITATIONS_TABLE),
      s3Client().send(new ListObjectsV2Command({ Bucket: GUEST_SITE_BUCKET, Prefix: 'g/' })),
      cloudFrontClient().send(new ListInvalidationsCommand({ DistributionId: GUEST_SITE_DISTRIBUTION_ID })),
    ]);
    return {
      calendar,
      sccEvents: sccEvents.sort((a, b) => a.eventId.localeCompare(b.eventId)),
      invitations,
      pages: (pages.Contents ?? []).map((o) => `${o.Key}@${o.ETag}@${o.LastModified?.toISOString()}`).sort(),
      invalidations: invalidations.InvalidationList?.Quantity ?? 0,
    };
  }

  async function statuses(): Promise<BookingStatus[]> {
    const out = captureIo();
    expect(await runStatus(['--json', '--limit', String(BOOKINGS * 2)], out.io)).toBe(0);
    return out.json<BookingStatus[]>();
  }

  beforeAll(async () => {
    // One HTTP attempt per delivery, and Lambda's retries milliseconds apart: SCC being down exhausts the
    // crew function's asynchronous retries (the deployed ones) within the test instead of within minutes.
    process.env.CHARTERFLOW_HTTP_MAX_ATTEMPTS = '1';
    stack = await startStack({
      ephemeral: true,
      ports: { aws: 0, webhook: 0, guestSite: 0 },
      backoff: { baseMs: 2, maxMs: 10 },
    });
    Object.assign(process.env, stack.env);
    documents = documentClient();
    const invoke = stack.lambda.invoke.bind(stack.lambda);
    stack.lambda.invoke = (arn, event, requestId) => {
      const name = arn.split(':').at(-1)!;
      invocations.set(name, (invocations.get(name) ?? 0) + 1);
      return invoke(arn, event, requestId);
    };
  }, 60_000);

  afterAll(async () => {
    documents?.destroy();
    await stack?.stop();
    delete process.env.CHARTERFLOW_HTTP_MAX_ATTEMPTS;
  }, TEST_TIMEOUT_MS);

  it(
    'dead-letters the crew events while SCC is down and lists them with their error and booking',
    async () => {
      // SCC answers 503 to everything; half the time after it stored the event (the answer is lost).
      await sccFaults('POST', { errorRate: 1, afterEffectShare: 0.5 });
      await sendBookings(ids.slice(0, DOWN_WHILE));
      await sccFaults('DELETE');
      await sendBookings(ids.slice(DOWN_WHILE));

      const out = captureIo();
      expect(await runDlq(['--json'], out.io)).toBe(0);
      const letters = out.json<DeadLetterView[]>();
      expect(letters).toHaveLength(DOWN_WHILE);
      expect(new Set(letters.map((l) => l.consumer))).toEqual(new Set(['crew']));
      expect(letters.map((l) => l.bookingId).sort()).toEqual(ids.slice(0, DOWN_WHILE).sort());
      for (const letter of letters) {
        expect(letter.detailType).toBe('CalendarEntryCreated');
        expect(letter.errorCode).toBeTruthy();
        expect(letter.errorMessage).toMatch(/503|scc/i);
      }

      const plain = captureIo();
      expect(await runDlq([], plain.io)).toBe(0);
      expect(plain.lines.at(-1)).toBe(`${DOWN_WHILE} dead letter(s): crew ${DOWN_WHILE}`);

      const list = await statuses();
      const stuck = list
        .filter((s) => s.state === 'stuck')
        .map((s) => s.bookingId)
        .sort();
      expect(stuck).toEqual(ids.slice(0, DOWN_WHILE).sort());
      const one = list.find((s) => s.bookingId === ids[0])!;
      expect(one.lastError?.consumer).toBe('crew');
      expect(one.steps.find((s) => s.detailType === 'CrewEventCreated')?.state).toBe('failed');
      expect(list.filter((s) => s.state === 'complete')).toHaveLength(BOOKINGS - DOWN_WHILE);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'redrive sends the letters back to crew only, deletes them, and the chains complete',
    async () => {
      invocations.clear();
      const out = captureIo();
      expect(await runRedrive(['--json'], out.io)).toBe(0);
      const [crew, ...others] = out.json<{ consumer: string; redriven: number; kept: unknown[] }[]>();
      expect(others).toEqual([]);
      expect(crew).toMatchObject({ consumer: 'crew', redriven: DOWN_WHILE, kept: [] });
      await stack.eventBridge.idle();
      // The replay reached crew alone; what crew then emitted went to its own consumers as usual.
      expect(invoked('crew')).toBeGreaterThanOrEqual(DOWN_WHILE);
      expect(invoked('calendar')).toBe(0);

      const after = captureIo();
      expect(await runDlq(['--json'], after.io)).toBe(0);
      expect(after.json<unknown[]>()).toEqual([]);
      const list = await statuses();
      expect(list).toHaveLength(BOOKINGS);
      expect(list.filter((s) => s.state !== 'complete').map((s) => s.bookingId)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'two full-window replays create nothing downstream a second time',
    async () => {
      const before = await downstreamSnapshot();
      expect(new Set(before.calendar.map((e) => e.bookingId)).size).toBe(BOOKINGS);
      expect(before.calendar).toHaveLength(BOOKINGS);
      expect(before.sccEvents).toHaveLength(BOOKINGS);
      // SCC invites each crew member of each event once; no invitation without its event.
      const crewSize = before.sccEvents.reduce((sum, e) => sum + e.crew.length, 0);
      expect(crewSize).toBeGreaterThanOrEqual(BOOKINGS);
      expect(before.invitations).toHaveLength(crewSize);
      const eventIds = new Set(before.sccEvents.map((e) => e.eventId));
      expect(before.invitations.every((i) => eventIds.has(i.eventId))).toBe(true);
      expect(before.pages).toHaveLength(BOOKINGS);

      for (let round = 0; round < 2; round++) {
        invocations.clear();
        const out = captureIo();
        // Once the whole archive, once an explicit window covering the whole test.
        const window = round === 0 ? ['--all'] : ['--from', started.toISOString(), '--to', 'now'];
        expect(
          await runReplay([...window, '--json', '--settle', '2s'], {
            io: out.io,
            settled: () => stack.eventBridge.idle(),
          }),
        ).toBe(0);
        await stack.eventBridge.idle();
        const summary = out.json<ReplaySummary>();
        expect(summary.state).toBe('COMPLETED');
        expect(summary.eventsReplayed).toBe(BOOKINGS * 5);
        for (const consumer of ['calendar', 'crew', 'scrub', 'guest-page']) {
          expect(summary.consumers.find((c) => c.consumer === consumer)).toMatchObject({
            delivered: BOOKINGS,
            acted: 0,
            emittedOnly: 0,
            skipped: BOOKINGS,
          });
          // At least once: a delivery that failed (a timeout under load) is retried, so never fewer.
          expect(invoked(consumer)).toBeGreaterThanOrEqual(BOOKINGS);
        }
        expect(summary.consumers.find((c) => c.consumer === 'booking-ledger')).toMatchObject({
          delivered: BOOKINGS * 5,
          acted: 0,
        });
      }

      const after = await downstreamSnapshot();
      expect(after.calendar).toHaveLength(BOOKINGS);
      expect(after.sccEvents).toHaveLength(BOOKINGS);
      expect(after.invitations).toHaveLength(before.invitations.length);
      // No scrub write (the SCC items are byte for byte the same), no upload, no invalidation.
      expect(after.sccEvents).toEqual(before.sccEvents);
      expect(after.pages).toEqual(before.pages);
      expect(after.invalidations).toBe(before.invalidations);
      const list = await statuses();
      expect(list.filter((s) => s.state === 'complete')).toHaveLength(BOOKINGS);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a replay finishes a chain that broke between a step done and its event emitted',
    async () => {
      // As if scrub crashed right after its write to SCC: the notes are clean, but CrewNotesScrubbed never went
      // out and the revision was never recorded (it is recorded only once the event is out).
      const broken = ids[7]!;
      await documents.send(
        new DeleteCommand({
          TableName: bookingsTable(),
          Key: { pk: bookingKey(broken), sk: consumerStateKey('scrub') },
        }),
      );
      const line = (await scanAll<{ pk: string; sk: string; detailType: string }>(documents, ledgerTableName())).find(
        (i) => i.pk === `BOOKING#${broken}` && i.detailType === 'CrewNotesScrubbed',
      )!;
      await documents.send(new DeleteCommand({ TableName: ledgerTableName(), Key: { pk: line.pk, sk: line.sk } }));
      const sccBefore = await scanAll<SccEvent>(documents, SCC_EVENTS_TABLE);

      // Only scrub gets the replay: the archive still holds the original event this simulation pretends was
      // never sent, and the ledger must hear of the fact from scrub's new emission, as after a real crash.
      const out = captureIo();
      const argv = ['--from', started.toISOString(), '--consumer', 'scrub', '--json', '--settle', '2s'];
      expect(await runReplay(argv, { io: out.io, settled: () => stack.eventBridge.idle() })).toBe(0);
      expect(out.json<ReplaySummary>().consumers).toEqual([
        { consumer: 'scrub', delivered: BOOKINGS, acted: 1, emittedOnly: 0, skipped: BOOKINGS - 1 },
      ]);
      const status = captureIo();
      expect(await runStatus([broken, '--json'], status.io)).toBe(0);
      expect(status.json<BookingStatus>().state).toBe('complete');
      // The scrub found the notes already clean: the SCC notes were not written again.
      expect(await scanAll<SccEvent>(documents, SCC_EVENTS_TABLE)).toEqual(sccBefore);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'replay --consumer booking-ledger rebuilds a wiped ledger and invokes no other consumer',
    async () => {
      const ledgerTable = ledgerTableName();
      const items = await scanAll<{ pk: string; sk: string }>(documents, ledgerTable);
      // Every booking's five lines (they carry its place in `recent`: there is no summary item besides).
      expect(items.length).toBeGreaterThanOrEqual(BOOKINGS * 5);
      for (let i = 0; i < items.length; i += 25) {
        await documents.send(
          new BatchWriteCommand({
            RequestItems: {
              [ledgerTable]: items.slice(i, i + 25).map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } })),
            },
          }),
        );
      }
      expect(await statuses()).toEqual([]);

      invocations.clear();
      const dryRun = captureIo();
      expect(await runReplay(['--all', '--consumer', 'booking-ledger', '--dry-run', '--json'], { io: dryRun.io })).toBe(
        0,
      );
      // The dry run counts from the ledger, which is empty now: it says so rather than guessing.
      expect(dryRun.json<ReplaySummary>()).toMatchObject({ dryRun: true, eventsReplayed: 0 });

      const out = captureIo();
      expect(
        await runReplay(['--all', '--consumer', 'booking-ledger', '--json', '--settle', '2s'], {
          io: out.io,
          settled: () => stack.eventBridge.idle(),
        }),
      ).toBe(0);
      await stack.eventBridge.idle();
      const summary = out.json<ReplaySummary>();
      expect(summary).toMatchObject({ state: 'COMPLETED', consumer: 'booking-ledger', eventsReplayed: BOOKINGS * 5 });
      expect(summary.consumers).toEqual([
        { consumer: 'booking-ledger', delivered: BOOKINGS * 5, acted: BOOKINGS * 5, emittedOnly: 0, skipped: 0 },
      ]);

      expect(invoked('booking-ledger')).toBeGreaterThanOrEqual(BOOKINGS * 5);
      for (const consumer of ['calendar', 'crew', 'scrub', 'guest-page']) expect(invoked(consumer)).toBe(0);
      const list = await statuses();
      expect(list).toHaveLength(BOOKINGS);
      expect(list.filter((s) => s.state === 'complete')).toHaveLength(BOOKINGS);
    },
    TEST_TIMEOUT_MS,
  );
});
