import { CloudFrontClient, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { SCHEMA_VERSION, type BookingSnapshot, type EventDetail } from '../../../shared/contract/events';
import { region } from '../../../shared/config';
import { bookingSnapshot, eventMetadata } from '../../../samples';

export const DISTRIBUTION_ID = 'E1CHARTERFLOWLOCAL';
export const GUEST_SITE_BUCKET = 'queenofsandiego.com';

export function guestSiteClients(awsEndpoint: string) {
  const config = { region: region(), endpoint: awsEndpoint };
  return {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    cloudFront: new CloudFrontClient(config),
  };
}

/** A CrewEventCreated detail for a booking, as the crew consumer emits it. */
export function crewEventCreated(
  booking: Partial<BookingSnapshot> & { bookingId: string },
): EventDetail<'CrewEventCreated'> {
  return crewEvent('CrewEventCreated', booking, {});
}

/** A newer revision of the crew event, as crew states it after an update. */
export function crewEventUpdated(
  booking: Partial<BookingSnapshot> & { bookingId: string },
): EventDetail<'CrewEventUpdated'> {
  return crewEvent('CrewEventUpdated', booking, { changed: ['partySize'], crewNotified: true });
}

export function crewEventCancelled(
  booking: Partial<BookingSnapshot> & { bookingId: string },
): EventDetail<'CrewEventCancelled'> {
  return crewEvent('CrewEventCancelled', { status: 'cancelled', ...booking }, {});
}

function crewEvent<T extends 'CrewEventCreated' | 'CrewEventUpdated' | 'CrewEventCancelled'>(
  detailType: T,
  booking: Partial<BookingSnapshot> & { bookingId: string },
  extra: Record<string, unknown>,
): EventDetail<T> {
  const snapshot = bookingSnapshot(booking);
  return {
    metadata: eventMetadata({
      bookingId: snapshot.bookingId,
      correlationId: `msg_${snapshot.bookingId}`,
      causationId: `evt_${snapshot.bookingId}_calendar`,
      schemaVersion: SCHEMA_VERSION,
      idempotencyKey: `${snapshot.bookingId}:r${snapshot.revision}:${detailType}`,
    }),
    data: {
      booking: snapshot,
      calendarEntryId: `cal_${snapshot.bookingId}`,
      sccEventId: `scc_${snapshot.bookingId}`,
      ...extra,
    },
  } as EventDetail<T>;
}

/** The invalidations of the guest site that name this booking's page, with their paths (ListInvalidations). */
export const invalidationsOf = (cloudFront: CloudFrontClient, bookingId: string) =>
  invalidationsFor(cloudFront, `/g/${bookingId}`);

/** The invalidations of the guest site with a path starting with `pathPrefix`. */
export async function invalidationsFor(cloudFront: CloudFrontClient, pathPrefix: string) {
  const { InvalidationList } = await cloudFront.send(
    new ListInvalidationsCommand({ DistributionId: DISTRIBUTION_ID, MaxItems: 1000 }),
  );
  const found: { id: string; paths: string[] }[] = [];
  for (const summary of InvalidationList?.Items ?? []) {
    const { Invalidation } = await cloudFront.send(
      new GetInvalidationCommand({ DistributionId: DISTRIBUTION_ID, Id: summary.Id! }),
    );
    const paths = Invalidation?.InvalidationBatch?.Paths?.Items ?? [];
    if (paths.some((p) => p.startsWith(pathPrefix))) found.push({ id: summary.Id!, paths });
  }
  return found;
}
