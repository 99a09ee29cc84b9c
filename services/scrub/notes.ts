/**
 * The scrubbing rule: which lines of a crew event's notes are the operator's revenue lines.
 *
 * The general rule: a line that names a revenue label and carries an amount as that label's figure is a
 * revenue line, unless it is clearly crew information; when in doubt the line goes. A removed line is kept in
 * our store for the operator, so erring towards removal loses nothing, while a kept revenue line is seen by
 * the whole crew.
 *
 * Revenue labels, in any letter case, anywhere in the line:
 *   Revenue (Gross/Total/Net Revenue), Your Net, Payout, Owner Payout/Share, Profit, Commission,
 *   and a role's fee, cost, pay or wage: Captain Fee(s) / Captain's Fee, Crew Costs, Deckhand Wages, Port Fees,
 *   Boatsetter Fee, Service Fee, also compound ("Captain/Crew Costs", "Captain & Crew Fees") or turned round
 *   ("Fee for captain"). The crew roles are those of shared/money-words.ts (captain, skipper, mate, deckhand,
 *   crew, chef, steward), as are the currencies an amount may carry, the same the guest page's redaction knows.
 * Net, Gross, Total and Rev are weak labels: ordinary words ("Net Yard", "Gross weight", "Total guests") unless
 * a figure follows them directly, and a bare integer followed by a word is a count ("Net 30 days").
 * The crew roles, Owner and Boatsetter are payees: named with a currency amount, that amount is their pay
 * ("Captain $250"); with a bare number it is a count ("Crew: 3").
 *
 * An amount is the label's figure when
 *   - it follows the label, with nothing in between but separators (":", "=", dashes, dot leaders, "|" cells,
 *     slashes, tabs), qualifiers ("(Sam)", "[est.]"), approximations ("~", "≈", "approx.", "about"), linking
 *     words ("is", "was", "of"), other labels ("Revenue/Net: 1,450/827.50"), or a short free text ending in
 *     a colon ("Captain fee for Sam and Jo: 250"); whatever follows the amount does not matter (words, a
 *     comment, a second figure);
 *   - or it is money (a currency, thousands grouping, cents or "k") within a few words after the label in the
 *     same clause ("Port fees were paid by card, $35");
 *   - or it is money right before the label ("$250 captain fee").
 * A label that starts the line (after a bullet, an emoji and leading labels such as "Internal:" or
 * "Ops/Finance:") or a table row, followed by a colon, "=" or a cell, is a revenue field whatever its value
 * ("Revenue: TBD"). A markdown table whose header names a revenue label loses its header and every row that
 * carries an amount. A line that is only a revenue label ("Revenue", "Your Net ....", "Revenue breakdown:")
 * takes the lines of figures after it (a lone amount, or an item with money: "- Boat: $1,200") and goes with
 * them; a lone amount anywhere else is kept ("$20" under "Tips for the crew").
 *
 * Clearly crew information, and kept: a number that is a count, a duration, a time, a date or a phone number
 * ("Net 30 days", "Port fees due 12/05"); money that is not the label's figure but the object of an
 * instruction ("Bring $20 cash for port fees"); a label without an amount ("Crew costs are covered by the
 * owner", "Meet at Net Yard dock"); money with no label at all ("Bring $20 cash for parking": parking is
 * not the operator's revenue).
 *
 * Lines end at "\r\n", "\n" or "\r". Every kept line is returned byte for byte with its own line ending; a
 * removed line goes together with its line ending. The patterns look at a bounded window around each label,
 * so a very long line costs linear time.
 */

import {
  CREW_ROLES,
  currencyCodeAlternation,
  currencySymbolClass,
  currencySymbolsInClass,
} from '../../shared/money-words';

export interface ScrubResult {
  /** The notes without revenue lines; identical to the input when nothing was removed. */
  notes: string;
  /** The removed lines, in order, without their line endings. */
  removed: string[];
}

