import { readFile, writeFile } from 'node:fs/promises';
import { escapeXml, s3Error, type S3Answer } from './listing';

/**
 * What S3 answers about a bucket that s3rver does not keep: the region it was created in (s3rver answers
 * every GetBucketLocation with none) and who already owns a name being created again.
 */

export interface BucketStore {
  getBucket(name: string): Promise<unknown>;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
}

/** The region a SigV4 request was signed for, from its credential scope (header or presigned query). */
export function signedRegion(authorization: string | undefined, url = '/'): string | undefined {
  const credential =
    authorization ?? `Credential=${new URL(url, 'http://s3').searchParams.get('X-Amz-Credential') ?? ''}`;
  return /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//.exec(credential)?.[1];
}

/**
 * Re-creating a bucket you own: 409 BucketAlreadyOwnedByYou in every region but us-east-1, where S3 keeps
 * its legacy 200. Every bucket here is the caller's: the local stack has one account.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
 */
export async function createBucketAgain(
  store: BucketStore,
  request: { bucket: string; region: string | undefined },
): Promise<S3Answer | undefined> {
  if (!(await store.getBucket(request.bucket))) return undefined;
  if (request.region === undefined || request.region === 'us-east-1') return { status: 200, xml: '' };
  return s3Error(
    409,
    'BucketAlreadyOwnedByYou',
    'Your previous request to create the named bucket succeeded and you already own it.',
    `<BucketName>${escapeXml(request.bucket)}</BucketName>`,
  );
}

/** The LocationConstraint of a CreateBucket body, kept beside the bucket for GetBucketLocation. */
export async function recordLocation(store: BucketStore, bucket: string, createBody: Buffer): Promise<void> {
  const constraint = /<LocationConstraint>\s*([^<\s]*)\s*<\/LocationConstraint>/.exec(createBody.toString('utf8'))?.[1];
  await writeFile(store.getResourcePath(bucket, undefined, 'location'), constraint ?? '');
}

/** us-east-1 buckets answer an empty LocationConstraint, which the SDKs read as null. */
export async function getBucketLocation(store: BucketStore, bucket: string): Promise<S3Answer> {
  if (!(await store.getBucket(bucket))) return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
  const constraint = await readFile(store.getResourcePath(bucket, undefined, 'location'), 'utf8').catch(() => '');
  const xmlns = 'http://s3.amazonaws.com/doc/2006-03-01/';
  return {
    status: 200,
    xml: `<?xml version="1.0" encoding="UTF-8"?>\n${
      constraint
        ? `<LocationConstraint xmlns="${xmlns}">${escapeXml(constraint)}</LocationConstraint>`
        : `<LocationConstraint xmlns="${xmlns}"/>`
    }`,
  };
}
