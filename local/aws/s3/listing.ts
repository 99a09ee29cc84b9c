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

  const { page, truncated } = await listPage(store, { bucket, prefix, delimiter, after, maxKeys });

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
  parts.push(...page.map((entry) => entryXml(entry, text)));
  return {
    status: 200,
    xml: `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join('')}</ListBucketResult>`,
  };
}

type Entry = { name: string; object: StoredObject | undefined };

/** Keys and common prefixes after `after`, as one sorted sequence, cut to one page of maxKeys. */
async function listPage(
  store: ObjectStore,
  request: { bucket: string; prefix: string; delimiter: string; after: string; maxKeys: number },
): Promise<{ page: Entry[]; truncated: boolean }> {
  const { bucket, prefix, delimiter, after } = request;
  const pageSize = Math.min(request.maxKeys, MAX_KEYS);
  // Without a delimiter s3rver's own count is right, and saves reading every object's metadata for one page.
  // With one, s3rver's walk skips folders below a common prefix and so misses prefixes two levels deep
  // (g/B01/index.html never yields g/): the keys are grouped here instead.
  const listed = await store.listObjects(bucket, {
    prefix,
    startAfter: after,
    ...(delimiter ? {} : { maxKeys: pageSize + 1 }),
  });
  const entries: Entry[] = [];
  const prefixes = new Set<string>();
  for (const object of listed.objects) {
    const cut = delimiter ? object.key.indexOf(delimiter, prefix.length) : -1;
    if (cut < 0) entries.push({ name: object.key, object });
    else prefixes.add(object.key.slice(0, cut + delimiter.length));
  }
  for (const name of prefixes) if (name > after) entries.push({ name, object: undefined });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = entries.slice(0, pageSize);
  return { page, truncated: entries.length > page.length };
}

function entryXml({ name, object }: Entry, text: (value: string) => string): string {
  if (!object) return `<CommonPrefixes><Prefix>${text(name)}</Prefix></CommonPrefixes>`;
  return (
    `<Contents><Key>${text(name)}</Key><LastModified>${object.lastModifiedDate.toISOString()}</LastModified>` +
    `<ETag>${escapeXml(object.metadata.etag ?? '')}</ETag><Size>${object.size}</Size>` +
    `<StorageClass>${escapeXml(object.metadata['x-amz-storage-class'] ?? 'STANDARD')}</StorageClass></Contents>`
  );
}

/** The query parameters of ListObjects (v1): a GET of the bucket with only these is that operation. */
export const LIST_V1_PARAMETERS = new Set(['prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type']);

/**
 * ListObjects (v1), paged as v2 is: s3rver counts neither the common prefixes against MaxKeys nor towards
 * truncation. NextMarker is the last key or common prefix of the page, and S3 sends it only with a Delimiter
 * (without one, clients page on from the last key).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
 */
export async function listObjectsV1(store: ObjectStore, { bucket, query }: ListRequest): Promise<S3Answer> {
  if (!(await store.getBucket(bucket))) return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const marker = query.get('marker') ?? '';
  const encodeUrl = query.get('encoding-type') === 'url';
  const maxKeysText = query.get('max-keys');
  const maxKeys = maxKeysText === null ? MAX_KEYS : Number(maxKeysText);
  if (!Number.isInteger(maxKeys) || maxKeys < 0)
    return s3Error(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
  const { page, truncated } = await listPage(store, { bucket, prefix, delimiter, after: marker, maxKeys });

  const text = (value: string) => escapeXml(encodeUrl ? encodeURIComponent(value).replace(/%2F/g, '/') : value);
  const parts = [
    `<Name>${escapeXml(bucket)}</Name>`,
    `<Prefix>${text(prefix)}</Prefix>`,
    `<Marker>${text(marker)}</Marker>`,
    `<MaxKeys>${maxKeys}</MaxKeys>`,
    delimiter ? `<Delimiter>${text(delimiter)}</Delimiter>` : '',
    encodeUrl ? '<EncodingType>url</EncodingType>' : '',
    `<IsTruncated>${truncated}</IsTruncated>`,
    truncated && delimiter ? `<NextMarker>${text(page.at(-1)!.name)}</NextMarker>` : '',
    ...page.map((entry) => entryXml(entry, text)),
  ];
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
