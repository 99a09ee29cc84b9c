import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLOUDFRONT_API_PREFIX, readBody } from '../edge';
import { LOCAL_ACCOUNT_ID } from '../service';

/**
 * CloudFront invalidations (REST-XML, API version 2020-05-31): CreateInvalidation, GetInvalidation,
 * ListInvalidations, and GetDistribution and GetDistributionConfig, for the distributions the stack registers
 * (with the cache behaviours it gives them, function associations included), and GetResponseHeadersPolicy for the
 * policies it makes (their id, name and comment; the guest site serves their headers). An invalidation is Completed at once:
 * it evicts whatever edge cache listens (the wiring's guest site) synchronously.
 */

interface Invalidation {
  id: string;
  distributionId: string;
  callerReference: string;
  paths: string[];
  createTime: string;
}

/** What a registered distribution answers GetDistribution with; the rest is CloudFront's defaults. */
export interface DistributionSettings {
  /** The origin's domain, e.g. an S3 bucket's regional domain. */
  originDomainName?: string;
  comment?: string;
  defaultRootObject?: string;
  /** Cache behaviours besides the default, in order: a path pattern and the functions it runs. */
  cacheBehaviors?: CacheBehaviorSettings[];
}

/** One cache behaviour: the paths it serves, its CloudFront Function associations, its response headers policy. */
export interface CacheBehaviorSettings {
  pathPattern: string;
  functionAssociations?: { functionArn: string; eventType: 'viewer-request' | 'viewer-response' }[];
  responseHeadersPolicyId?: string;
}

interface Distribution extends Required<DistributionSettings> {
  id: string;
  createdAt: string;
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
  private readonly distributions = new Map<string, Distribution>();
  private readonly headersPolicies = new Map<
    string,
    { id: string; name: string; comment: string; createdAt: string }
  >();
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

  addDistribution(id: string, settings: DistributionSettings = {}): void {
    this.distributions.set(id, {
      id,
      originDomainName: settings.originDomainName ?? `${id.toLowerCase()}-origin.s3.amazonaws.com`,
      comment: settings.comment ?? '',
      defaultRootObject: settings.defaultRootObject ?? '',
      cacheBehaviors: settings.cacheBehaviors ?? [],
      createdAt: new Date().toISOString(),
    });
  }

  /** A response headers policy the stack made: GetResponseHeadersPolicy answers its id, name and comment. */
  addResponseHeadersPolicy(id: string, name: string, comment = ''): void {
    this.headersPolicies.set(id, { id, name, comment, createdAt: new Date().toISOString() });
  }

