import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { applyToGuestPage, type CrewEvent, type GuestPageDeps } from '../../../services/guest-page/guest-page';
import { pageKey } from '../../../services/guest-page/publish';
import { documentClient, eventBridgeClient } from '../../../shared/aws';
import { createLogger } from '../../../shared/logger';
import { Publisher } from '../../../shared/publisher';
import { RevisionLedger } from '../../../shared/revisions';
import { bookingSnapshot } from '../../../samples';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from '../calendar/support';
import { atEveryBoundary, Crashes, RecordsAfterActing, sameCopies } from '../crashes';
import { crewEventCreated, crewEventUpdated, DISTRIBUTION_ID, GUEST_SITE_BUCKET, guestSiteClients } from './support';

/**
 * The guest page crashed between every two of its steps (before and after each DynamoDB, S3, CloudFront and
 * EventBridge call), then the event delivered again, or a newer revision instead: the page is published once
 * and then updated (never published anew, which would send the renter a second first mail), it shows the
 * latest revision, and every event emitted twice is the same.
 */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
const crashes = new Crashes();
let deps: GuestPageDeps;
let revisions: RevisionLedger;
let s3: S3Client;
let cloudFront: CloudFrontClient;

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack([]);
  ({ s3, cloudFront } = guestSiteClients(env.stack.endpoints.aws));
  revisions = new RevisionLedger(crashes.watch(documentClient()));
  deps = {
    s3: crashes.watch(s3),
    cloudFront: crashes.watch(cloudFront),
    revisions,
    publisher: new Publisher(crashes.watch(eventBridgeClient())),
    site: () => Promise.resolve({ bucket: GUEST_SITE_BUCKET, distributionId: DISTRIBUTION_ID }),
    logger: createLogger('guest-page'),
  };
});
afterAll(async () => {
  s3?.destroy();
  cloudFront?.destroy();
  await env?.stop();
  logs?.restore();
});

/** Revision n of a booking as crew states it: each revision a trip an hour longer. */
function crewEvent(bookingId: string, revision: number): CrewEvent {
  const booking = { bookingId, revision, trip: { ...bookingSnapshot().trip, durationHours: 2 + revision } };
  const detailType = revision === 1 ? 'CrewEventCreated' : 'CrewEventUpdated';
  return {
    id: `evt_${bookingId}_r${revision}`,
    detailType,
    source: 'charterflow.crew',
    time: new Date().toISOString(),
    detail: revision === 1 ? crewEventCreated(booking) : crewEventUpdated(booking),
  } as CrewEvent;
}

const crashedRun = (event: CrewEvent, ledger = revisions) =>
  applyToGuestPage(event, { ...deps, revisions: ledger, until: Date.now() + 300 });
const retry = (event: CrewEvent, ledger = revisions) =>
  applyToGuestPage(event, { ...deps, revisions: ledger, until: Date.now() + 20_000 });

const keysOf = (bookingId: string, detailType: string) =>
  new Set(crashes.emittedOf(bookingId, detailType).map((e) => e.detail.metadata.idempotencyKey));

async function expectConverged(bookingId: string, revision: number, point: string) {
  const record = await revisions.get<{ contentSha256: string; facts: Record<string, string> }>(bookingId, 'guest-page');
  expect(record, `guest-page's record after a crash ${point}`).toMatchObject({ revision });
  expect(record!.held!.facts.duration, `the page's trip after a crash ${point}`).toBe(`${2 + revision} hours`);
  const page = await s3.send(new HeadObjectCommand({ Bucket: GUEST_SITE_BUCKET, Key: pageKey(bookingId) }));
  expect(page.Metadata?.['content-sha256'], `the page on the site after a crash ${point}`).toBe(
    record!.held!.contentSha256,
  );
  expect(await revisions.pendingOf(bookingId, 'guest-page')).toBeUndefined();
  expect(sameCopies(crashes.emitted, bookingId), `events emitted twice after a crash ${point}`).toEqual([]);
  expect(keysOf(bookingId, 'GuestPagePublished').size, `pages published after a crash ${point}`).toBe(1);
}

describe('the guest page, crashed at every step', { timeout: 240_000 }, () => {
  it('delivered again, publishes the page once, with the same GuestPagePublished', async () => {
    const ids = new Map<number, string>();
    const idOf = (k: number) => ids.get(k) ?? ids.set(k, uniqueBookingId('A')).get(k)!;
    const points = await atEveryBoundary(
      crashes,
      (k) => crashedRun(crewEvent(idOf(k), 1)),
      async (k, point) => {
        await retry(crewEvent(idOf(k), 1));
        await expectConverged(idOf(k), 1, point);
      },
    );
    expect(points).toContain('after PutObjectCommand');
  });

  it('with a newer revision instead: the page published once is updated, not published anew', async () => {
    const ids = new Map<number, string>();
    const idOf = (k: number) => ids.get(k) ?? ids.set(k, uniqueBookingId('N')).get(k)!;
    await atEveryBoundary(
      crashes,
      (k) => crashedRun(crewEvent(idOf(k), 1)),
      async (k, point) => {
        await retry(crewEvent(idOf(k), 2));
        await expectConverged(idOf(k), 2, point);
        // Revision 1's decision was recorded (finished, then updated by 2) or never was (2 publishes).
        const published = [...keysOf(idOf(k), 'GuestPagePublished')];
        if (published[0]!.includes(':r1:')) expect(keysOf(idOf(k), 'GuestPageUpdated').size).toBe(1);
      },
    );
  });

  it('has teeth: recording after acting publishes the page a second time after some crash', async () => {
    const wrong = new RecordsAfterActing(crashes.watch(documentClient()));
    const ids = new Map<number, string>();
    const idOf = (k: number) => ids.get(k) ?? ids.set(k, uniqueBookingId('T')).get(k)!;
    const republished: string[] = [];
    await atEveryBoundary(
      crashes,
      (k) => crashedRun(crewEvent(idOf(k), 1), wrong),
      async (k, point) => {
        await retry(crewEvent(idOf(k), 2), wrong);
        if (keysOf(idOf(k), 'GuestPagePublished').size > 1) republished.push(point);
      },
    );
    expect(republished).toContain('after PutEventsCommand');
  });
});
