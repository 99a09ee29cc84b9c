/**
 * Escaping for a value placed in HTML text or in a quoted attribute value, for every service that writes HTML
 * (the guest page, the guest mail). Own code rather than a library: one replace, no dependency in the bundles.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text between tags, and the value of a double- or single-quoted attribute (always quote attributes). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}
