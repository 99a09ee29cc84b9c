/**
 * What makes a figure money, and who on a charter is paid: the one list of currencies and crew roles. Scrub
 * (services/scrub/notes.ts) and the guest page's redaction (services/guest-page/redact.ts) both read prices
 * with it, so a currency one of them knows the other knows too: "Boatsetter fee ₹217" was kept in the crew
 * notes while the guest page already took "₹217" out.
 */

/** Currency symbols as people and Intl write them. A dollar with letters before it ("US$", "CA$", "A$") is read apart. */
export const CURRENCY_SYMBOLS = ['$', '€', '£', '¥', '₹', '₩', '₱'] as const;

/** ISO 4217 codes of the currencies a charter is paid in, written before or after the amount. */
export const CURRENCY_CODES = [
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'MXN',
  'AUD',
  'NZD',
  'CHF',
  'JPY',
  'CNY',
  'HKD',
  'SGD',
  'SEK',
  'NOK',
  'DKK',
  'BRL',
  'INR',
  'KRW',
  'PHP',
] as const;

/**
 * The crew of a charter, each paid for the trip: a role named with a fee, pay or wage ("Deckhand wages: 120"),
 * or with money ("Chef $150"), is the operator's figure. Singular, lower case; scrub adds plurals and possessives.
 */
export const CREW_ROLES = ['captain', 'skipper', 'mate', 'deckhand', 'crew', 'chef', 'steward', 'stewardess'] as const;

/** The symbols escaped for use inside a regular-expression character class, "$€£¥₹₩₱". */
export const currencySymbolsInClass = (): string =>
  CURRENCY_SYMBOLS.map((symbol) => symbol.replace(/[\\\]^[-]/g, '\\$&')).join('');

/** The symbols as one regular-expression character class, "[$€£¥₹₩₱]". */
export const currencySymbolClass = (): string => `[${currencySymbolsInClass()}]`;

/** The codes as one regular-expression alternation, "USD|EUR|...". */
export const currencyCodeAlternation = (): string => CURRENCY_CODES.join('|');
