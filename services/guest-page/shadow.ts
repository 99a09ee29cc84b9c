import { CreateInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { gatedSends, type ShadowRecords } from '../../shared/shadow';
import { guestSiteFromEnvironment } from './publish';

const S3_WRITES = {
  PutObject: PutObjectCommand,
  CopyObject: CopyObjectCommand,
  DeleteObject: DeleteObjectCommand,
  DeleteObjects: DeleteObjectsCommand,
};

/**
 * The public guest site behind the shadow gate: while it is shut, a write to the guest-site bucket is kept
 * back and recorded (the key and a digest of the page: the page names the renter), and answers as S3 would;
 * reads, and the legacy bucket, go through.
 */
export function gatedGuestSite(s3: S3Client, shadow: ShadowRecords): S3Client {
  return gatedSends(s3, shadow, S3_WRITES, (operation, command) => {
    const input = command.input as { Bucket?: string; Key?: string; Body?: unknown };
    if (operation === undefined || input.Bucket !== guestSiteFromEnvironment().bucket) {
      return { pass: true };
    }
    return {
      pass: false,
      record: { target: `s3://${input.Bucket}/${input.Key ?? ''}`, request: input, digestOnly: true },
      answer: { ETag: '"shadow"' },
    };
  });
}

/** The guest-site distribution behind the shadow gate: an invalidation is kept back and recorded. */
export function gatedInvalidations(cloudFront: CloudFrontClient, shadow: ShadowRecords): CloudFrontClient {
  return gatedSends(cloudFront, shadow, { CreateInvalidation: CreateInvalidationCommand }, (operation, command) => {
    if (operation !== 'CreateInvalidation') return { pass: true };
    const input = command.input as { DistributionId?: string; InvalidationBatch?: { CallerReference?: string } };
    return {
      pass: false,
      record: { target: `cloudfront:${input.DistributionId ?? ''}`, request: input },
      answer: { Invalidation: { Id: `shadow-${input.InvalidationBatch?.CallerReference ?? ''}`, Status: 'Completed' } },
    };
  });
}
