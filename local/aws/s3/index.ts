import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { stat, writeFile } from 'node:fs/promises';
import { KeyedReadWriteLock } from '../read-write-lock';
import { header, readBody, type RequestHandler } from '../edge';
import { LIST_V1_PARAMETERS, listObjectsV1, listObjectsV2, s3Error, type ObjectStore, type S3Answer } from './listing';
import { createBucketAgain, getBucketLocation, recordLocation, signedRegion } from './buckets';
import { abortMultipartUpload, checkPartSizes, checkUpload, listMultipartUploads, listParts } from './multipart';
import { failedReadCondition } from './preconditions';
import { contentMd5Problem, keepChecksums, readChecksums, sentChecksums } from './integrity';
import { forgetObject, type SidecarStore } from './sidecars';
import { readTags, tagCount, tagging, tagsFromHeader, unescapeXml, writeTags, type Tag } from './tagging';

/**
 * S3 is s3rver (path-style, files on disk), listening on a private loopback port behind the edge. The edge
 * proxies to it rather than mounting its Koa app, because two things the current SDK sends must be undone
 * first, which needs the whole request in hand:
 * - PutObject bodies in aws-chunked encoding with a trailing checksum (SDK default since 3.729,
 *   requestChecksumCalculation WHEN_SUPPORTED); s3rver would store the chunk framing as the object.
 * - Access keys s3rver has not heard of (it knows only S3RVER); it does not verify SigV4 anyway.
 * It also adds what s3rver gets wrong or predates, each as S3 documents it: conditional writes (If-None-Match: *,
 * If-Match), read preconditions (preconditions.ts), ListObjects and ListObjectsV2 paging (listing.ts), a bucket's
 * region and re-creation (buckets.ts), multipart ETags, part checks, ListParts, ListMultipartUploads and
 * AbortMultipartUpload (multipart.ts), CopySource with reserved characters, and
 * deletes of one bucket one at a time (s3rver prunes emptied folders, and concurrent deletes race on them),
 * object and bucket tagging (tagging.ts), and Content-MD5 and x-amz-checksum-* kept and returned (integrity.ts).
 *
 * Why s3rver and not a replacement: nothing else on npm embeds an S3 API in-process (the alternatives are
 * servers in Go, Java or Python), and its gaps are a handful of operations, each fixed here in a few lines.
 */

const require = createRequire(import.meta.url);
// s3rver ships no types; we use its documented constructor options and the account registry it signs with.
const S3rver = require('s3rver') as new (
  options: Record<string, unknown>,
) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  store: ObjectStore &
    SidecarStore & {
      putBucket(name: string): Promise<unknown>;
    };
};
const AWSAccount = require('s3rver/lib/models/account') as {
  registry: Map<string, unknown>;
  DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
};

