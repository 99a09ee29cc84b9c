import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLOUDFRONT_API_PREFIX, readBody } from '../edge';

/**
 * CloudFront invalidations (REST-XML, API version 2020-05-31): CreateInvalidation, GetInvalidation,
 * ListInvalidations, for the distributions the stack registers. An invalidation is Completed at once:
 * it evicts whatever edge cache listens (the wiring's guest site) synchronously.
 */

interface Invalidation {
  id: string;
  distributionId: string;
  callerReference: string;
  paths: string[];
  createTime: string;
}

export type InvalidationListener = (distributionId: string, paths: string[]) => void;

const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

class CloudFrontError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class LocalCloudFront {
  private readonly invalidations: Invalidation[] = [];
  private readonly distributions = new Set<string>();
  private readonly listeners: InvalidationListener[] = [];
  private readonly file?: string;

  constructor(options: { dataDir?: string } = {}) {
    if (options.dataDir) {
      mkdirSync(options.dataDir, { recursive: true });
      this.file = join(options.dataDir, 'cloudfront-invalidations.json');
      if (existsSync(this.file))
        this.invalidations.push(...(JSON.parse(readFileSync(this.file, 'utf8')) as Invalidation[]));
    }
  }

  addDistribution(id: string): void {
    this.distributions.add(id);
  }

  onInvalidation(listener: InvalidationListener): void {
    this.listeners.push(listener);
  }

  createInvalidation(
    distributionId: string,
    callerReference: string,
    paths: string[],
  ): { invalidation: Invalidation; created: boolean } {
    this.distribution(distributionId);
    if (!callerReference) throw new CloudFrontError('InvalidArgument', 'CallerReference is required.', 400);
    if (!paths.length)
      throw new CloudFrontError('InvalidArgument', 'Your request contains no paths to invalidate.', 400);
    const bad = paths.find((p) => !p.startsWith('/') || (p.includes('*') && !p.endsWith('*')));
    if (bad)
      throw new CloudFrontError(
        'InvalidArgument',
        `Your request contains one or more invalid invalidation paths: ${bad}`,
        400,
      );
    // Same CallerReference: the same batch returns the existing invalidation; other paths are an error (as AWS).
    const previous = this.invalidations.find(
      (i) => i.distributionId === distributionId && i.callerReference === callerReference,
    );
    if (previous) {
      if (sameSet(previous.paths, paths)) return { invalidation: previous, created: false };
      throw new CloudFrontError(
        'InvalidationBatchAlreadyExists',
        `An invalidation batch with CallerReference ${callerReference} already exists with other paths.`,
        409,
      );
    }
    const invalidation: Invalidation = {
      id: `I${randomBytes(12).toString('hex').toUpperCase().slice(0, 13)}`,
      distributionId,
      callerReference,
      paths,
      createTime: new Date().toISOString(),
    };
    this.invalidations.push(invalidation);
    this.save();
    for (const listener of this.listeners) listener(distributionId, paths);
    return { invalidation, created: true };
  }

  list(distributionId: string): Invalidation[] {
    this.distribution(distributionId);
    return this.invalidations.filter((i) => i.distributionId === distributionId).reverse();
  }

  handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!.slice(CLOUDFRONT_API_PREFIX.length);
    const segments = path.split('/').map(decodeURIComponent);
    try {
      if (segments[0] === 'distribution' && segments[1] && segments[2] === 'invalidation') {
        const distributionId = segments[1];
        if (req.method === 'POST' && segments.length === 3) {
          const xml = body.toString('utf8');
          const { invalidation } = this.createInvalidation(
            distributionId,
            tag(xml, 'CallerReference') ?? '',
            tags(xml, 'Path'),
          );
          const location = `https://cloudfront.amazonaws.com/2020-05-31/distribution/${distributionId}/invalidation/${invalidation.id}`;
          return sendXml(res, 201, invalidationXml(invalidation), { location });
        }
        if (req.method === 'GET' && segments.length === 4) {
          const invalidation = this.list(distributionId).find((i) => i.id === segments[3]);
          if (!invalidation)
            throw new CloudFrontError(
              'NoSuchInvalidation',
              `The specified invalidation does not exist: ${segments[3]}`,
              404,
            );
          return sendXml(res, 200, invalidationXml(invalidation));
        }
        if (req.method === 'GET' && segments.length === 3) {
          const query = new URL(req.url ?? '/', 'http://cloudfront').searchParams;
          return sendXml(
            res,
            200,
            invalidationListXml(this.list(distributionId), query.get('Marker') ?? '', query.get('MaxItems')),
          );
        }
      }
      const operation = `${req.method} /${path}`;
      throw new CloudFrontError(
        'UnsupportedOperation',
        `not supported by charterflow local: cloudfront.${operation}`,
        501,
      );
    } catch (err) {
      const e = err instanceof CloudFrontError ? err : new CloudFrontError('InternalError', String(err), 500);
      sendXml(
        res,
        e.status,
        `<ErrorResponse xmlns="${NS}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code>` +
          `<Message>${escapeXml(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    }
  };

  private distribution(id: string): void {
    if (!this.distributions.has(id))
      throw new CloudFrontError('NoSuchDistribution', `The specified distribution does not exist: ${id}`, 404);
  }

  private save(): void {
    if (!this.file) return;
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.invalidations, null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

/** Does a CloudFront invalidation path cover this request path? A trailing * matches any rest. */
export function pathMatches(invalidationPath: string, path: string): boolean {
  if (invalidationPath.endsWith('*')) return path.startsWith(invalidationPath.slice(0, -1));
  return invalidationPath === path;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((p, i) => p === [...b].sort()[i]);
}

function invalidationXml(i: Invalidation): string {
  const paths = i.paths.map((p) => `<Path>${escapeXml(p)}</Path>`).join('');
  return (
    `<Invalidation xmlns="${NS}"><Id>${i.id}</Id><Status>Completed</Status><CreateTime>${i.createTime}</CreateTime>` +
    `<InvalidationBatch><Paths><Quantity>${i.paths.length}</Quantity><Items>${paths}</Items></Paths>` +
    `<CallerReference>${escapeXml(i.callerReference)}</CallerReference></InvalidationBatch></Invalidation>`
  );
}

/**
 * Newest first, MaxItems at a time (default 100); Marker is the Id the previous page ended with (NextMarker).
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ListInvalidations.html
 */
function invalidationListXml(all: Invalidation[], marker: string, maxItemsText: string | null): string {
  const maxItems = maxItemsText === null ? 100 : Number(maxItemsText);
  if (!Number.isInteger(maxItems) || maxItems < 0)
    throw new CloudFrontError('InvalidArgument', `MaxItems must be a non-negative integer: ${maxItemsText}`, 400);
  const start = marker ? all.findIndex((i) => i.id === marker) + 1 : 0;
  const list = all.slice(start, start + maxItems);
  const truncated = start + list.length < all.length;
  const items = list
    .map(
      (i) =>
        `<InvalidationSummary><Id>${i.id}</Id><CreateTime>${i.createTime}</CreateTime><Status>Completed</Status></InvalidationSummary>`,
    )
    .join('');
  return (
    `<InvalidationList xmlns="${NS}"><Marker>${escapeXml(marker)}</Marker>` +
    `${truncated && list.length ? `<NextMarker>${list.at(-1)!.id}</NextMarker>` : ''}<MaxItems>${maxItems}</MaxItems>` +
    `<IsTruncated>${truncated}</IsTruncated><Quantity>${list.length}</Quantity>${list.length ? `<Items>${items}</Items>` : ''}</InvalidationList>`
  );
}

function sendXml(res: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  const payload = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(payload),
    'x-amz-request-id': randomUUID(),
    ...headers,
  });
  res.end(payload);
}

// The request body is one fixed, flat shape (InvalidationBatch): two regexes read it without an XML library.
function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? unescapeXml(m[1]!) : undefined;
}

function tags(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => unescapeXml(m[1]!));
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
