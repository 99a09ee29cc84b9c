import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConsumedEvent } from '../../shared/consumer';
import { bookingsTable } from '../../shared/config';
import { followUpMetadata } from '../../shared/contract/metadata';
import type { Logger } from '../../shared/logger';
import type { Publisher } from '../../shared/publisher';
import type { BookingSteps } from '../../shared/steps';
import { bookingKey } from '../../shared/tables';
import { copyBoatPhoto, publishGuestPage, type GuestSiteConfig, type Publication } from './publish';
import { renderGuestPage } from './render';

export interface GuestPageDeps {
  s3: S3Client;
  cloudFront: CloudFrontClient;
  documents: DynamoDBDocumentClient;
  steps: BookingSteps;
  publisher: Publisher;
  site: () => Promise<GuestSiteConfig>;
  logger: Logger;
  legacyBucket?: string;
  baseUrl?: string;
}

const STEP = 'guest-page';

/**
 * On CrewEventCreated: render the booking's guest page, put it (and the boat photo it shows) on the guest
 * site, invalidate CloudFront, then announce GuestPagePublished, once per booking revision. A redelivery or
 * replay of a finished revision does nothing; an unfinished one completes without writing twice.
 */
export async function publishGuestPageFor(event: ConsumedEvent<'CrewEventCreated'>, deps: GuestPageDeps): Promise<void> {
  const { data } = event.detail;
  const { booking } = data;
  await deps.steps.runOnce<Publication>(
    { bookingId: booking.bookingId, step: STEP, revision: booking.revision },
    async () => {
      const site = await deps.site();
      const photoPath = await copyBoatPhoto(deps.s3, booking.boat.listingId, site, {
        legacyBucket: deps.legacyBucket,
        cloudFront: deps.cloudFront,
        logger: deps.logger,
      });
      const html = renderGuestPage(booking, { photoPath });
      return publishGuestPage(booking.bookingId, html, {
        s3: deps.s3,
        cloudFront: deps.cloudFront,
        site,
        baseUrl: deps.baseUrl,
        logger: deps.logger,
        invalidatedBefore: (hash) => publishedBefore(deps.documents, booking.bookingId, hash),
      });
    },
    (publication) =>
      deps.publisher.publishOne('GuestPagePublished', {
        metadata: followUpMetadata(event, 'GuestPagePublished'),
        data: { booking, url: publication.url, etag: publication.etag },
      }),
    deps.logger,
  );
}

/** Whether a finished publication of this booking (any revision) already put and invalidated this content. */
async function publishedBefore(documents: DynamoDBDocumentClient, bookingId: string, hash: string): Promise<boolean> {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: bookingsTable(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :step)',
      ExpressionAttributeValues: { ':pk': bookingKey(bookingId), ':step': `STEP#${STEP}#` },
      ConsistentRead: true,
    }),
  );
  return Items.some((item) => (item.result as Publication | undefined)?.contentSha256 === hash);
}
