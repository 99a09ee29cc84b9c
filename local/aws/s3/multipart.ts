import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeXml, s3Error, type S3Answer } from './listing';

/**
 * Multipart uploads as S3 documents them, read from where s3rver keeps them: one folder per upload id under
 * the bucket's uploads resource, holding the key, the metadata and each part (`<n>` and `<n>.md5`). s3rver
 * accepts parts for any upload id, never checks part sizes, and has no ListParts, ListMultipartUploads or
 * AbortMultipartUpload; @aws-sdk/lib-storage and `aws s3 cp` call all three.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */

export interface UploadStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
}

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
/** Every part but the last must be at least 5 MiB. https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
const PAGE = 1000;
const OWNER = '<ID>charterflow-local</ID><DisplayName>charterflow-local</DisplayName>';

function uploadFolder(store: UploadStore, bucket: string, uploadId: string): string {
  return join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
}

/** The key an upload was started for, or undefined when no such upload is in progress. */
async function uploadKey(store: UploadStore, bucket: string, uploadId: string): Promise<string | undefined> {
  if (!/^[0-9A-Za-z_-]+$/.test(uploadId)) return undefined;
  try {
    return await readFile(join(uploadFolder(store, bucket, uploadId), 'key'), 'utf8');
  } catch {
    return undefined;
  }
}

export function noSuchUpload(uploadId: string): S3Answer {
  return s3Error(
    404,
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    `<UploadId>${escapeXml(uploadId)}</UploadId>`,
  );
}

/** The upload must exist and be for this key (UploadPart, CompleteMultipartUpload): undefined when it is. */
export async function checkUpload(
  store: UploadStore,
  request: { bucket: string; key: string; uploadId: string },
): Promise<S3Answer | undefined> {
  const key = await uploadKey(store, request.bucket, request.uploadId);
  return key === request.key ? undefined : noSuchUpload(request.uploadId);
}

interface StoredPart {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: Date;
}

async function storedParts(store: UploadStore, bucket: string, uploadId: string): Promise<StoredPart[]> {
  const folder = uploadFolder(store, bucket, uploadId);
  const numbers = (await readdir(folder))
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
  const parts: StoredPart[] = [];
  for (const partNumber of numbers) {
    const [info, md5] = await Promise.all([
      stat(join(folder, String(partNumber))),
      readFile(join(folder, `${partNumber}.md5`), 'utf8').catch(() => undefined),
    ]);
    // A part still being written has no .md5 yet; S3 lists only parts it has acknowledged.
    if (md5 === undefined) continue;
    parts.push({ partNumber, size: info.size, etag: `"${md5}"`, lastModified: info.mtime });
  }
  return parts;
}

/**
 * Before s3rver assembles the object: each listed part but the last must be 5 MiB or more, else S3 answers
 * EntityTooSmall with the part's number, size and ETag, and the upload stays open.
 */
export async function checkPartSizes(
  store: UploadStore,
  request: { bucket: string; uploadId: string; body: Buffer },
): Promise<S3Answer | undefined> {
  const listed = [...request.body.toString('utf8').matchAll(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/g)].map((m) =>
    Number(m[1]),
  );
  const sizes = new Map((await storedParts(store, request.bucket, request.uploadId)).map((p) => [p.partNumber, p]));
  for (const number of listed.slice(0, -1)) {
    const part = sizes.get(number);
    if (part && part.size < MIN_PART_SIZE)
      return s3Error(
        400,
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed object size.',
        `<ProposedSize>${part.size}</ProposedSize><MinSizeAllowed>${MIN_PART_SIZE}</MinSizeAllowed>` +
          `<PartNumber>${number}</PartNumber><ETag>${escapeXml(part.etag.slice(1, -1))}</ETag>`,
      );
  }
  return undefined;
}

export async function abortMultipartUpload(
  store: UploadStore,
  request: { bucket: string; key: string; uploadId: string },
): Promise<S3Answer> {
  const missing = await checkUpload(store, request);
  if (missing) return missing;
  await rm(uploadFolder(store, request.bucket, request.uploadId), { recursive: true, force: true });
  return { status: 204, xml: '' };
}

export async function listParts(
  store: UploadStore,
  request: { bucket: string; key: string; uploadId: string; query: URLSearchParams },
): Promise<S3Answer> {
  const missing = await checkUpload(store, request);
  if (missing) return missing;
  const maxParts = integer(request.query.get('max-parts'), PAGE);
  const marker = integer(request.query.get('part-number-marker'), 0);
  if (maxParts === undefined || marker === undefined)
    return s3Error(400, 'InvalidArgument', 'Provided max-parts or part-number-marker not an integer or within range');
  const after = (await storedParts(store, request.bucket, request.uploadId)).filter((p) => p.partNumber > marker);
  const page = after.slice(0, Math.min(maxParts, PAGE));
  const truncated = after.length > page.length;
  const parts = [
    `<Bucket>${escapeXml(request.bucket)}</Bucket><Key>${escapeXml(request.key)}</Key>`,
    `<UploadId>${escapeXml(request.uploadId)}</UploadId>`,
    `<Initiator>${OWNER}</Initiator><Owner>${OWNER}</Owner><StorageClass>STANDARD</StorageClass>`,
    `<PartNumberMarker>${marker}</PartNumberMarker>`,
    `<NextPartNumberMarker>${page.at(-1)?.partNumber ?? marker}</NextPartNumberMarker>`,
    `<MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated>`,
    ...page.map(
      (p) =>
        `<Part><PartNumber>${p.partNumber}</PartNumber><LastModified>${p.lastModified.toISOString()}</LastModified>` +
        `<ETag>${escapeXml(p.etag)}</ETag><Size>${p.size}</Size></Part>`,
    ),
  ];
  return result('ListPartsResult', parts);
}