// The currencies the guest page's redaction knows too (shared/money-words.ts), and dollar variants such as
// "US$", "CA$", "MX$", "A$".
const CURRENCY = `(?:${currencySymbolClass()}|\\p{L}{1,2}\\$|(?:${currencyCodeAlternation()})(?!\\p{L}))`;
// "1,450.00", "1.450,00", "1'450", "1 450", or plain digits with optional decimals. A group after a
// separator has exactly three digits, so "1 1 1" is three numbers, not one.
const NUMBER = `(?:\\d{1,3}(?:[,.'’\\u00a0\\u202f ]\\d{3})+(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d+)?)`;
const AMOUNT = new RegExp(
  `[-+−]?\\(?\\s*(?<pre>${CURRENCY}\\s*)?[-+−]?(?<number>${NUMBER})(?<thousands>\\s?[kK](?!\\p{L}))?\\)?` +
    `(?<post>\\s*(?:${CURRENCY}|dollars?(?!\\p{L})|bucks(?!\\p{L})))?`,
  'iuy',
);

// A crew role, plural or possessive: "Captain's", "Deckhands".
const CREW_ROLE = `(?:${CREW_ROLES.map((role) => `${role}(?:'s|’s|s)?`).join('|')})`;
const ROLE = `(?:${CREW_ROLE}|port|boatsetter|platform|service)`;
const STRONG_LABEL = [
  '(?:gross\\s+|total\\s+|net\\s+)?revenues?',
  `${ROLE}(?:\\s*(?:[/&+]|and)\\s*${ROLE})*\\s+(?:fees?|costs?|pay|wages?|commission)`,
  `(?:fees?|costs?|pay|wages?)\\s+(?:for|of)\\s+(?:the\\s+)?${ROLE}`,
  'your\\s+net',
  "owner(?:'s|’s|s)?\\s+(?:payouts?|share|net|cut)",
  'payouts?',
  'profits?',
  'commissions?',
].join('|');
const WEAK_LABEL = 'net|gross|total|rev';
const PAYEE_LABEL = `${CREW_ROLE}|owner(?:'s|’s)?|boatsetter`;
const ANY_LABEL = `(?:${STRONG_LABEL}|${WEAK_LABEL})`;
const LABEL = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:(?<strong>${STRONG_LABEL})|(?<weak>${WEAK_LABEL})|(?<payee>${PAYEE_LABEL}))(?![\\p{L}\\p{N}])`,
  'giu',
);
type LabelKind = 'strong' | 'weak' | 'payee';

// Any symbols but a currency's, so that "$20" is an amount and not a bullet and "20".
const BULLET = `(?:[^\\p{L}\\p{N}\\s(\\[${currencySymbolsInClass()}]{1,4}|\\d{1,3}[.)])`;
// "Internal:", "Ops/Finance:", "[Private]", "(ops)", "Dana's group -".
const LEADING_LABEL = `(?:\\[[^\\]\\r\\n]{1,30}\\]|\\([^)\\r\\n]{1,30}\\)|[\\p{L}][^:：\\r\\n\\d]{0,30}?(?:[:：]|\\s[-–—]))`;
const LINE_START = new RegExp(`^\\s*(?:${BULLET}\\s*)?(?:${LEADING_LABEL}\\s*){0,3}$`, 'u');
// Another field of the same line starts after a cell, a list separator or a slash.
const FIELD_START = /(?:[|;,/&+]|\band)\s*$/iu;

// A parenthesis that opens with an amount is that amount, "($120.00)", not a qualifier.
const AMOUNT_START = `\\s*[-+−]?(?:${CURRENCY}\\s*)?\\d`;
// "(Sam)", "[est.]": a qualifier, unless it opens with an amount.
const QUALIFIER = `(?:\\((?!${AMOUNT_START})[^()\\r\\n]{0,40}\\)|\\[[^\\[\\]\\r\\n]{0,40}\\])`;
const APPROXIMATELY = '(?:approx(?:imately)?|about|around|roughly|est(?:imated)?|circa|ca|c)\\.?';
// One piece of what may stand between a label and its figure. Each piece is a single character or a fixed
// word, so the repetition below cannot backtrack badly.
const GLUE_PIECE =
  `(?:\\s|[:：=\\-–—|.…·•_~≈>→⇒/&+*#)\\]]|${QUALIFIER}|` +
  `(?:${APPROXIMATELY}|is|are|was|were|of|at|totall?ed|totals?|came\\s+to|comes\\s+to|and|plus|${ANY_LABEL})(?![\\p{L}]))`;
const QUALIFIER_THEN_COLON = `[^:：=|\\d\\r\\n]{1,48}[:：=]`;
const GLUE = new RegExp(`(?:${GLUE_PIECE})*(?:${QUALIFIER_THEN_COLON}(?:${GLUE_PIECE})*)?`, 'iuy');
const ONLY_GLUE = new RegExp(`^(?:${GLUE_PIECE})*(?:${QUALIFIER_THEN_COLON}(?:${GLUE_PIECE})*)?$`, 'iu');
const WEAK_GLUE = new RegExp(`(?:\\s|[:：=\\-–—|.…·_~≈]|${QUALIFIER}|${APPROXIMATELY}(?![\\p{L}]))*`, 'iuy');
// Words that make a qualified weak label a money field: "Net after fees: 827".
const MONEY_QUALIFIER = /fees?|after|before|payout|owner|profit|boatsetter|cut|commission|tax|split/iu;
const WEAK_QUALIFIED = new RegExp(`^${QUALIFIER_THEN_COLON}\\s*(?:(?:${APPROXIMATELY}|[~≈])\\s*)?`, 'iu');
// "Revenue: anything", "Captain Fee (Sam) = TBD", "| Port Fees | paid by the owner |".
const FIELD = /^(?:\s*(?:\([^()\r\n]{0,40}\)|\[[^[\]\r\n]{0,40}\]))?\s*[:：=|]/u;
// A few words in the same clause, then money: "Port fees were paid by card, $35".
const CLAUSE = /(?:\s+[\p{L}\p{N}'’-]+,?){1,6}\s*/uy;
// Money right before a label: "$250 captain fee", "1,450.00 USD (revenue)".
const MONEY_BEFORE = new RegExp(
  `(?:${CURRENCY}\\s*[-+−]?\\d[\\d,.'’]*|(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d{2})?\\s*(?:${CURRENCY}|[kK]))` +
    `\\s*(?:[-–—:(]|(?:of|in|as)(?!\\p{L}))?\\s*$`,
  'iu',
);

// What after a number shows it is not an amount.
const UNIT =
  'days?|d|nights?|hours?|hrs?|h|minutes?|mins?|weeks?|wks?|months?|years?|yrs?|guests?|people|persons?|pax|' +
  'adults?|kids?|children|passengers?|deckhands?|crew|ft|feet|foot|knots?|kts?|kn|nm|miles?|mi|km|gallons?|' +
  'gal|liters?|litres?|l|lbs?|kg|rods?|bags?|bottles?|cases?|chairs?|coolers?|slips?|x|st|nd|rd|th';
const NOT_AN_AMOUNT = new RegExp(
  `^(?:\\s*(?:${UNIT})(?!\\p{L})|\\s*[ap]\\.?m(?![\\p{L}])|[:：]\\d{2}|[/.-]\\d{1,2}(?!\\d)|[-. ]\\d{3}[-. ]\\d{4})`,
  'iu',
);
const MONEY_WORD =
  /^\s*(?:after|before|less|minus|plus|total|paid|due|owed|payout|to\s+(?:the\s+)?owner|incl|excl|including|excluding|net|gross)(?!\p{L})/iu;
const FOLLOWED_BY_WORD = /^\s*\p{L}/u;
const CENTS_OR_GROUPING = /^\d{1,3}(?:[,.'’\u00a0\u202f ]\d{3})+|[.,]\d{2}$/u;

interface Amount {
  /** Carries a currency, thousands grouping, cents or "k": surely money. */
  money: boolean;
  /** Carries a currency. */
  currency: boolean;
  /** The text right after the amount. */
  rest: string;
}

function amountAt(text: string, at: number): Amount | undefined {
  AMOUNT.lastIndex = at;
  const match = AMOUNT.exec(text);
  if (!match) return undefined;
  const { pre, number, thousands, post } = match.groups!;
  const currency = Boolean(pre || post);
  const money = currency || Boolean(thousands) || CENTS_OR_GROUPING.test(number!);
  const rest = text.slice(match.index + match[0].length);
  if (!currency && NOT_AN_AMOUNT.test(rest)) return undefined;
  return { money, currency, rest };
}

const WINDOW = 160;

function isFieldStart(line: string, at: number): 'line' | 'field' | undefined {
  if (at <= WINDOW && LINE_START.test(line.slice(0, at))) return 'line';
  return FIELD_START.test(line.slice(Math.max(0, at - 8), at)) ? 'field' : undefined;
}

/** Whether the label found at [start, end) of the line has a figure. */
function labelHasFigure(line: string, start: number, end: number, kind: LabelKind): boolean {
  const after = line.slice(end, end + WINDOW);
  const field = isFieldStart(line, start);
  if (kind === 'strong') {
    if (field === 'line' && FIELD.test(after)) return true;
    GLUE.lastIndex = 0;
    GLUE.exec(after);
    if (amountAt(after, GLUE.lastIndex)) return true;
    CLAUSE.lastIndex = 0;
    if (CLAUSE.exec(after) && amountAt(after, CLAUSE.lastIndex)?.money) return true;
    return MONEY_BEFORE.test(line.slice(Math.max(0, start - 40), start));
  }
  WEAK_GLUE.lastIndex = 0;
  WEAK_GLUE.exec(after);
  const amount = amountAt(after, WEAK_GLUE.lastIndex);
  // "Captain $250", "Crew: $120": a role named with a currency amount is its pay; "Crew: 2" is a count.
  if (kind === 'payee') return Boolean(amount?.currency);
  if (amount?.money) return true;
  if (amount && field && (!FOLLOWED_BY_WORD.test(amount.rest) || MONEY_WORD.test(amount.rest))) return true;
  // "Net to owner: $827.50": a weak label takes a qualifier when money follows it, or a money word is in it.
  const qualified = field === 'line' ? WEAK_QUALIFIED.exec(after) : null;
  const figure = qualified ? amountAt(after, qualified[0].length) : undefined;
  if (figure && (figure.money || (MONEY_QUALIFIER.test(qualified![0]) && !FOLLOWED_BY_WORD.test(figure.rest))))
    return true;
  return MONEY_BEFORE.test(line.slice(Math.max(0, start - 40), start));
}

function labelsOf(line: string): { start: number; end: number; kind: LabelKind }[] {
  return [...line.matchAll(LABEL)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    kind: m.groups!.strong ? 'strong' : m.groups!.weak ? 'weak' : 'payee',
  }));
}

export function isRevenueLine(line: string): boolean {
  return labelsOf(line).some(({ start, end, kind }) => labelHasFigure(line, start, end, kind));
}

/** A line that is only a revenue label, its figure to come on the next line: "Revenue", "Your Net .....:". */
function isBareLabel(line: string): boolean {
  const [first] = labelsOf(line);
  return first !== undefined && isFieldStart(line, first.start) === 'line' && ONLY_GLUE.test(line.slice(first.end));
}

const LONE_AMOUNT_START = new RegExp(`^\\s*(?:${BULLET}\\s*)?(?:(?:${APPROXIMATELY}|[~≈])\\s*)?`, 'iu');

/** "$1,450.00", "  - 827.50 USD", "~1450 (est.)": an amount alone, perhaps with a comment after it. */
function isLoneAmount(line: string): boolean {
  const start = LONE_AMOUNT_START.exec(line)![0].length;
  const amount = amountAt(line, start);
  if (!amount) return false;
  return amount.money || !FOLLOWED_BY_WORD.test(amount.rest);
}

// A short item name before an amount: "- Boat: $1,200", "- Jo $150".
const FIGURE_ITEM = new RegExp(
  `^\\s*(?:${BULLET}\\s*)?(?:[\\p{L}][\\p{L}\\p{N}'’ ]{0,30}?\\s*[:：=\\-–—]?\\s*)?(?=[-+−]?\\(?\\s*(?:${CURRENCY}|\\d))`,
  'iu',
);

/**
 * A line under a bare label that is its figure: a lone amount, or an item with money that ends the line
 * ("- Boat: $1,200"). Money followed by words is an instruction ("Bring $20 cash"), not a figure.
 */
function isFigureLine(line: string): boolean {
  if (isLoneAmount(line)) return true;
  const item = FIGURE_ITEM.exec(line);
  const amount = item ? amountAt(line, item[0].length) : undefined;
  return Boolean(amount?.money) && !FOLLOWED_BY_WORD.test(amount!.rest);
}

const TABLE_ROW = /^\s*\|.*\|\s*$|^[^|]*\|[^|]*\|/u;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$/u;
const cellsOf = (row: string) =>
  row
    .split('|')
    .map((cell) => cell.trim())
    .filter(Boolean);
const LABEL_CELL = new RegExp(`^(?:${ANY_LABEL}|${PAYEE_LABEL})$`, 'iu');

/**
 * Markdown tables whose header names a revenue label: the header and every row carrying an amount go, since
 * such a row's figures are revenue even where the row itself names no label. `kept` are the indices of the
 * lines not removed yet, in order.
 */
function markRevenueTables(lines: string[], kept: number[], remove: boolean[]): void {
  for (let k = 0; k + 1 < kept.length; k++) {
    const header = lines[kept[k]!]!;
    if (!TABLE_ROW.test(header) || !TABLE_SEPARATOR.test(lines[kept[k + 1]!]!)) continue;
    if (!cellsOf(header).some((cell) => LABEL_CELL.test(cell))) continue;
    remove[kept[k]!] = true;
    let row = k + 2;
    for (
      ;
      row < kept.length && TABLE_ROW.test(lines[kept[row]!]!) && !TABLE_SEPARATOR.test(lines[kept[row]!]!);
      row++
    ) {
      const cells = cellsOf(lines[kept[row]!]!);
      if (cells.some((cell) => isLoneAmount(cell) || amountAt(cell, 0)?.money)) remove[kept[row]!] = true;
    }
    k = row - 1;
  }
}

/**
 * A bare label and the figure lines after it go together (blank lines between them stay): "Revenue" over
 * "$1,450.00", or "Revenue breakdown:" over "- Boat: $1,200". A removed bare label ("Revenue:") takes its
 * figures too. The label may be followed by removed lines before its figure: both go then, so that the
 * removal in between cannot leave the label next to the figure.
 */
function markBareLabels(lines: string[], remove: boolean[]): void {
  let label: number | undefined;
  let awaitingAmount = false;
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    if (remove[i]) {
      awaitingAmount = isBareLabel(text) || (awaitingAmount && isFigureLine(text));
      return;
    }
    if (isFigureLine(text) && (awaitingAmount || label !== undefined)) {
      remove[i] = true;
      if (label !== undefined) remove[label] = true;
      awaitingAmount = true;
      label = undefined;
      return;
    }
    awaitingAmount = false;
    label = isBareLabel(text) ? i : undefined;
  });
}

// Each match is one line and its own ending; the last line may have none.
const LINE = /[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g;
const ENDING = /(?:\r\n|\n|\r)$/;

export function scrubNotes(notes: string): ScrubResult {
  const lines = [...notes.matchAll(LINE)].map(([line]) => line);
  const texts = lines.map((line) => line.replace(ENDING, ''));
  const remove = texts.map(isRevenueLine);
  // A removed line can bring a table header next to its separator, or a bare label next to an amount: the
  // context rules run again until they remove nothing more, so that scrubbing the result removes nothing.
  for (let removedBefore = -1, removedNow = count(remove); removedNow !== removedBefore; ) {
    markRevenueTables(texts, keptOf(remove), remove);
    markBareLabels(texts, remove);
    [removedBefore, removedNow] = [removedNow, count(remove)];
  }

  if (!remove.includes(true)) return { notes, removed: [] };
  return {
    notes: lines.filter((_, i) => !remove[i]).join(''),
    removed: texts.filter((_, i) => remove[i]),
  };
}

const count = (remove: boolean[]) => remove.filter(Boolean).length;
const keptOf = (remove: boolean[]) => remove.flatMap((removed, i) => (removed ? [] : [i]));
