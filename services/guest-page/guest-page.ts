import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BookingSnapshot, FieldChange } from '../../shared/contract/events';
import type { ConsumedEvent } from '../../shared/consumer';
import type { Logger } from '../../shared/logger';
import type { Publisher } from '../../shared/publisher';
import { applyLatest, followUpOf, recordedCause, type RecordedCause } from '../../shared/lifecycle';
import type { Decision, Performed, RevisionLedger } from '../../shared/revisions';
import { contentHash, copyBoatPhoto, publishGuestPage, type GuestSiteConfig, type PhotosInStep } from './publish';
import { firstWord, renderGuestPage } from './render';
import { tripTime } from './trip-time';
import { renderWithdrawnPage } from './withdrawn';

export interface GuestPageDeps {
  s3: S3Client;
  cloudFront: CloudFrontClient;
  revisions: RevisionLedger;
  publisher: Publisher;
  site: () => Promise<GuestSiteConfig>;
  logger: Logger;
  legacyBucket?: string;
  /** Boat photo copies this execution environment saw in step: not looked at again for the next booking. */
  photosInStep?: PhotosInStep;
  baseUrl?: string;
  /** Epoch ms when the invocation ends: the lease on the booking ends then. */
  until?: number;
}

/** What the guest site holds for a booking, as guest-page last left it. */
export interface GuestPageHeld {
  status: 'published' | 'withdrawn';
  url: string;
  etag: string;
  contentSha256: string;
  /** What the page tells the guest, in the page's words: the "before" of the next change. */
  facts: Record<string, string>;
  listingId: string;
  photoPath?: string;
}

/** The facts the page tells the guest, as the page words them; a change to one is worth telling the guest. */
export function guestFacts(booking: BookingSnapshot): Record<string, string> {
  const when = tripTime(booking.trip.start, booking.trip.durationHours);
  const { departure } = booking.trip;
  return {
    date: when.date,
    time: `${when.start} – ${when.end} ${when.zone}`,
    duration: when.duration,
    'meeting point': `${departure.name}, ${departure.address}`,
    boat: booking.boat.name,
    captain: booking.captain ? firstWord(booking.captain.name) : 'To be confirmed',
    party: `${booking.partySize} ${booking.partySize === 1 ? 'guest' : 'guests'}`,
  };
}

export function guestChanges(before: Record<string, string>, after: Record<string, string>): FieldChange[] {
  return Object.keys(after)
    .filter((field) => before[field] !== after[field])
    .map((field) => ({ field, before: before[field] ?? '', after: after[field]! }));
}

export type CrewEvent = ConsumedEvent<'CrewEventCreated' | 'CrewEventUpdated' | 'CrewEventCancelled'>;

/**
 * What guest-page decided for a revision, recorded before the page is written: which page (made again from the
 * recorded booking, the same bytes), whether it is a first page, an update or the withdrawn page, and what the
 * guest is told changed. A decision finished after a crash updates the page it published, never publishes anew.
 */
export interface GuestPagePlan {
  cause: RecordedCause;
  kind: 'publish' | 'update' | 'withdraw';
  /** The page's content hash as decided; false `write`: the site holds it already, nothing is written. */
  contentSha256: string;
  write: boolean;
  photoPath?: string;
  /** The page as held before (none for a first page). */
  before?: GuestPageHeld;
  changes: FieldChange[];
}

/**
 * Keeps the booking's public guest page at the latest revision: the first active revision publishes it, a
 * newer one re-publishes (and invalidates) only if the page changed, a cancellation replaces it with a short
 * "this charter was cancelled" page. A revision at or below the applied one writes nothing.
 */
export function applyToGuestPage(event: CrewEvent, deps: GuestPageDeps) {
  // The page rendered while deciding, kept for carrying the decision out in the same invocation.
  const rendered = new Map<string, string>();
  return applyLatest<GuestPageHeld, GuestPagePlan>(deps, event.detail.data.booking, {
    consumer: 'guest-page',
    live: 'published',
    cancels: event.detailType === 'CrewEventCancelled',
    replayed: event.replayName !== undefined,
    until: deps.until,
    keep: (live) => decideKeep(event, live, deps, rendered),
    cancel: (live) => Promise.resolve(decideWithdraw(event, live, rendered)),
    perform: (plan) => performGuestPagePlan(plan, deps, rendered),
  });
}

function pageOf(plan: Pick<GuestPagePlan, 'cause' | 'kind' | 'photoPath'>): string {
  const { booking } = plan.cause.detail.data;
  return plan.kind === 'withdraw'
    ? renderWithdrawnPage(booking)
    : renderGuestPage(booking, { photoPath: plan.photoPath });
}

