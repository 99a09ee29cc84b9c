import { createHash } from 'node:crypto';
import { escapeHtml } from '../../shared/html-escape';
import { pageContentSecurityPolicy } from './security-headers';

/**
 * Escaping for the three contexts a booking value can land in on the guest page (text and quoted attributes
 * with the escaping every service shares, URLs here), and the document every guest page is written into.
 * Own code rather than a template library: small functions, no dependency in the Lambda bundle, each tested.
 */

export { escapeHtml };

/**
 * A guest page's document: no script may run on it, even if an escaping bug ever let markup through. Its own
 * policy (beside the one the guest site sends over HTTP, security-headers.ts) allows no script at all, only
 * its inline style (by hash) and images from this site; it travels with the page wherever it is served.
 */
export function guestDocument(page: { title: string; css: string; main: string }): string {
  const policy = pageContentSecurityPolicy(createHash('sha256').update(page.css, 'utf8').digest('base64'));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy)}">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${escapeHtml(page.title)}</title>
<style>${page.css}</style>
</head>
<body>
<main>
${page.main}
</main>
</body>
</html>
`;
}

export class UnsafeUrl extends Error {
  override readonly name = 'UnsafeUrl';
  constructor(readonly url: string) {
    super(`refusing to link ${JSON.stringify(url.slice(0, 80))}: only https, http and same-site paths are linked`);
  }
}

/**
 * A URL fit for href/src: absolute http(s), or a path on this site ("/assets/..."). Everything else
 * (javascript:, data:, vbscript:, protocol-relative "//host", "/\host" which browsers treat alike) is refused.
 * The URL is parsed the way a browser would, so "java\tscript:" or " JAVASCRIPT:" cannot slip through.
 */
export function safeUrl(url: string): string {
  const trimmed = url.trim();
  if (/^\/(?![/\\])/.test(trimmed)) {
    const parsed = new URL(trimmed, 'https://same-site.invalid');
    if (parsed.origin === 'https://same-site.invalid') return parsed.pathname + parsed.search + parsed.hash;
    throw new UnsafeUrl(url);
  }
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new UnsafeUrl(url);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new UnsafeUrl(url);
  return parsed.href;
}

/** An attribute value holding a URL: checked, then escaped. */
export const urlAttribute = (url: string) => escapeHtml(safeUrl(url));

/** A map search for a place, as a link any phone opens in its maps app. */
export function mapsUrl(query: string): string {
  const url = new URL('https://www.google.com/maps/search/');
  url.searchParams.set('api', '1');
  url.searchParams.set('query', query);
  return url.href;
}

/** A path on the guest site from raw segments, each percent-encoded (a listing id is never trusted). */
export const sitePath = (...segments: string[]) => `/${segments.map(encodeURIComponent).join('/')}`;
