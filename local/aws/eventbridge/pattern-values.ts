/**
 * Value helpers for the event-pattern engine: IP addresses and CIDR blocks, wildcard expressions,
 * and the number rules. Written for charterflow in TypeScript from EventBridge's documented behaviour
 * and aws/event-ruler's tests (no code copied).
 */

export class PatternValueError extends Error {}

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** True when the text has the shape EventBridge treats as an IP address (it then compares it as one). */
export function looksLikeIp(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

/** The address as bytes (4 for IPv4, 16 for IPv6), or undefined when it is not a valid address. */
export function ipBytes(text: string): number[] | undefined {
  if (IPV4_SHAPE.test(text)) {
    const parts = text.split('.').map((p) => Number(p));
    return parts.every((n) => n <= 255) ? parts : undefined;
  }
  if (!IPV6_SHAPE.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((g) => g.length === 0 || g.length > 4)) return undefined;
  return all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

const toHex = (bytes: number[]): string => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');

/** Canonical comparable form of an IP address in an event (fixed-width hex), or undefined. */
export function ipKey(text: string): string | undefined {
  const bytes = ipBytes(text);
  return bytes ? toHex(bytes) : undefined;
}

export interface CidrRange {
  low: string;
  high: string;
}

/** Parses a CIDR block with EventBridge's validation messages. */
export function parseCidr(cidr: string): CidrRange {
  // Java's String.split drops trailing empty parts: "10.0.0.0/" has one part, not two.
  const parts = cidr.split('/');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length !== 2) throw new PatternValueError("Malformed CIDR, one '/' required");
  const [address = '', maskText = ''] = parts;
  if (!/^[+-]?\d+$/.test(maskText)) throw new PatternValueError('Malformed CIDR, mask bits must be an integer');
  const maskBits = Number(maskText);
  if (maskBits < 0) throw new PatternValueError('Malformed CIDR, mask bits must not be negative');
  if (!looksLikeIp(address)) throw new PatternValueError(`Nonstandard IP address: ${address}`);
  const bytes = ipBytes(address);
  if (!bytes) throw new PatternValueError(`Invalid IP address: ${address}`);
  // EventBridge's limits are "< 32" and "< 128": a single-host block is written as a plain IP value.
  if (bytes.length === 4 && maskBits > 31) throw new PatternValueError('IPv4 mask bits must be < 32');
  if (bytes.length === 16 && maskBits > 127) throw new PatternValueError('IPv6 mask bits must be < 128');
  const low: number[] = [];
  const high: number[] = [];
  bytes.forEach((b, i) => {
    const fixedBits = Math.max(0, Math.min(8, maskBits - i * 8));
    const hostMask = 0xff >> fixedBits;
    low.push(b & ~hostMask & 0xff);
    high.push(b | hostMask);
  });
  return { low: toHex(low), high: toHex(high) };
}

export function ipInRange(key: string, range: CidrRange): boolean {
  return key.length === range.low.length && key >= range.low && key <= range.high;
}

export type WildcardMatcher = (value: string) => boolean;

/**
 * Validates a wildcard expression (`*` = any run of characters, `\*` = a literal star, `\\` = a
 * literal backslash, nothing else may be escaped, no `**`) and returns a matcher. `offset` shifts the
 * reported position: EventBridge counts from the opening quote for `wildcard` but not inside `anything-but`.
 */
export function compileWildcard(expression: string, offset: number): { match: WildcardMatcher; stars: number } {
  const bytes = Buffer.from(expression, 'utf8');
  const segments: number[][] = [[]];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x2a) {
      if (bytes[i + 1] === 0x2a) throw new PatternValueError(`Consecutive wildcard characters at pos ${i + offset}`);
      segments.push([]);
    } else if (b === 0x5c) {
      const next = bytes[i + 1];
      if (next !== 0x2a && next !== 0x5c) throw new PatternValueError(`Invalid escape character at pos ${i + offset}`);
      (segments[segments.length - 1] as number[]).push(next);
      i++;
    } else {
      (segments[segments.length - 1] as number[]).push(b);
    }
  }
  const parts = segments.map((s) => Buffer.from(s).toString('utf8'));
  const stars = parts.length - 1;
  if (stars === 0) {
    const exact = parts[0] as string;
    return { match: (value) => value === exact, stars };
  }
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  const middle = parts.slice(1, -1);
  const minLength = parts.reduce((n, p) => n + p.length, 0);
  // Glob with only `*`: anchored first and last pieces, the middle ones found leftmost in order.
  const match: WildcardMatcher = (value) => {
    if (value.length < minLength || !value.startsWith(first) || !value.endsWith(last)) return false;
    let at = first.length;
    const end = value.length - last.length;
    for (const piece of middle) {
      const found = value.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
  return { match, stars };
}

/**
 * EventBridge compares numbers as IEEE-754 doubles and refuses a number in a pattern's numeric
 * comparison that a double cannot hold exactly (e.g. 20 significant digits) or that overflows.
 */
export function comparableNumber(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || decimalKey(raw) !== decimalKey(String(value))) {
    throw new PatternValueError(`Cannot compare number : ${raw}`);
  }
  return value;
}

/** Normal form of a decimal literal: sign, significant digits, exponent of the first digit. */
function decimalKey(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign = '', intPart = '', fracPart = '', expPart = '0'] = match;
  const digits = intPart + fracPart;
  const leading = digits.length - digits.replace(/^0+/, '').length;
  const significant = digits.slice(leading).replace(/0+$/, '');
  if (significant === '') return '0';
  const exponent = Number(expPart) + intPart.length - leading;
  return `${sign}${significant}e${exponent}`;
}