function decideWithdraw(
  event: CrewEvent,
  held: GuestPageHeld,
  rendered: Map<string, string>,
): Decision<GuestPageHeld, GuestPagePlan> {
  const plan = { cause: recordedCause(event), kind: 'withdraw' as const, before: held, changes: [] };
  const html = pageOf(plan);
  const contentSha256 = contentHash(html);
  rendered.set(contentSha256, html);
  return { plan: { ...plan, contentSha256, write: true } };
}

async function decideKeep(
  event: CrewEvent,
  live: GuestPageHeld | undefined,
  deps: GuestPageDeps,
  rendered: Map<string, string>,
): Promise<Decision<GuestPageHeld, GuestPagePlan>> {
  const { booking } = event.detail.data;
  // The photo copy is done while deciding, because the page depends on whether there is one; it is keyed by
  // the source's ETag, so doing it again after a crash writes nothing.
  const photoPath =
    live && live.listingId === booking.boat.listingId
      ? live.photoPath
      : await copyBoatPhoto(deps.s3, booking.boat.listingId, await deps.site(), {
          legacyBucket: deps.legacyBucket,
          cloudFront: deps.cloudFront,
          inStep: deps.photosInStep,
          logger: deps.logger,
        });
  const cause = recordedCause(event);
  const kind = live ? ('update' as const) : ('publish' as const);
  const html = pageOf({ cause, kind, photoPath });
  const contentSha256 = contentHash(html);
  rendered.set(contentSha256, html);
  const write = live?.contentSha256 !== contentSha256;
  if (!write) deps.logger.info('the page did not change; nothing written', { revision: booking.revision });
  return {
    plan: {
      cause,
      kind,
      contentSha256,
      write,
      ...(photoPath ? { photoPath } : {}),
      ...(live ? { before: live } : {}),
      changes: live ? guestChanges(live.facts, guestFacts(booking)) : [],
    },
  };
}

/** Carries out a recorded guest-page decision; again after a crash: the same page, the same event. */
export async function performGuestPagePlan(
  plan: GuestPagePlan,
  deps: GuestPageDeps,
  rendered = new Map<string, string>(),
): Promise<Performed<GuestPageHeld>> {
  const { cause, before } = plan;
  const { booking } = cause.detail.data;
  const publication = plan.write || !before ? await put(booking.bookingId, plan, before, deps, rendered) : before;
  const page = { url: publication.url, etag: publication.etag, contentSha256: publication.contentSha256 };

  if (plan.kind === 'withdraw') {
    const emittedEventId = await deps.publisher.publishOne('GuestPageWithdrawn', {
      metadata: followUpOf(cause, 'GuestPageWithdrawn'),
      data: { booking, url: page.url, etag: page.etag },
    });
    return { held: { ...before!, status: 'withdrawn', ...page }, emittedEventId };
  }
  const held: GuestPageHeld = {
    status: 'published',
    ...page,
    facts: guestFacts(booking),
    listingId: booking.boat.listingId,
    ...(plan.photoPath ? { photoPath: plan.photoPath } : {}),
  };
  const emittedEventId =
    plan.kind === 'publish'
      ? await deps.publisher.publishOne('GuestPagePublished', {
          metadata: followUpOf(cause, 'GuestPagePublished'),
          data: { booking, url: page.url, etag: page.etag },
        })
      : await deps.publisher.publishOne('GuestPageUpdated', {
          metadata: followUpOf(cause, 'GuestPageUpdated'),
          data: { booking, url: page.url, etag: page.etag, changes: plan.changes },
        });
  return { held, emittedEventId };
}

async function put(
  bookingId: string,
  plan: GuestPagePlan,
  held: GuestPageHeld | undefined,
  deps: GuestPageDeps,
  rendered: Map<string, string>,
) {
  // Rendered here: decided in this invocation, so the site holds what the record says, which differs from this
  // page. A decision finished after a crash was rendered by no one here: its write may have landed, so look.
  const decidedNow = rendered.get(plan.contentSha256);
  return publishGuestPage(bookingId, decidedNow ?? pageOf(plan), {
    s3: deps.s3,
    cloudFront: deps.cloudFront,
    site: await deps.site(),
    baseUrl: deps.baseUrl,
    logger: deps.logger,
    // Content this booking's page already showed, published and invalidated by an applied revision.
    invalidatedBefore: async (hash) => held?.contentSha256 === hash,
    knownToDiffer: decidedNow !== undefined && held?.contentSha256 !== plan.contentSha256,
  });
}
