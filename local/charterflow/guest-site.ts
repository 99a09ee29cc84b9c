import { listenOnLoopback } from '../listen';
import { createServer, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  isCloudFrontResponse,
  cloudFrontFunctionOf,
  loadCloudFrontFunction,
  viewerRequestEvent,
  type CloudFrontValue,
} from '../aws/cloudfront/function';
import { pathMatches, type LocalCloudFront } from '../aws/cloudfront';
import { GUEST_PAGE_PATH_PATTERN, securityHeadersOf } from '../../services/guest-page/security-headers';

/**
 * The guest site as guests see it through CloudFront: the distribution's viewer-request function (the very
 * file deployed), an edge cache honouring Cache-Control, evicted by CreateInvalidation, the bucket as
 * origin, read with the S3 SDK from our own edge, and the guest page's response headers policy (the very
 * configuration deployed) on the guest-page behaviour.
 */

export interface GuestSiteOptions {
  port?: number;
  awsEndpoint: string;
  region: string;
  bucket: string;
  distributionId: string;
  cloudFront: LocalCloudFront;
  functionFile?: string | URL;
  /** The viewer-request function's code as the template holds it; takes the place of functionFile. */
  functionCode?: { name: string; code: string };
}

export interface GuestSite {
  url: string;
  stop(): Promise<void>;
}

interface CachedObject {
  /** The path the viewer asked for and the origin path after the function: an invalidation of either evicts. */
  viewerPath: string;
  originPath: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  expiresAt: number;
  storedAt: number;
}

const DEFAULT_FUNCTION = new URL('../../services/guest-page/cloudfront-function.js', import.meta.url);
const GUEST_PAGE_HEADERS = securityHeadersOf();
// CloudFront's CachingOptimized policy: default TTL one day when the origin sends no max-age.
const DEFAULT_TTL_SECONDS = 86_400;
const ORIGIN_RESPONSE_TIMEOUT_MS = 30_000;

