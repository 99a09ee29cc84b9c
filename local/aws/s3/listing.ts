/**
 * ListObjectsV2, answered from s3rver's store instead of by s3rver: s3rver signs its continuation tokens with
 * DES, which OpenSSL 3 refuses (every truncated listing answered 500), and with a Delimiter it counts neither
 * the common prefixes against MaxKeys nor towards truncation. Here keys and common prefixes are one sorted
 * sequence, as S3 pages them, and the token is the last name returned.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */

export interface StoredObject {
  key: string;
  size: number;
  lastModifiedDate: Date;
  metadata: Record<string, string>;
}

export interface ObjectStore {
  getBucket(name: string): Promise<unknown>;
  listObjects(
    bucket: string,
    options: { prefix?: string; delimiter?: string; startAfter?: string; maxKeys?: number },
  ): Promise<{ objects: StoredObject[]; commonPrefixes: string[] }>;
}

export interface ListRequest {
  bucket: string;
  query: URLSearchParams;
}

export type S3Answer = { status: number; xml: string };

const MAX_KEYS = 1000;

export async function listObjectsV2(store: ObjectStore, { bucket, query }: ListRequest): Promise<S3Answer> {
  if (!(await store.getBucket(bucket))) return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const encodeUrl = query.get('encoding-type') === 'url';
  const maxKeysText = query.get('max-keys');
  const maxKeys = maxKeysText === null ? MAX_KEYS : Number(maxKeysText);
  if (!Number.isInteger(maxKeys) || maxKeys < 0)
    return s3Error(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
  const token = query.get('continuation-token');
  let after = query.get('start-after') ?? '';
  if (token !== null) {
    const decoded = continuationKey(token, bucket);
    if (decoded === undefined) return s3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect');
    after = decoded;
  }

  const pageSize = Math.min(maxKeys, MAX_KEYS);
  // Without a delimiter s3rver's own count is right, and saves reading every object's metadata for one page.
  const listed = await store.listObjects(bucket, {
    prefix,
    delimiter,
    startAfter: after,
    ...(delimiter ? {} : { maxKeys: pageSize + 1 }),
  });
  const entries = [
    ...listed.objects.map((object) => ({ name: object.key, object })),
    ...listed.commonPrefixes.filter((p) => p > after).map((name) => ({ name, object: undefined })),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = entries.slice(0, pageSize);
  const truncated = entries.length > page.length;

  const text = (value: string) => escapeXml(encodeUrl ? encodeURIComponent(value).replace(/%2F/g, '/') : value);
  const parts = [
    `<Name>${escapeXml(bucket)}</Name>`,
    `<Prefix>${text(prefix)}</Prefix>`,
    delimiter ? `<Delimiter>${text(delimiter)}</Delimiter>` : '',
    `<MaxKeys>${maxKeys}</MaxKeys>`,
    encodeUrl ? '<EncodingType>url</EncodingType>' : '',
    `<KeyCount>${page.length}</KeyCount>`,
    `<IsTruncated>${truncated}</IsTruncated>`,
    token !== null ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '',
    truncated ? `<NextContinuationToken>${continuationToken(bucket, page.at(-1)!.name)}</NextContinuationToken>` : '',
    query.has('start-after') ? `<StartAfter>${text(query.get('start-after')!)}</StartAfter>` : '',
  ];
  for (const { name, object } of page) {
    if (!object) {
      parts.push(`<CommonPrefixes><Prefix>${text(name)}</Prefix></CommonPrefixes>`);
      continue;
    }
    parts.push(
      `<Contents><Key>${text(name)}</Key><LastModified>${object.lastModifiedDate.toISOString()}</LastModified>` +
        `<ETag>${escapeXml(object.metadata.etag ?? '')}</ETag><Size>${object.size}</Size>` +
        `<StorageClass>${escapeXml(object.metadata['x-amz-storage-class'] ?? 'STANDARD')}</StorageClass></Contents>`,
    );
  }
  return {
    status: 200,
    xml: `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join('')}</ListBucketResult>`,
  };
}

/** Opaque to clients, as S3's are; bound to the bucket so a token from another listing is refused. */
export function continuationToken(bucket: string, lastName: string): string {
  return Buffer.from(JSON.stringify([bucket, lastName]), 'utf8').toString('base64url');
}

function continuationKey(token: string, bucket: string): string | undefined {
  try {
    const [forBucket, lastName] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    return forBucket === bucket && typeof lastName === 'string' ? lastName : undefined;
  } catch {
    return undefined;
  }
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function s3Error(status: number, code: string, message: string, extra = ''): S3Answer {
  return {
    status,
    xml: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${extra}</Error>`,
  };
}