interface Upload {
  key: string;
  uploadId: string;
  initiated: Date;
}

/**
 * Uploads in progress, sorted by key and, for one key, by when they started; paged by key-marker and
 * upload-id-marker, with Prefix and Delimiter as ListObjects has them.
 */
export async function listMultipartUploads(
  store: UploadStore,
  request: { bucket: string; query: URLSearchParams },
): Promise<S3Answer> {
  const { query } = request;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const keyMarker = query.get('key-marker') ?? '';
  const uploadIdMarker = query.get('upload-id-marker') ?? '';
  const maxUploads = integer(query.get('max-uploads'), PAGE);
  if (maxUploads === undefined)
    return s3Error(400, 'InvalidArgument', 'Provided max-uploads not an integer or within integer range');
  const encodeUrl = query.get('encoding-type') === 'url';

  const root = store.getResourcePath(request.bucket, undefined, 'uploads');
  const ids = await readdir(root).catch(() => [] as string[]);
  const uploads: Upload[] = [];
  for (const uploadId of ids) {
    const key = await uploadKey(store, request.bucket, uploadId);
    if (key === undefined || !key.startsWith(prefix)) continue;
    const folder = await stat(join(root, uploadId));
    // Some filesystems keep no birth time (0): the folder's last change is then the nearest.
    uploads.push({ key, uploadId, initiated: folder.birthtimeMs > 0 ? folder.birthtime : folder.mtime });
  }
  uploads.sort((a, b) => compare(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime());

  // After the marker: later keys, or with an upload-id-marker, the marker key's uploads started after that one.
  let after = uploads.filter((u) => u.key > keyMarker);
  if (keyMarker && uploadIdMarker) {
    const same = uploads.filter((u) => u.key === keyMarker);
    const index = same.findIndex((u) => u.uploadId === uploadIdMarker);
    after = [...same.slice(index + 1), ...after];
  }
  type Entry = { name: string; upload?: Upload };
  const entries: Entry[] = [];
  for (const upload of after) {
    const cut = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
    if (cut < 0) entries.push({ name: upload.key, upload });
    else {
      const common = upload.key.slice(0, cut + delimiter.length);
      if (entries.at(-1)?.name !== common) entries.push({ name: common });
    }
  }
  const page = entries.slice(0, Math.min(maxUploads, PAGE));
  const truncated = entries.length > page.length;
  const last = page.at(-1);
  const text = (value: string) => escapeXml(encodeUrl ? encodeURIComponent(value).replace(/%2F/g, '/') : value);
  const parts = [
    `<Bucket>${escapeXml(request.bucket)}</Bucket>`,
    `<KeyMarker>${text(keyMarker)}</KeyMarker><UploadIdMarker>${escapeXml(uploadIdMarker)}</UploadIdMarker>`,
    truncated && last
      ? `<NextKeyMarker>${text(last.name)}</NextKeyMarker>` +
        `<NextUploadIdMarker>${escapeXml(last.upload?.uploadId ?? '')}</NextUploadIdMarker>`
      : '',
    prefix ? `<Prefix>${text(prefix)}</Prefix>` : '<Prefix/>',
    delimiter ? `<Delimiter>${text(delimiter)}</Delimiter>` : '',
    `<MaxUploads>${maxUploads}</MaxUploads><IsTruncated>${truncated}</IsTruncated>`,
    encodeUrl ? '<EncodingType>url</EncodingType>' : '',
    ...page.map(({ name, upload }) =>
      upload
        ? `<Upload><Key>${text(name)}</Key><UploadId>${escapeXml(upload.uploadId)}</UploadId>` +
          `<Initiator>${OWNER}</Initiator><Owner>${OWNER}</Owner><StorageClass>STANDARD</StorageClass>` +
          `<Initiated>${upload.initiated.toISOString()}</Initiated></Upload>`
        : `<CommonPrefixes><Prefix>${text(name)}</Prefix></CommonPrefixes>`,
    ),
  ];
  return result('ListMultipartUploadsResult', parts);
}

function result(element: string, parts: string[]): S3Answer {
  return {
    status: 200,
    xml: `<?xml version="1.0" encoding="UTF-8"?>\n<${element} xmlns="${XMLNS}">${parts.join('')}</${element}>`,
  };
}

function integer(text: string | null, fallback: number): number | undefined {
  if (text === null) return fallback;
  const value = Number(text);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