  /**
   * Replaces a distribution's cache behaviours, as an UpdateDistribution of them would (the stack refuses that
   * call): how a test takes a function off a behaviour, or puts it back.
   */
  setCacheBehaviors(id: string, cacheBehaviors: CacheBehaviorSettings[]): void {
    this.distribution(id).cacheBehaviors = cacheBehaviors;
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
      if (req.method === 'GET' && segments[0] === 'distribution' && segments[1] && segments.length <= 3) {
        // GetDistribution (distribution/Id) and GetDistributionConfig (distribution/Id/config), each with the ETag
        // an UpdateDistribution would send back as If-Match.
        const distribution = this.distribution(segments[1]);
        const config = distributionConfigXml(distribution);
        const etag = `E${createHash('md5').update(config).digest('hex').toUpperCase().slice(0, 13)}`;
        if (segments.length === 2) return sendXml(res, 200, distributionXml(distribution, config), { etag });
        if (segments[2] === 'config')
          return sendXml(res, 200, config.replace('<DistributionConfig>', `<DistributionConfig xmlns="${NS}">`), {
            etag,
          });
      }
      if (req.method === 'GET' && segments[0] === 'response-headers-policy' && segments[1] && segments.length <= 3) {
        // GetResponseHeadersPolicy (response-headers-policy/Id) and GetResponseHeadersPolicyConfig (.../config).
        const policy = this.headersPolicies.get(segments[1]);
        if (!policy)
          throw new CloudFrontError(
            'NoSuchResponseHeadersPolicy',
            `The response headers policy does not exist: ${segments[1]}`,
            404,
          );
        const config = `<ResponseHeadersPolicyConfig><Comment>${escapeXml(policy.comment)}</Comment><Name>${escapeXml(policy.name)}</Name></ResponseHeadersPolicyConfig>`;
        const etag = `E${createHash('md5').update(config).digest('hex').toUpperCase().slice(0, 13)}`;
        if (segments.length === 2)
          return sendXml(
            res,
            200,
            `<ResponseHeadersPolicy xmlns="${NS}"><Id>${policy.id}</Id><LastModifiedTime>${policy.createdAt}</LastModifiedTime>${config}</ResponseHeadersPolicy>`,
            { etag },
          );
        if (segments[2] === 'config')
          return sendXml(
            res,
            200,
            config.replace('<ResponseHeadersPolicyConfig>', `<ResponseHeadersPolicyConfig xmlns="${NS}">`),
            { etag },
          );
      }
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
      throw new CloudFrontError(
        'UnsupportedOperation',
        `not supported by charterflow local: cloudfront.${refusedOperation(req.method ?? 'GET', path)}`,
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

  private distribution(id: string): Distribution {
    const distribution = this.distributions.get(id);
    if (!distribution)
      throw new CloudFrontError('NoSuchDistribution', `The specified distribution does not exist: ${id}`, 404);
    return distribution;
  }

  private save(): void {
    if (!this.file) return;
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.invalidations, null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

/**
 * The name of a refused call, with the nearest operation the stack answers where one applies; a route not
 * listed is named by its method and path.
 */
const REFUSED: [method: string, route: RegExp, name: string][] = [
  ['GET', /^distribution\/?$/, 'ListDistributions (GetDistribution answers a known Id)'],
  ['POST', /^distribution\/?$/, 'CreateDistribution'],
  ['PUT', /^distribution\/[^/]+\/config$/, 'UpdateDistribution (GetDistributionConfig answers the config)'],
  ['DELETE', /^distribution\/[^/]+$/, 'DeleteDistribution'],
];

function refusedOperation(method: string, path: string): string {
  return REFUSED.find(([m, route]) => m === method && route.test(path))?.[2] ?? `${method} /${path}`;
}

/** Does a CloudFront invalidation path cover this request path? A trailing * matches any rest. */
export function pathMatches(invalidationPath: string, path: string): boolean {
  if (invalidationPath.endsWith('*')) return path.startsWith(invalidationPath.slice(0, -1));
  return invalidationPath === path;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((p, i) => p === [...b].sort()[i]);
}

/**
 * A deployed distribution: one S3 origin, its default cache behaviour, no aliases, CloudFront's certificate.
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetDistribution.html
 */
function distributionXml(d: Distribution, config: string): string {
  return (
    `<Distribution xmlns="${NS}"><Id>${d.id}</Id><ARN>arn:aws:cloudfront::${LOCAL_ACCOUNT_ID}:distribution/${d.id}</ARN>` +
    `<Status>Deployed</Status><LastModifiedTime>${d.createdAt}</LastModifiedTime><InProgressInvalidationBatches>0</InProgressInvalidationBatches>` +
    `<DomainName>${d.id.toLowerCase()}.cloudfront.net</DomainName>` +
    '<ActiveTrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedSigners>' +
    `<ActiveTrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedKeyGroups>${config}</Distribution>`
  );
}

function distributionConfigXml(d: Distribution): string {
  const originId = `S3-${d.originDomainName.split('.')[0]}`;
  const methods = '<Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items>';
  return (
    `<DistributionConfig><CallerReference>${d.id}</CallerReference><Aliases><Quantity>0</Quantity></Aliases>` +
    `<DefaultRootObject>${escapeXml(d.defaultRootObject)}</DefaultRootObject>` +
    `<Origins><Quantity>1</Quantity><Items><Origin><Id>${escapeXml(originId)}</Id><DomainName>${escapeXml(d.originDomainName)}</DomainName>` +
    '<OriginPath></OriginPath><CustomHeaders><Quantity>0</Quantity></CustomHeaders><S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig>' +
    '<ConnectionAttempts>3</ConnectionAttempts><ConnectionTimeout>10</ConnectionTimeout></Origin></Items></Origins>' +
    '<OriginGroups><Quantity>0</Quantity></OriginGroups>' +
    `<DefaultCacheBehavior><TargetOriginId>${escapeXml(originId)}</TargetOriginId>` +
    '<TrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></TrustedSigners><TrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></TrustedKeyGroups>' +
    `<ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy><AllowedMethods>${methods}<CachedMethods>${methods}</CachedMethods></AllowedMethods>` +
    '<SmoothStreaming>false</SmoothStreaming><Compress>true</Compress><LambdaFunctionAssociations><Quantity>0</Quantity></LambdaFunctionAssociations>' +
    '<FunctionAssociations><Quantity>0</Quantity></FunctionAssociations><FieldLevelEncryptionId></FieldLevelEncryptionId>' +
    '<CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId></DefaultCacheBehavior>' +
    `${cacheBehaviorsXml(d.cacheBehaviors, originId, methods)}<CustomErrorResponses><Quantity>0</Quantity></CustomErrorResponses>` +
    `<Comment>${escapeXml(d.comment)}</Comment><Logging><Enabled>false</Enabled><IncludeCookies>false</IncludeCookies><Bucket></Bucket><Prefix></Prefix></Logging>` +
    '<PriceClass>PriceClass_All</PriceClass><Enabled>true</Enabled>' +
    '<ViewerCertificate><CloudFrontDefaultCertificate>true</CloudFrontDefaultCertificate><MinimumProtocolVersion>TLSv1</MinimumProtocolVersion><CertificateSource>cloudfront</CertificateSource></ViewerCertificate>' +
    '<Restrictions><GeoRestriction><RestrictionType>none</RestrictionType><Quantity>0</Quantity></GeoRestriction></Restrictions>' +
    '<WebACLId></WebACLId><HttpVersion>http2</HttpVersion><IsIPV6Enabled>true</IsIPV6Enabled></DistributionConfig>'
  );
}

/** https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CacheBehavior.html */
function cacheBehaviorsXml(behaviors: CacheBehaviorSettings[], originId: string, methods: string): string {
  const items = behaviors.map((b) => {
    const functions = b.functionAssociations ?? [];
    const associations = functions
      .map(
        (f) =>
          `<FunctionAssociation><FunctionARN>${escapeXml(f.functionArn)}</FunctionARN><EventType>${f.eventType}</EventType></FunctionAssociation>`,
      )
      .join('');
    return (
      `<CacheBehavior><PathPattern>${escapeXml(b.pathPattern)}</PathPattern><TargetOriginId>${escapeXml(originId)}</TargetOriginId>` +
      '<TrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></TrustedSigners><TrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></TrustedKeyGroups>' +
      `<ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy><AllowedMethods>${methods}<CachedMethods>${methods}</CachedMethods></AllowedMethods>` +
      '<SmoothStreaming>false</SmoothStreaming><Compress>true</Compress><LambdaFunctionAssociations><Quantity>0</Quantity></LambdaFunctionAssociations>' +
      `<FunctionAssociations><Quantity>${functions.length}</Quantity>${functions.length ? `<Items>${associations}</Items>` : ''}</FunctionAssociations>` +
      '<FieldLevelEncryptionId></FieldLevelEncryptionId><CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId>' +
      `${b.responseHeadersPolicyId ? `<ResponseHeadersPolicyId>${escapeXml(b.responseHeadersPolicyId)}</ResponseHeadersPolicyId>` : ''}</CacheBehavior>`
    );
  });
  return `<CacheBehaviors><Quantity>${items.length}</Quantity>${items.length ? `<Items>${items.join('')}</Items>` : ''}</CacheBehaviors>`;
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
