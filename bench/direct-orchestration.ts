import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { calendarEntryRequest } from '../services/calendar/calendar-entry';
import type { JadaCalendarApi } from '../services/calendar/jada-calendar-api';
import { crewEventRequest } from '../services/crew/crew-event';
import type { SccApi } from '../services/crew/scc-api';
import { copyBoatPhoto, publishGuestPage, type GuestSiteConfig } from '../services/guest-page/publish';
import { renderGuestPage } from '../services/guest-page/render';
import { scrubCrewEvent } from '../services/scrub/scrub-crew-event';
import type { BookingSnapshot } from '../shared/contract/events';
import type { BookingDetails } from '../shared/contract/booking-details';
import type { Logger } from '../shared/logger';

export interface DirectDeps {
  jada: JadaCalendarApi;
  scc: SccApi;
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  cloudFront: CloudFrontClient;
  site: () => Promise<GuestSiteConfig>;
  logger: Logger;
}

/**
 * The seed post's "before", as the baseline of the bench: one function making the same downstream calls in
 * sequence, with the services' own domain functions and clients, and no bus, no step records, no events.
 * What the choreography costs on top of this is its overhead.
 */
export async function directOrchestration(
  booking: BookingSnapshot,
  details: BookingDetails,
  deps: DirectDeps,
): Promise<{ url: string }> {
  const call = (step: string) => ({
    idempotencyKey: `${booking.bookingId}:r${booking.revision}:direct-${step}`,
    bookingId: booking.bookingId,
    logger: deps.logger,
  });
  const entry = await deps.jada.createEntry(calendarEntryRequest(booking), call('calendar'));
  const crewEvent = await deps.scc.createEvent(crewEventRequest(booking, details, entry.entryId), call('crew'));
  await scrubCrewEvent(
    deps.documents,
    { bookingId: booking.bookingId, sccEventId: crewEvent.eventId },
    { logger: deps.logger },
  );
  const site = await deps.site();
  const photoPath = await copyBoatPhoto(deps.s3, booking.boat.listingId, site, {
    cloudFront: deps.cloudFront,
    logger: deps.logger,
  });
  const html = renderGuestPage(booking, { photoPath });
  const publication = await publishGuestPage(booking.bookingId, html, {
    s3: deps.s3,
    cloudFront: deps.cloudFront,
    site,
    logger: deps.logger,
  });
  return { url: publication.url };
}
