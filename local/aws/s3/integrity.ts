import { createHash } from 'node:crypto';
import { escapeXml, s3Error, type S3Answer } from './listing';
import { readSidecar, writeSidecar, type SidecarStore } from './sidecars';

/**
 * Content-MD5 and the additional checksums (x-amz-checksum-*), as S3 checks and returns them: a Content-MD5
 * that is not one answers InvalidDigest, one the body does not match BadDigest; a checksum sent with the body
 * is echoed by PutObject, kept, and returned by GetObject and HeadObject when x-amz-checksum-mode is ENABLED.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */

const ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;

export function contentMd5Problem(body: Buffer, contentMd5: string | undefined): S3Answer | undefined {
  if (contentMd5 === undefined) return undefined;
  const given = Buffer.from(contentMd5, 'base64');
  if (given.length !== 16 || given.toString('base64') !== contentMd5.trim())
    return s3Error(
      400,
      'InvalidDigest',
      'The Content-MD5 you specified was not valid.',
      `<Content-MD5>${escapeXml(contentMd5)}</Content-MD5>`,
    );
  const calculated = createHash('md5').update(body).digest('base64');
  if (calculated !== contentMd5.trim())
    return s3Error(
      400,
      'BadDigest',
      'The Content-MD5 you specified did not match what we received.',
      `<ExpectedDigest>${escapeXml(contentMd5)}</ExpectedDigest><CalculatedDigest>${calculated}</CalculatedDigest>`,
    );
  return undefined;
}

/** The x-amz-checksum-<algorithm> headers among those sent (header or trailer), ready to echo and keep. */
export function sentChecksums(sent: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const algorithm of ALGORITHMS) {
    const value = sent[`x-amz-checksum-${algorithm}`];
    if (value) kept[`x-amz-checksum-${algorithm}`] = value;
  }
  // A checksum of a whole object sent in one request is of type FULL_OBJECT.
  if (Object.keys(kept).length > 0) kept['x-amz-checksum-type'] = 'FULL_OBJECT';
  return kept;
}

export async function keepChecksums(
  store: SidecarStore,
  bucket: string,
  key: string,
  checksums: Record<string, string>,
): Promise<void> {
  await writeSidecar(store, bucket, key, 'checksums', checksums);
}

export async function readChecksums(store: SidecarStore, bucket: string, key: string): Promise<Record<string, string>> {
  return (await readSidecar<Record<string, string>>(store, bucket, key, 'checksums')) ?? {};
}
