/**
 * What the public guest page must never show, whichever field it came in: an email address, a phone number
 * or a price. Every free-text value from the booking passes through `redact` before it is rendered.
 *
 * Own code rather than a validator library (libphonenumber and the like): those find numbers and addresses
 * that are valid, while a page that must never show one has to take out whatever looks like one, a mistyped
 * number or an address without a domain included. So the patterns err towards removal: any 7 or more digits
 * written as one number, anything around an "@", any amount next to a currency.
 */

import { currencyCodeAlternation, currencySymbolClass } from '../../shared/money-words';

export const REMOVED = '(removed)';

// "dana@example.net", "dana@example", "dana [at] example [dot] net", "dana(at)example.net".
// The local part may hold any of !#$%&'*+-/=?^_`{|}~ (RFC 5322), so only what cannot be in an address ends it.
const WORD = String.raw`[^\s@<>()\[\],;:"\\]+`;
const AT = String.raw`(?:@|\s*[\[({]\s*at\s*[\])}]\s*)`;
const DOT = String.raw`(?:\s*[\[({]\s*dot\s*[\])}]\s*${WORD})*`;
const EMAIL = `${WORD}${AT}${WORD}${DOT}`;
// Seven or more digits with nothing but spaces, dashes, dots, slashes or parentheses between them:
// "+1 619 555 0142", "(619) 555-0142", "619.555.0142", "555-0142", "+44 20 7946 0958".
const PHONE = String.raw`\+?\(?\d(?:[\s\-./()]{0,3}\d){6,}\)?`;
// The currencies scrub reads revenue with too (shared/money-words.ts), and dollars such as "US$".
const CURRENCY = String.raw`(?:${currencySymbolClass()}|\b[A-Z]{1,3}\$|\b(?:${currencyCodeAlternation()})\b)`;
const NUMBER = String.raw`\d(?:[\d,.'’\s]*\d)?(?:\s?[kK]\b)?`;
// "$1,450", "USD 250", "250 USD", "1450 dollars", "1,450.00": a currency next to a number, or a number in
// thousands with cents, which is money whatever its currency.
const PRICE = String.raw`(?:${CURRENCY}\s*[-+]?${NUMBER}|${NUMBER}\s*(?:${CURRENCY}|(?:dollars?|bucks|euros?|pesos)\b)|\d{1,3}(?:,\d{3})+(?:\.\d{2})?|\b\d+\.\d{2}\b)`;

const PRIVATE = new RegExp(`${EMAIL}|${PHONE}|${PRICE}`, 'giu');

/** The text with every email address, phone number and price replaced by "(removed)". */
export function redact(text: string): string {
  return text.replace(PRIVATE, REMOVED);
}