export interface LocalS3 {
  handle: RequestHandler;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startS3(options: { dataDir?: string }): Promise<LocalS3> {
  const directory = options.dataDir ? join(options.dataDir, 's3') : mkdtempSync(join(tmpdir(), 'charterflow-s3-'));
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    allowMismatchedSignatures: true,
  });
  const { port } = await server.run();

  // s3rver writes an object in place (truncate, then write) and answers before the file is whole. A read of the
  // key meanwhile got a short body under a longer Content-Length, and its client waited for the rest forever.
  // S3 gives a reader the old object or the new one, whole: here a write of a key has it alone until the file
  // holds every byte, and reads share it.
  const objects = new KeyedReadWriteLock();

  function handle(req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]): Promise<void> {
    const [bucket = '', ...keyParts] = new URL(req.url ?? '/', 'http://s3').pathname.slice(1).split('/');
    if (!bucket || keyParts.length === 0 || !keyParts.join('')) return serve(req, res);
    const object = `${bucket}/${keyParts.join('/')}`;
    return req.method === 'GET' || req.method === 'HEAD'
      ? objects.shared(object, () => serve(req, res))
      : objects.exclusive(object, () => serve(req, res));
  }

  async function serve(req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]): Promise<void> {
    const headers: IncomingHttpHeaders = { ...req.headers };
    let body = await readBody(req);
    let checksums: Record<string, string> = {};
    if (isAwsChunked(headers)) {
      ({ body, trailers: checksums } = decodeAwsChunked(body));
      headers['content-encoding'] = (header(req, 'content-encoding') ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e && e !== 'aws-chunked')
        .join(',');
      if (!headers['content-encoding']) delete headers['content-encoding'];
      delete headers['x-amz-decoded-content-length'];
      delete headers['x-amz-trailer'];
      delete headers['transfer-encoding'];
      headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    }
    headers['content-length'] = String(body.length);
    for (const [name, value] of Object.entries(headers)) {
      if (name.startsWith('x-amz-checksum-') && typeof value === 'string') checksums[name] ??= value;
    }
    const mismatch = checksumMismatch(body, checksums);
    if (mismatch) {
      res.writeHead(400, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>BadDigest</Code><Message>The ${mismatch} you specified did not match the calculated checksum.</Message></Error>`,
      );
      return;
    }
    const digest = contentMd5Problem(body, header(req, 'content-md5'));
    if (digest) return send(res, digest);
    registerAccessKey(headers.authorization, req.url);

    const url = new URL(req.url ?? '/', 'http://s3');
    const [bucket = '', ...keyParts] = url.pathname.slice(1).split('/').map(decodeURIComponent);
    const key = keyParts.join('/');
    const method = req.method ?? 'GET';
    if (method === 'GET' && bucket && !key && url.searchParams.get('list-type') === '2')
      return send(res, await listObjectsV2(server.store, { bucket, query: url.searchParams }));

    const refused = unsupportedOperation(
      method,
      Boolean(key),
      url.searchParams,
      Boolean(header(req, 'x-amz-copy-source')),
    );
    if (refused) return send(res, s3Error(501, 'NotImplemented', `not supported by charterflow local: s3.${refused}`));
    if (bucket && url.searchParams.has('tagging'))
      return send(res, await tagging(server.store, { method, bucket, key, body }));

    const query = url.searchParams;
    if (bucket && !key) {
      if (method === 'GET' && [...query.keys()].every((name) => LIST_V1_PARAMETERS.has(name)))
        return send(res, await listObjectsV1(server.store, { bucket, query }));
      if (method === 'GET' && query.has('location')) return send(res, await getBucketLocation(server.store, bucket));
      if (method === 'GET' && query.has('uploads'))
        return send(
          res,
          (await server.store.getBucket(bucket))
            ? await listMultipartUploads(server.store, { bucket, query })
            : s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist'),
        );
      if (method === 'PUT' && [...query.keys()].length === 0) {
        const region = signedRegion(headers.authorization, req.url);
        const again = await createBucketAgain(server.store, { bucket, region });
        if (again) return send(res, again);
        const created = await forward(port, { method, url: req.url ?? '/', headers }, body);
        const answer = await readBody(created);
        if (created.statusCode === 200) await recordLocation(server.store, bucket, body);
        res.writeHead(created.statusCode ?? 500, created.headers);
        res.end(answer);
        return;
      }
    }
    const uploadId = query.get('uploadId');
    if (key && uploadId !== null) {
      if (method === 'GET') return send(res, await listParts(server.store, { bucket, key, uploadId, query }));
      if (method === 'DELETE') return send(res, await abortMultipartUpload(server.store, { bucket, key, uploadId }));
      const problem =
        (await checkUpload(server.store, { bucket, key, uploadId })) ??
        (method === 'POST' ? await checkPartSizes(server.store, { bucket, uploadId, body }) : undefined);
      if (problem) return send(res, problem);
    }
    if (key && (method === 'GET' || method === 'HEAD') && (headers['if-match'] || headers['if-unmodified-since'])) {
      const { 'if-match': ifMatch, 'if-unmodified-since': ifUnmodifiedSince, ...unconditional } = headers;
      const existing = await forward(
        port,
        { method: 'HEAD', url: req.url ?? '/', headers: { ...unconditional, 'content-length': '0' } },
        Buffer.alloc(0),
      );
      existing.resume();
      const current = { etag: existing.headers.etag, lastModified: existing.headers['last-modified'] };
      const failed =
        existing.statusCode === 200 ? failedReadCondition({ ifMatch, ifUnmodifiedSince }, current) : undefined;
      if (failed && method === 'HEAD') {
        res.writeHead(412);
        res.end();
        return;
      }
      if (failed)
        return send(
          res,
          s3Error(
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
            `<Condition>${failed}</Condition>`,
          ),
        );
      delete headers['if-match'];
      delete headers['if-unmodified-since'];
    }

    const copySource = header(req, 'x-amz-copy-source');
    if (copySource) headers['x-amz-copy-source'] = copySourceForS3rver(copySource);

    if (method === 'PUT' && header(req, 'if-match') && !copySource) {
      const { 'if-match': _condition, ...headHeaders } = headers;
      const existing = await forward(
        port,
        { method: 'HEAD', url: req.url ?? '/', headers: { ...headHeaders, 'content-length': '0' } },
        Buffer.alloc(0),
      );
      existing.resume();
      if (existing.statusCode === 404) return send(res, s3Error(404, 'NoSuchKey', 'The specified key does not exist.'));
      if (existing.headers.etag !== header(req, 'if-match'))
        return send(
          res,
          s3Error(
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
            '<Condition>If-Match</Condition>',
          ),
        );
    }

    if (method === 'POST' && url.searchParams.has('uploadId') && key)
      return completeMultipartUpload(res, { bucket, key, url: req.url ?? '/', headers, body });

    if (method === 'DELETE' || (method === 'POST' && url.searchParams.has('delete'))) {
      const done = deletes.get(bucket) ?? Promise.resolve();
      const mine = done
        .then(() => forgetDeleted(bucket, key, url.searchParams, body))
        .then(() => pipeUpstream(res, method, req.url ?? '/', headers, body));
      const settled = mine.catch(() => undefined);
      deletes.set(bucket, settled);
      void settled.then(() => deletes.get(bucket) === settled && deletes.delete(bucket));
      return mine;
    }

    if (req.method === 'PUT' && header(req, 'if-none-match') === '*' && !headers['x-amz-copy-source']) {
      const { 'if-none-match': _condition, ...headHeaders } = headers;
      const existing = await forward(
        port,
        { method: 'HEAD', url: req.url ?? '/', headers: { ...headHeaders, 'content-length': '0' } },
        Buffer.alloc(0),
      );
      existing.resume();
      if (existing.statusCode === 200) {
        res.writeHead(412, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
            '<Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>',
        );
        return;
      }
    }

    if (key && isPlainObjectRequest(url.searchParams)) {
      if (method === 'PUT') {
        const tags = objectTags(header(req, 'x-amz-tagging'), copySource, header(req, 'x-amz-tagging-directive'));
        if (tags && !Array.isArray(tags) && !('from' in tags)) return send(res, tags);
        return pipeUpstream(res, method, req.url ?? '/', headers, body, async (status) => {
          if (status !== 200) return {};
          if (!copySource) await untilWhole(server.store.getResourcePath(bucket, key, 'object'), body.length);
          const source = copySource ? copySourceObject(copySource) : undefined;
          const kept = source ? await readChecksums(server.store, source.bucket, source.key) : sentChecksums(checksums);
          const copied =
            source && tags && 'from' in tags ? await readTags(server.store, source.bucket, source.key) : undefined;
          await writeTags(server.store, bucket, key, copied ?? (Array.isArray(tags) ? tags : []));
          await keepChecksums(server.store, bucket, key, kept);
          return source ? {} : kept;
        });
      }
      if (method === 'GET' || method === 'HEAD') {
        const asked = header(req, 'x-amz-checksum-mode') === 'ENABLED' && !header(req, 'range');
        return pipeUpstream(res, method, req.url ?? '/', headers, body, async (status) => {
          if (status !== 200) return {};
          const extra: Record<string, string> = asked ? await readChecksums(server.store, bucket, key) : {};
          const count = method === 'GET' ? await tagCount(server.store, bucket, key) : 0;
          if (count > 0) extra['x-amz-tagging-count'] = String(count);
          return extra;
        });
      }
    }

    return pipeUpstream(res, method, req.url ?? '/', headers, body);
  }

  /** Tags and checksums are the object's: a deleted key keeps none of them. */
  async function forgetDeleted(bucket: string, key: string, query: URLSearchParams, body: Buffer): Promise<void> {
    if (key && isPlainObjectRequest(query)) return forgetObject(server.store, bucket, key);
    if (!key && query.has('delete')) {
      const keys = [...body.toString('utf8').matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => unescapeXml(m[1]!));
      await Promise.all(keys.map((deleted) => forgetObject(server.store, bucket, deleted)));
    }
  }

  /** Deletes of one bucket, one at a time. */
  const deletes = new Map<string, Promise<unknown>>();

  async function pipeUpstream(
    res: Parameters<RequestHandler>[1],
    method: string,
    url: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
    extraHeaders?: (status: number) => Promise<Record<string, string>>,
  ): Promise<void> {
    const upstream = await forward(port, { method, url, headers }, body);
    const extra = extraHeaders ? await extraHeaders(upstream.statusCode ?? 500) : {};
    res.writeHead(upstream.statusCode ?? 500, { ...upstream.headers, ...extra });
    upstream.pipe(res);
    await new Promise<void>((resolve) =>
      upstream
        .once('end', resolve)
        .once('error', () => resolve())
        .once('close', resolve),
    );
    // A body cut short upstream is cut short here too: the client sees a broken response and retries, where a
    // response left open would keep it waiting for bytes that never come.
    if (!upstream.complete) res.destroy();
  }

  /**
   * S3's ETag of a multipart object is the MD5 of the parts' binary MD5s, a dash and the part count; s3rver
   * gives the MD5 of the whole. The parts' ETags are in the request, so the right one is written over it.
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
   */
  async function completeMultipartUpload(
    res: Parameters<RequestHandler>[1],
    request: { bucket: string; key: string; url: string; headers: IncomingHttpHeaders; body: Buffer },
  ): Promise<void> {
    const upstream = await forward(port, { method: 'POST', url: request.url, headers: request.headers }, request.body);
    const answer = await readBody(upstream);
    const partEtags = [...request.body.toString('utf8').matchAll(/<ETag>([^<]*)<\/ETag>/g)].map((m) =>
      m[1]!.replace(/&quot;|"/g, ''),
    );
    if (upstream.statusCode !== 200 || partEtags.length === 0 || !partEtags.every((e) => /^[0-9a-f]{32}$/i.test(e))) {
      res.writeHead(upstream.statusCode ?? 500, upstream.headers);
      res.end(answer);
      return;
    }
    const etag = multipartEtag(partEtags);
    await writeFile(server.store.getResourcePath(request.bucket, request.key, 'object.md5'), etag);
    const xml = answer.toString('utf8').replace(/<ETag>[^<]*<\/ETag>/, `<ETag>&quot;${etag}&quot;</ETag>`);
    const { 'content-length': _length, ...rest } = upstream.headers;
    res.writeHead(200, { ...rest, 'content-length': Buffer.byteLength(xml) });
    res.end(xml);
  }

  return {
    handle,
    async createBucket(name) {
      if (!(await server.store.getBucket(name))) await server.store.putBucket(name);
    },
    async stop() {
      await server.close();
      if (!options.dataDir) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Subresources s3rver does not implement, or answers as something else (PutBucketVersioning as CreateBucket,
 * ListObjectVersions as MethodNotAllowed, GetObjectAttributes as unparseable XML): each named as the S3
 * operation it is, by method, so the caller reads the one clear refusal.
 */
const UNSUPPORTED: Record<string, { bucket?: Record<string, string>; object?: Record<string, string> }> = {
  versioning: { bucket: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' } },
  versions: { bucket: { GET: 'ListObjectVersions' } },
  lifecycle: {
    bucket: {
      GET: 'GetBucketLifecycleConfiguration',
      PUT: 'PutBucketLifecycleConfiguration',
      DELETE: 'DeleteBucketLifecycle',
    },
  },
  policy: { bucket: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' } },
  policyStatus: { bucket: { GET: 'GetBucketPolicyStatus' } },
  acl: { bucket: { GET: 'GetBucketAcl', PUT: 'PutBucketAcl' }, object: { PUT: 'PutObjectAcl' } },
  encryption: { bucket: { GET: 'GetBucketEncryption', PUT: 'PutBucketEncryption', DELETE: 'DeleteBucketEncryption' } },
  notification: { bucket: { GET: 'GetBucketNotificationConfiguration', PUT: 'PutBucketNotificationConfiguration' } },
  publicAccessBlock: {
    bucket: { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock', DELETE: 'DeletePublicAccessBlock' },
  },
  ownershipControls: {
    bucket: {
      GET: 'GetBucketOwnershipControls',
      PUT: 'PutBucketOwnershipControls',
      DELETE: 'DeleteBucketOwnershipControls',
    },
  },
  'object-lock': { bucket: { GET: 'GetObjectLockConfiguration', PUT: 'PutObjectLockConfiguration' } },
  replication: {
    bucket: { GET: 'GetBucketReplication', PUT: 'PutBucketReplication', DELETE: 'DeleteBucketReplication' },
  },
  logging: { bucket: { GET: 'GetBucketLogging', PUT: 'PutBucketLogging' } },
  accelerate: { bucket: { GET: 'GetBucketAccelerateConfiguration', PUT: 'PutBucketAccelerateConfiguration' } },
  requestPayment: { bucket: { GET: 'GetBucketRequestPayment', PUT: 'PutBucketRequestPayment' } },
  attributes: { object: { GET: 'GetObjectAttributes' } },
  'legal-hold': { object: { GET: 'GetObjectLegalHold', PUT: 'PutObjectLegalHold' } },
  retention: { object: { GET: 'GetObjectRetention', PUT: 'PutObjectRetention' } },
  restore: { object: { POST: 'RestoreObject' } },
  select: { object: { POST: 'SelectObjectContent' } },
  torrent: { object: { GET: 'GetObjectTorrent' } },
};

export function unsupportedOperation(
  method: string,
  onObject: boolean,
  query: URLSearchParams,
  copying: boolean,
): string | undefined {
  for (const name of query.keys()) {
    const level = UNSUPPORTED[name]?.[onObject ? 'object' : 'bucket'];
    const operation = level?.[method];
    if (operation) return operation;
    if (UNSUPPORTED[name] && !level && !(name === 'uploads' || name === 'uploadId' || name === 'acl'))
      return `${method} ?${name}`;
  }
  if (copying && method === 'PUT' && query.has('uploadId')) return 'UploadPartCopy';
  return undefined;
}

/** A request on the object itself (PutObject, CopyObject, GetObject…), not on a subresource; presigned URLs carry X-Amz-*. */
function isPlainObjectRequest(query: URLSearchParams): boolean {
  return [...query.keys()].every((name) => name === 'x-id' || name.toLowerCase().startsWith('x-amz-'));
}

/**
 * The tags a PutObject or CopyObject gives the object: the x-amz-tagging header, or for a copy without
 * x-amz-tagging-directive REPLACE, the source's tags.
 */
function objectTags(
  tagging: string | undefined,
  copySource: string | undefined,
  directive: string | undefined,
): Tag[] | S3Answer | { from: 'source' } | undefined {
  if (copySource && directive !== 'REPLACE') return { from: 'source' };
  return tagging === undefined ? undefined : tagsFromHeader(tagging);
}

function copySourceObject(copySource: string): { bucket: string; key: string } {
  const encoded = copySource.split('?versionId=')[0]!;
  let path = encoded;
  try {
    path = decodeURIComponent(encoded);
  } catch {
    // Left as sent, as copySourceForS3rver leaves it.
  }
  path = path.replace(/^\//, '');
  const slash = path.indexOf('/');
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

function send(res: Parameters<RequestHandler>[1], answer: S3Answer): void {
  res.writeHead(answer.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(answer.xml) });
  res.end(answer.xml);
}

export function multipartEtag(partEtags: readonly string[]): string {
  const md5 = createHash('md5');
  for (const part of partEtags) md5.update(Buffer.from(part, 'hex'));
  return `${md5.digest('hex')}-${partEtags.length}`;
}

/**
 * S3 takes CopySource URL-encoded (bucket/key, an optional ?versionId=); s3rver reads it with decodeURI,
 * which leaves %3A %3D %2B %23 %3F %26 encoded and then finds no such key. Decoded whole and re-encoded
 * with encodeURI, it reads back the key S3 would.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
export function copySourceForS3rver(copySource: string): string {
  const [path = '', version] = copySource.split('?versionId=');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return copySource;
  }
  return encodeURI(decoded) + (version === undefined ? '' : `?versionId=${version}`);
}

/** Waits until the file s3rver is writing holds all `length` bytes; s3rver answers a PUT before it does. */
async function untilWhole(path: string, length: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const size = await stat(path).then(
      (s) => s.size,
      () => -1,
    );
    if (size >= length) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function forward(port: number, request: { method: string; url: string; headers: IncomingHttpHeaders }, body: Buffer) {
  return new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port, method: request.method, path: request.url, headers: request.headers },
      resolve,
    );
    upstream.once('error', reject);
    upstream.end(body);
  });
}

function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.includes('aws-chunked') || sha.startsWith('STREAMING-');
}

/** aws-chunked: `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n<trailer>:<value>\r\n…\r\n`. */
export function decodeAwsChunked(encoded: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let offset = 0;
  while (offset < encoded.length) {
    const lineEnd = encoded.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(encoded.subarray(offset, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) break;
    const start = lineEnd + 2;
    if (size === 0) {
      for (const line of encoded.subarray(start).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      break;
    }
    parts.push(encoded.subarray(start, start + size));
    offset = start + size + 2;
  }
  return { body: Buffer.concat(parts), trailers };
}

/** The name of the first x-amz-checksum-* the body does not match (the ones Node computes; others are trusted). */
export function checksumMismatch(body: Buffer, checksums: Record<string, string>): string | undefined {
  const compute: Record<string, () => string> = {
    'x-amz-checksum-crc32': () => {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      return crc.toString('base64');
    },
    'x-amz-checksum-sha1': () => createHash('sha1').update(body).digest('base64'),
    'x-amz-checksum-sha256': () => createHash('sha256').update(body).digest('base64'),
  };
  return Object.keys(checksums).find((name) => compute[name] && compute[name]() !== checksums[name]);
}

/** Presigned URLs carry the key in X-Amz-Credential, signed requests in the Authorization header. */
function registerAccessKey(authorization: string | undefined, url = '/'): void {
  const credential =
    authorization ?? `Credential=${new URL(url, 'http://s3').searchParams.get('X-Amz-Credential') ?? ''}`;
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(credential)?.[1];
  if (accessKeyId && !AWSAccount.registry.has(accessKeyId))
    AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, accessKeyId);
}
