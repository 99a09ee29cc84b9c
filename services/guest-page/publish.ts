import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import * as z from 'zod/mini';
import { parseOrThrow } from '../../shared/contract/validate';
import type { Logger } from '../../shared/logger';
import { sitePath } from './html';

/** The guest-site bucket and the CloudFront distribution in front of it. */
export const GuestSiteConfig = z.object({
  distributionId: z.string().check(z.minLength(1)),
  bucket: z.string().check(z.minLength(1)),
});
export type GuestSiteConfig = z.infer<typeof GuestSiteConfig>;

/**
 * The guest site as the deploy names it (parameters guestSiteBucket and guestSiteDistributionId), from the
 * function's environment: the one place it is given, the same the function's role is scoped to.
 */
export const guestSiteFromEnvironment = (env: NodeJS.ProcessEnv = process.env) =>
  parseOrThrow(
    GuestSiteConfig,
    { distributionId: env.GUEST_SITE_DISTRIBUTION_ID, bucket: env.GUEST_SITE_BUCKET },
    'guest site in GUEST_SITE_DISTRIBUTION_ID and GUEST_SITE_BUCKET',
  );

/** The Sail JADA bucket the boat photos still live in (deprecated: we copy from it, never link to it). */
export const legacyBucket = () => process.env.CHARTERFLOW_LEGACY_BUCKET ?? 'sailjada.com';

/** Where guests reach the site; locally the stack points it at its guest site. */
export const guestSiteBaseUrl = () =>
  (process.env.GUEST_SITE_BASE_URL ?? 'https://queenofsandiego.com').replace(/\/+$/, '');

/**
 * Browsers keep the page a minute (they cannot be invalidated, and a changed trip must reach the guest soon);
 * CloudFront keeps it a day, because every change is followed by an invalidation.
 */
export const PAGE_CACHE_CONTROL = 'public, max-age=60, s-maxage=86400';
/** A boat photo changes rarely, and a change is copied under the same key with an invalidation-free TTL. */
export const PHOTO_CACHE_CONTROL = 'public, max-age=3600, s-maxage=86400';
export const PAGE_CONTENT_TYPE = 'text/html; charset=utf-8';

/** Object metadata (x-amz-meta-*) that lets a re-publish tell identical content without downloading it. */
const CONTENT_HASH_KEY = 'content-sha256';
const SOURCE_ETAG_KEY = 'source-etag';

export const pageKey = (bookingId: string) => `g/${bookingId}.html`;
export const pagePaths = (bookingId: string) => [`/g/${bookingId}.html`, `/g/${bookingId}`];
export const contentHash = (html: string) => createHash('sha256').update(html, 'utf8').digest('hex');
/** Same booking, same content: the same CallerReference, so a retried invalidation is not a second one. */
export const invalidationReference = (bookingId: string, hash: string) =>
  `guest-page-${bookingId}-${hash.slice(0, 32)}`;

export interface Publication {
  url: string;
  /** The S3 ETag of the page object, without quotes. */
  etag: string;
  contentSha256: string;
  /** False when the bucket already held this very page: nothing was written. */
  written: boolean;
  invalidationId?: string;
}

export interface PublishDeps {
  s3: S3Client;
  cloudFront: CloudFrontClient;
  site: GuestSiteConfig;
  baseUrl?: string;
  logger?: Logger;
  /**
   * Whether an earlier, finished publication already invalidated this content. An identical page whose
   * publication never finished (a crash between PutObject and CreateInvalidation) is invalidated now.
   */
  invalidatedBefore?: (contentSha256: string) => Promise<boolean>;
  /**
   * The caller knows the bucket does not hold this content (its record of the page says otherwise, and nothing
   * wrote since): no HeadObject to learn it. Unset after a crash, when an unfinished write may have landed.
   */
  knownToDiffer?: boolean;
}

export async function publishGuestPage(bookingId: string, html: string, deps: PublishDeps): Promise<Publication> {
  const { s3, site } = deps;
  const key = pageKey(bookingId);
  const hash = contentHash(html);
  const url = `${deps.baseUrl ?? guestSiteBaseUrl()}/g/${bookingId}`;

  const existing = deps.knownToDiffer ? undefined : await headOrNothing(s3, site.bucket, key);
  if (existing?.Metadata?.[CONTENT_HASH_KEY] === hash && existing.ETag) {
    const invalidated = (await deps.invalidatedBefore?.(hash)) ?? true;
    const invalidationId = invalidated ? undefined : await invalidate(deps.cloudFront, site, bookingId, hash);
    deps.logger?.info('guest page unchanged; nothing written', { key, invalidationId });
    return { url, etag: unquote(existing.ETag), contentSha256: hash, written: false, invalidationId };
  }

  const put = await s3.send(
    new PutObjectCommand({
      Bucket: site.bucket,
      Key: key,
      Body: html,
      ContentType: PAGE_CONTENT_TYPE,
      CacheControl: PAGE_CACHE_CONTROL,
      Metadata: { [CONTENT_HASH_KEY]: hash },
    }),
  );
  const invalidationId = await invalidate(deps.cloudFront, site, bookingId, hash);
  deps.logger?.info('guest page published', { key, invalidationId });
  return { url, etag: unquote(put.ETag ?? ''), contentSha256: hash, written: true, invalidationId };
}

const invalidate = (cloudFront: CloudFrontClient, site: GuestSiteConfig, bookingId: string, hash: string) =>
  invalidatePaths(cloudFront, site, invalidationReference(bookingId, hash), pagePaths(bookingId));

