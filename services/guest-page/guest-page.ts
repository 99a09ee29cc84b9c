import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BookingSnapshot, FieldChange } from '../../shared/contract/events';
import { followUpMetadata } from '../../shared/contract/metadata';
import type { ConsumedEvent } from '../../shared/consumer';
import type { Logger } from '../../shared/logger';
import type { Publisher } from '../../shared/publisher';
import { applyLatest } from '../../shared/lifecycle';
import type { Change, RevisionLedger } from '../../shared/revisions';
import { contentHash, copyBoatPhoto, publishGuestPage, type GuestSiteConfig } from './publish';
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
  baseUrl?: string;
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
 * Keeps the booking's public guest page at the latest revision: the first active revision publishes it, a
 * newer one re-publishes (and invalidates) only if the page changed, a cancellation replaces it with a short
 * "this charter was cancelled" page. A revision at or below the applied one writes nothing.
 */
export function applyToGuestPage(event: CrewEvent, deps: GuestPageDeps) {
  return applyLatest<GuestPageHeld>(deps, event.detail.data.booking, {
    consumer: 'guest-page',
    live: 'published',
    cancels: event.detailType === 'CrewEventCancelled',
    replayed: event.replayName !== undefined,
    keep: (live, held) => keep(event, live, held, deps),
    cancel: (live) => withdraw(event, live, deps),
  });
}

async function withdraw(event: CrewEvent, held: GuestPageHeld, deps: GuestPageDeps): Promise<Change<GuestPageHeld>> {
  const { booking } = event.detail.data;
  const html = renderWithdrawnPage(booking);
  const publication = await put(booking.bookingId, html, held, deps);
  return {
    held: {
      ...held,
      status: 'withdrawn',
      url: publication.url,
      etag: publication.etag,
      contentSha256: publication.contentSha256,
    },
    emit: () =>
      deps.publisher.publishOne('GuestPageWithdrawn', {
        metadata: followUpMetadata(event, 'GuestPageWithdrawn'),
        data: { booking, url: publication.url, etag: publication.etag },
      }),
  };
}

async function keep(
  event: CrewEvent,
  live: GuestPageHeld | undefined,
  held: GuestPageHeld | undefined,
  deps: GuestPageDeps,
): Promise<Change<GuestPageHeld>> {
  const { booking } = event.detail.data;
  const site = await deps.site();
  const photoPath =
    live && live.listingId === booking.boat.listingId
      ? live.photoPath
      : await copyBoatPhoto(deps.s3, booking.boat.listingId, site, {
          legacyBucket: deps.legacyBucket,
          cloudFront: deps.cloudFront,
          logger: deps.logger,
        });
  const html = renderGuestPage(booking, { photoPath });
  const facts = guestFacts(booking);

  let publication: { url: string; etag: string; contentSha256: string };
  if (live && live.contentSha256 === contentHash(html)) {
    deps.logger.info('the page did not change; nothing written', { revision: booking.revision });
    publication = live;
  } else {
    publication = await put(booking.bookingId, html, held, deps, site);
  }
  const next: GuestPageHeld = {
    status: 'published',
    url: publication.url,
    etag: publication.etag,
    contentSha256: publication.contentSha256,
    facts,
    listingId: booking.boat.listingId,
    ...(photoPath ? { photoPath } : {}),
  };
  if (!live) {
    return {
      held: next,
      emit: () =>
        deps.publisher.publishOne('GuestPagePublished', {
          metadata: followUpMetadata(event, 'GuestPagePublished'),
          data: { booking, url: publication.url, etag: publication.etag },
        }),
    };
  }
  const changes = guestChanges(live.facts, facts);
  return {
    held: next,
    emit: () =>
      deps.publisher.publishOne('GuestPageUpdated', {
        metadata: followUpMetadata(event, 'GuestPageUpdated'),
        data: { booking, url: publication.url, etag: publication.etag, changes },
      }),
  };
}

async function put(
  bookingId: string,
  html: string,
  held: GuestPageHeld | undefined,
  deps: GuestPageDeps,
  site?: GuestSiteConfig,
) {
  return publishGuestPage(bookingId, html, {
    s3: deps.s3,
    cloudFront: deps.cloudFront,
    site: site ?? (await deps.site()),
    baseUrl: deps.baseUrl,
    logger: deps.logger,
    // Content this booking's page already showed, published and invalidated by an applied revision.
    invalidatedBefore: async (hash) => held?.contentSha256 === hash,
  });
}
