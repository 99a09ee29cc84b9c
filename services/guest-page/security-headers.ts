/**
 * The guest page's security headers, in one place, written in CloudFront's own terms (a response headers
 * policy's SecurityHeadersConfig): the deploy template makes the policy from it, the local guest site sends
 * the headers that policy makes CloudFront send, and the page's own meta policy shares its directives.
 *
 * A response headers policy rather than a viewer-response CloudFront Function: it is CloudFront's feature
 * made for this, declared rather than run on every response, and no code of ours can drop a header.
 * Its price is that it applies to a whole cache behaviour, and `default-src 'none'` would break the rest of
 * the site: it goes on the behaviour for GUEST_PAGE_PATH_PATTERN only (README, Deploy).
 */

/** The cache behaviour that serves guest pages, and the only one the policy may be attached to. */
export const GUEST_PAGE_PATH_PATTERN = '/g/*';

// No script at all, images from this site only, nothing to post to, and no <base> to re-point links.
const DIRECTIVES = ["default-src 'none'", "img-src 'self'"] as const;
const CLOSING_DIRECTIVES = ["base-uri 'none'", "form-action 'none'"] as const;

/**
 * The policy inside each page (a meta tag): the style allowed is that page's own inline CSS, by its hash.
 * A page keeps the CSS it was published with, so only the page can name its hash.
 */
export function pageContentSecurityPolicy(styleSha256: string): string {
  return [...DIRECTIVES, `style-src 'sha256-${styleSha256}'`, ...CLOSING_DIRECTIVES].join('; ');
}

/**
 * The policy over HTTP, for every guest page, old or new. A browser enforces both policies, so the page's
 * hash still limits its style; and only the header can forbid framing (`frame-ancestors` is ignored in a
 * meta tag, as is X-Frame-Options).
 */
export const GUEST_PAGE_CONTENT_SECURITY_POLICY = [
  ...DIRECTIVES,
  "style-src 'unsafe-inline'",
  ...CLOSING_DIRECTIVES,
  "frame-ancestors 'none'",
].join('; ');

const ONE_YEAR_SECONDS = 31_536_000;

/**
 * HSTS for this host only, a year: includeSubDomains and preload would bind the operator's whole domain,
 * which is theirs to decide. Every header overrides whatever the origin sends.
 */
export const guestPageSecurityHeaders = {
  ContentSecurityPolicy: { ContentSecurityPolicy: GUEST_PAGE_CONTENT_SECURITY_POLICY, Override: true },
  ContentTypeOptions: { Override: true },
  FrameOptions: { FrameOption: 'DENY', Override: true },
  ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
  StrictTransportSecurity: {
    AccessControlMaxAgeSec: ONE_YEAR_SECONDS,
    IncludeSubdomains: false,
    Preload: false,
    Override: true,
  },
} as const;

export type SecurityHeadersConfig = typeof guestPageSecurityHeaders;

/** The HTTP headers CloudFront adds to a response for a policy with this SecurityHeadersConfig. */
export function securityHeadersOf(config: SecurityHeadersConfig = guestPageSecurityHeaders): Record<string, string> {
  const hsts = config.StrictTransportSecurity;
  return {
    'content-security-policy': config.ContentSecurityPolicy.ContentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    'x-frame-options': config.FrameOptions.FrameOption,
    'referrer-policy': config.ReferrerPolicy.ReferrerPolicy,
    'strict-transport-security': [
      `max-age=${hsts.AccessControlMaxAgeSec}`,
      ...(hsts.IncludeSubdomains ? ['includeSubDomains'] : []),
      ...(hsts.Preload ? ['preload'] : []),
    ].join('; '),
  };
}