export async function startGuestSite(options: GuestSiteOptions): Promise<GuestSite> {
  const viewerRequest = options.functionCode
    ? cloudFrontFunctionOf(options.functionCode.code, options.functionCode.name)
    : loadCloudFrontFunction(options.functionFile ?? DEFAULT_FUNCTION);
  const s3 = new S3Client({
    region: options.region,
    endpoint: options.awsEndpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'guest-site', secretAccessKey: 'guest-site' },
    // CloudFront waits 30 s for an origin's answer (the default origin response timeout), then answers 504.
    requestHandler: { requestTimeout: ORIGIN_RESPONSE_TIMEOUT_MS },
  });
  const cache = new Map<string, CachedObject>();

  options.cloudFront.onInvalidation((distributionId, paths) => {
    if (distributionId !== options.distributionId) return;
    for (const [key, entry] of cache) {
      if (paths.some((p) => pathMatches(p, entry.viewerPath) || pathMatches(p, entry.originPath))) cache.delete(key);
    }
  });

  const server = createServer((req, res) => {
    serve(req.method ?? 'GET', req.url ?? '/', req.headers, req.socket.remoteAddress ?? '127.0.0.1', res).catch(
      (err: unknown) => {
        if (res.headersSent) return void res.destroy();
        const timedOut = err instanceof Error && err.name === 'TimeoutError';
        send(
          res,
          timedOut ? 504 : 502,
          { 'content-type': 'text/plain' },
          Buffer.from(timedOut ? 'the origin did not answer in time' : `origin error: ${String(err)}`),
        );
      },
    );
  });

  async function serve(
    method: string,
    url: string,
    headers: Record<string, string | string[] | undefined>,
    ip: string,
    res: ServerResponse,
  ) {
    // CloudFront picks the cache behaviour by the viewer's path, before any function runs; the response
    // headers policy of that behaviour overrides the origin's headers on every answer.
    const policy = pathMatches(GUEST_PAGE_PATH_PATTERN, new URL(url, 'http://guest-site').pathname)
      ? GUEST_PAGE_HEADERS
      : {};
    const reply = (status: number, sent: Record<string, string>, body: Buffer) =>
      send(res, status, { ...sent, ...policy }, body, method);
    if (method !== 'GET' && method !== 'HEAD') {
      return reply(
        403,
        { 'content-type': 'text/plain' },
        Buffer.from('This distribution is not configured to allow the HTTP request method used.'),
      );
    }
    const event = viewerRequestEvent({
      method,
      url,
      headers,
      ip,
      distributionId: options.distributionId,
      distributionDomainName: `${options.distributionId.toLowerCase()}.cloudfront.net`,
      requestId: randomUUID(),
    });
    const result = viewerRequest(event);
    if (isCloudFrontResponse(result)) {
      const body =
        typeof result.body === 'string'
          ? Buffer.from(result.body)
          : result.body
            ? Buffer.from(result.body.data, result.body.encoding === 'base64' ? 'base64' : 'utf8')
            : Buffer.alloc(0);
      return reply(result.statusCode, flatten(result.headers ?? {}), body);
    }

    const viewerPath = event.request.uri;
    const originPath = result.uri;
    const key = `${originPath}?${new URLSearchParams(Object.entries(result.querystring ?? {}).map(([k, v]): [string, string] => [k, v.value])).toString()}`;
    const cached = cache.get(key);
    const now = Date.now();
    if (cached && cached.expiresAt > now) {
      const age = String(Math.floor((now - cached.storedAt) / 1000));
      return reply(cached.status, { ...cached.headers, age, 'x-cache': 'Hit from cloudfront' }, cached.body);
    }

    const object = await fetchOrigin(originPath);
    const ttl = ttlOf(object.headers['cache-control']);
    if (object.status === 200 && ttl > 0) {
      cache.set(key, { viewerPath, originPath, ...object, storedAt: now, expiresAt: now + ttl * 1000 });
    }
    return reply(
      object.status,
      { ...object.headers, 'x-cache': object.status === 200 ? 'Miss from cloudfront' : 'Error from cloudfront' },
      object.body,
    );
  }

  async function fetchOrigin(
    originPath: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const objectKey = originPath.replace(/^\//, '') || 'index.html';
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: objectKey }));
      const headers: Record<string, string> = {};
      if (object.ContentType) headers['content-type'] = object.ContentType;
      if (object.CacheControl) headers['cache-control'] = object.CacheControl;
      if (object.ETag) headers.etag = object.ETag;
      if (object.LastModified) headers['last-modified'] = object.LastModified.toUTCString();
      return { status: 200, headers, body: Buffer.from(await object.Body!.transformToByteArray()) };
    } catch (err) {
      // A private S3 origin answers 403 for a missing key (no ListBucket for CloudFront), as guests would see.
      if (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404)) {
        return {
          status: 403,
          headers: { 'content-type': 'application/xml' },
          body: Buffer.from('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'),
        };
      }
      throw err;
    }
  }

  const listening = await listenOnLoopback(server, options.port ?? 8080);
  return {
    url: listening.url,
    stop: async () => {
      await listening.close();
      s3.destroy();
    },
  };
}

/** Seconds the edge keeps an object: s-maxage, else max-age, else the default TTL; none when told not to store. */
export function ttlOf(cacheControl: string | undefined): number {
  if (!cacheControl) return DEFAULT_TTL_SECONDS;
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache' || d === 'private')) return 0;
  const seconds = (name: string) => {
    const d = directives.find((x) => x.startsWith(`${name}=`));
    return d ? Number(d.slice(name.length + 1)) : undefined;
  };
  return seconds('s-maxage') ?? seconds('max-age') ?? DEFAULT_TTL_SECONDS;
}

function flatten(headers: Record<string, CloudFrontValue>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.value]));
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer,
  method = 'GET',
): void {
  res.writeHead(status, { ...headers, 'content-length': body.length });
  res.end(method === 'HEAD' ? undefined : body);
}
