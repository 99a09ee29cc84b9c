/**
 * The scrubbing rule: which lines of a crew event's notes are the operator's revenue lines.
 *
 * A line is a revenue line when, after optional indentation, a bullet ("-", "*", "•", "1." ...) and up to two
 * short leading labels ("Internal:", "[Private]", "(ops)"), it starts with a revenue label:
 *   Revenue (also Gross/Total/Net Revenue), Captain Fee(s) / Captain's Fee, Crew Cost(s), Port Fee(s),
 *   Your Net, Net, Owner Payout, Boatsetter Fee,
 * in any letter case, followed by
 *   - a colon or "=" and anything at all ("Revenue: TBD" is still a revenue field), except for the bare
 *     label "Net", an ordinary English word, which needs an amount ("Net: $827.50", not "Net: the blue one");
 *   - or a dash or plain spaces and an amount that ends the line or is followed by "/", "|", ",", ";" or "(".
 * An amount is digits with optional "," "." "'" or space grouping, an optional sign or parentheses, and an
 * optional currency symbol ($ € £ ¥ CA$ MX$ ...) or code (USD, EUR, ...) on either side.
 * Anywhere else in a line, "<revenue label>: <amount>" also marks the line ("Dana's group - Revenue: $1,450"),
 * and so does "net: <amount with a currency>".
 *
 * Deliberately kept (they are crew information, not money): "Meet at Net Yard dock", "Crew costs are covered
 * by the owner", "Bring $20 cash for port fees", "Net 30 days" (an amount followed by words).
 * A revenue label with nothing after its colon takes a lone amount on the next line with it ("Revenue:" then
 * "$1,450.00"); a lone amount anywhere else is kept ("$20" under "Tips for the crew" is not ours).
 * When in doubt the rule removes: a removed line is kept in our store for the operator, so erring towards
 * removal loses nothing, while a kept revenue line is seen by the whole crew.
 *
 * Lines end at "\r\n", "\n" or "\r". Every kept line is returned byte for byte with its own line ending; a
 * removed line goes together with its line ending.
 */

export interface ScrubResult {
  /** The notes without revenue lines; identical to the input when nothing was removed. */
  notes: string;
  /** The removed lines, in order, without their line endings. */
  removed: string[];
}

const CURRENCY_CODES = 'USD|EUR|GBP|CAD|MXN|AUD|CHF|JPY|NZD|HKD|SGD|SEK|NOK|DKK|BRL';
// Symbols as Intl writes them: "$", "€", and dollar variants such as "US$", "CA$", "MX$", "A$".
const CURRENCY = `(?:[$€£¥]|\\p{L}{1,2}\\$|${CURRENCY_CODES})`;
// Grouped digits: "1,450.00", "1 450,00", "1'450", "1450".
const DIGITS = `\\d+(?:[.,'\\u00a0\\u202f ]\\d+)*`;
const AMOUNT = `[-+−]?\\(?\\s*(?:${CURRENCY}\\s*)?[-+−]?${DIGITS}\\)?(?:\\s*${CURRENCY}(?!\\p{L}))?`;
// An amount that is surely money: it carries a currency, so "net: 2 rods" is not one.
const MONEY = `(?:${CURRENCY}\\s*[-+−]?${DIGITS}|[-+−]?${DIGITS}\\s*${CURRENCY}(?!\\p{L}))`;

const LABELS = [
  '(?:gross\\s+|total\\s+|net\\s+)?revenues?',
  "captain(?:'s|’s|s)?\\s+fees?",
  'crew\\s+costs?',
  'port\\s+fees?',
  'your\\s+net',
  'owner\\s+payouts?',
  'boatsetter\\s+fees?',
].join('|');

const BULLET = `(?:[-*•·‣◦▪–—>+]+|\\d{1,3}[.)])`;
const LEADING_LABEL = `(?:\\[[^\\]\\r\\n]{1,24}\\]|\\([^)\\r\\n]{1,24}\\)|[\\p{L}][\\p{L} ]{0,23}\\s*[:：])`;
const PREFIX = `^\\s*(?:${BULLET}\\s*)?(?:${LEADING_LABEL}\\s*){0,2}`;
const COLON = `\\s*[:：=]`;
const AFTER_AMOUNT = `\\s*(?:$|[/|,;(])`;

const revenueLine = [
  // "Revenue: anything", "Internal: Captain Fee = 250"
  new RegExp(`${PREFIX}(?:${LABELS})${COLON}`, 'iu'),
  // "Net: $827.50", "- NET: 827.50 USD"
  new RegExp(`${PREFIX}net${COLON}\\s*${AMOUNT}${AFTER_AMOUNT}`, 'iu'),
  // "Revenue $1,450.00", "Your Net - 827.50", "net 827.50 (after fees)"
  new RegExp(`${PREFIX}(?:${LABELS}|net)\\s*(?:[-–—]\\s*)?${AMOUNT}${AFTER_AMOUNT}`, 'iu'),
  // "... Revenue: 1,450" or "... net: $827.50" anywhere in the line
  new RegExp(`(?:^|[^\\p{L}])(?:${LABELS})${COLON}\\s*${AMOUNT}`, 'iu'),
  new RegExp(`(?:^|[^\\p{L}])net${COLON}\\s*${MONEY}`, 'iu'),
];

export function isRevenueLine(line: string): boolean {
  return revenueLine.some((pattern) => pattern.test(line));
}

// "Revenue:" with its amount on the next line: that lone amount goes too, or it would show without its label.
const EMPTY_VALUE = /[:：=]\s*$/u;
const LONE_AMOUNT = new RegExp(`^\\s*(?:${BULLET}\\s*)?${AMOUNT}\\s*$`, 'iu');

// Each match is one line and its own ending; the last line may have none.
const LINE = /[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g;
const ENDING = /(?:\r\n|\n|\r)$/;

export function scrubNotes(notes: string): ScrubResult {
  const removed: string[] = [];
  let kept = '';
  let awaitingAmount = false;
  for (const [line] of notes.matchAll(LINE)) {
    const text = line.replace(ENDING, '');
    if (isRevenueLine(text) || (awaitingAmount && LONE_AMOUNT.test(text))) {
      removed.push(text);
      awaitingAmount = isRevenueLine(text) && EMPTY_VALUE.test(text);
    } else {
      kept += line;
      awaitingAmount = false;
    }
  }
  return removed.length === 0 ? { notes, removed } : { notes: kept, removed };
}
