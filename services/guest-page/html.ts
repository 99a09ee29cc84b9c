/**
 * Escaping for the three contexts a booking value can land in on the guest page. Own code rather than a
 * template library: three small functions, no dependency in the Lambda bundle, and each is tested directly.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text between tags, and the value of a double- or single-quoted attribute (we always quote attributes). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
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
export const sitePath = (...segments: string[]) => '/' + segments.map(encodeURIComponent).join('/');