async function invalidatePaths(
  cloudFront: CloudFrontClient,
  site: GuestSiteConfig,
  reference: string,
  paths: string[],
) {
  const result = await cloudFront.send(
    new CreateInvalidationCommand({
      DistributionId: site.distributionId,
      InvalidationBatch: { CallerReference: reference, Paths: { Quantity: paths.length, Items: paths } },
    }),
  );
  return result.Invalidation?.Id;
}

/**
 * The boat photos this execution environment saw in step: by site copy, the legacy photo's ETag the copy was
 * made from, as a HeadObject of the copy showed it or our own CopyObject wrote it. The guest-site bucket is
 * ours and nothing deletes a photo copy, so a copy once in step stays so until the legacy photo changes, and
 * that is still asked of the legacy bucket (not ours) every time: the copy need not be looked at again.
 */
export class PhotosInStep {
  private readonly sourceEtags = new Map<string, string>();
  constructor(private readonly limit = 1000) {}
  sourceEtagOf(copy: string): string | undefined {
    return this.sourceEtags.get(copy);
  }
  inStep(copy: string, sourceEtag: string): void {
    // A few boats in practice; the bound only keeps a long-lived environment from growing without end.
    if (this.sourceEtags.size >= this.limit && !this.sourceEtags.has(copy)) this.sourceEtags.clear();
    this.sourceEtags.set(copy, sourceEtag);
  }
  forget(copy: string): void {
    this.sourceEtags.delete(copy);
  }
}

/**
 * Copies the boat's photo from the legacy bucket into the guest-site bucket, under the same key, when it is
 * missing there or the source changed since; returns its same-site path, or nothing when the boat has none.
 * With `inStep`, a copy this environment saw in step is not looked at again: one conditional HeadObject of
 * the legacy photo says whether it changed since.
 */
export async function copyBoatPhoto(
  s3: S3Client,
  listingId: string,
  site: GuestSiteConfig,
  options: { legacyBucket?: string; logger?: Logger; cloudFront?: CloudFrontClient; inStep?: PhotosInStep } = {},
): Promise<string | undefined> {
  const source = options.legacyBucket ?? legacyBucket();
  const key = `assets/boats/${listingId}/hero.jpg`;
  const path = sitePath('assets', 'boats', listingId, 'hero.jpg');
  const copyName = `${source}/${key} -> ${site.bucket}/${key}`;
  const known = options.inStep?.sourceEtagOf(copyName);
  let original: HeadObjectCommandOutput | undefined;
  let copy: Pick<HeadObjectCommandOutput, 'Metadata'> | undefined;
  if (known) {
    const looked = await headUnlessMatching(s3, source, key, known);
    if (looked === 'unchanged') return path;
    original = looked;
    // What the copy holds is known: the legacy photo as it was, now replaced (or gone).
    copy = { Metadata: { [SOURCE_ETAG_KEY]: known } };
  } else {
    // Both looks at once: one S3 round trip on the way to a first page rather than two.
    [original, copy] = await Promise.all([headOrNothing(s3, source, key), headOrNothing(s3, site.bucket, key)]);
  }
  if (!original?.ETag) {
    options.inStep?.forget(copyName);
    options.logger?.info('no boat photo in the legacy bucket; the page goes without', { listingId, key });
    return undefined;
  }
  if (copy?.Metadata?.[SOURCE_ETAG_KEY] !== original.ETag) {
    options.inStep?.forget(copyName);
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: site.bucket,
        Key: key,
        CopySource: `${encodeURIComponent(source)}/${key.split('/').map(encodeURIComponent).join('/')}`,
        MetadataDirective: 'REPLACE',
        ContentType: original.ContentType ?? 'image/jpeg',
        CacheControl: PHOTO_CACHE_CONTROL,
        Metadata: { [SOURCE_ETAG_KEY]: original.ETag },
      }),
    );
    // A replaced photo keeps its path, so the page does not change: the photo itself needs the invalidation.
    const replaced = copy !== undefined && options.cloudFront !== undefined;
    if (replaced)
      await invalidatePaths(options.cloudFront!, site, `photo-${contentHash(key + original.ETag).slice(0, 40)}`, [
        path,
      ]);
    // Only a copy S3 made: a write kept back (a shadow gate's answer) leaves the site as it was.
    if (copied.CopyObjectResult?.ETag) options.inStep?.inStep(copyName, original.ETag);
    options.logger?.info('boat photo copied from the legacy bucket', { listingId, key, replaced });
  } else options.inStep?.inStep(copyName, original.ETag);
  return path;
}

/** HeadObject unless the object still has `etag` ('unchanged', S3's 304); nothing when the key is not there. */
async function headUnlessMatching(
  s3: S3Client,
  bucket: string,
  key: string,
  etag: string,
): Promise<HeadObjectCommandOutput | 'unchanged' | undefined> {
  try {
    return await headOrNothing(s3, bucket, key, etag);
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 304) return 'unchanged';
    throw error;
  }
}

/** HeadObject, or nothing when the key is not there (S3 says 403 instead of 404 without ListBucket). */
async function headOrNothing(
  s3: S3Client,
  bucket: string,
  key: string,
  ifNoneMatch?: string,
): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: ifNoneMatch }));
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (
      (error as Error).name === 'NotFound' ||
      (error as Error).name === 'NoSuchKey' ||
      status === 404 ||
      status === 403
    ) {
      return undefined;
    }
    throw error;
  }
}

const unquote = (etag: string) => etag.replace(/^"|"$/g, '');
