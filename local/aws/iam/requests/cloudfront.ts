import type { ArnContext, Authorizations } from '../model';

/**
 * CloudFront's authorizations: cloudfront:<Operation> on `arn:aws:cloudfront::<account>:distribution/<id>` (a global
 * service: no region in its ARNs), the operation named by the REST method and path under /2020-05-31/.
 */

const ROUTES: [method: string, path: RegExp, operation: string][] = [
  ['GET', /^distribution\/([^/]+)$/, 'GetDistribution'],
  ['GET', /^distribution\/([^/]+)\/config$/, 'GetDistributionConfig'],
  ['PUT', /^distribution\/([^/]+)\/config$/, 'UpdateDistribution'],
  ['DELETE', /^distribution\/([^/]+)$/, 'DeleteDistribution'],
  ['POST', /^distribution\/([^/]+)\/invalidation$/, 'CreateInvalidation'],
  ['GET', /^distribution\/([^/]+)\/invalidation$/, 'ListInvalidations'],
  ['GET', /^distribution\/([^/]+)\/invalidation\/[^/]+$/, 'GetInvalidation'],
];

/** As local/aws/edge.ts routes it (not imported from there: the edge imports IAM). */
const CLOUDFRONT_API_VERSION_PREFIX = '/2020-05-31/';

export function cloudFrontAuthorizations(method: string, url: string, arns: ArnContext): Authorizations {
  const path = url.split('?')[0]!;
  const route = path.startsWith(CLOUDFRONT_API_VERSION_PREFIX)
    ? path.slice(CLOUDFRONT_API_VERSION_PREFIX.length)
    : path;
  if (method === 'GET' && route === 'distribution') {
    // No resource-level permission: AWS checks it against "*".
    return { authorizations: [{ action: 'cloudfront:ListDistributions', resource: '*' }] };
  }
  for (const [routeMethod, pattern, operation] of ROUTES) {
    const match = routeMethod === method ? pattern.exec(route) : null;
    if (!match) continue;
    const distribution = decodeURIComponent(match[1]!);
    return {
      authorizations: [
        {
          action: `cloudfront:${operation}`,
          resource: `arn:aws:cloudfront::${arns.accountId}:distribution/${distribution}`,
        },
      ],
    };
  }
  return { unknown: `cloudfront.${method} ${path} is not known to the local IAM` };
}
