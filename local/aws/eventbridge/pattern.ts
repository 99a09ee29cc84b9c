/**
 * EventBridge event patterns: parse + validate once (PutRule, TestEventPattern), then match fast.
 *
 * Our own TypeScript implementation (no embeddable one exists for Node), written from the EventBridge
 * user guide and checked against the behaviour of aws/event-ruler, the library EventBridge uses; no
 * code was copied from it. What it mirrors:
 * - A pattern compiles to one or more branches (more than one only through `$or`); a branch is a map
 *   from a dot-joined field path to the values allowed there. Dot-joining means `{"a": {"b": ...}}` and
 *   `{"a.b": ...}` name the same field, in patterns and in events alike.
 * - Event values are compared by JSON type: strings only match string matchers, numbers match numeric
 *   ones (300 equals 3.0e2), true/false/null only match themselves. anything-but matches any value
 *   (of any type) outside its set.
 * - Arrays in events are crushed: a field matches when any element matches; but two fields of a branch
 *   inside objects of the same array must come from the same element (array-consistent matching).
 * - exists works on leaves only: an object or an empty array is not a present value.
 */
import { readJson, JsonSyntaxError, type JsonNode } from './pattern-json';
import {
  compileWildcard,
  comparableNumber,
  ipInRange,
  ipKey,
  looksLikeIp,
  parseCidr,
  PatternValueError,
  type CidrRange,
  type WildcardMatcher,
} from './pattern-values';

export class InvalidEventPatternError extends Error {
  readonly code = 'InvalidEventPatternException';
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternError';
  }
}

type Leaf = string | number | boolean | null;

type ValueMatcher =
  | { kind: 'exact'; value: Leaf }
  | { kind: 'ip'; key: string }
  | { kind: 'prefix'; value: string; ignoreCase: boolean }
  | { kind: 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; match: WildcardMatcher }
  | { kind: 'numeric'; low: number; lowOpen: boolean; high: number; highOpen: boolean }
  | { kind: 'cidr'; range: CidrRange }
  | { kind: 'exists'; present: boolean }
  | { kind: 'anything-but'; strings?: Set<string>; numbers?: Set<number> }
  | { kind: 'anything-but-test'; test: (value: string) => boolean };

interface FieldRule {
  path: string;
  /** joins[i][j] = segments i..j joined with '.', the event keys that can stand for that stretch. */
  joins: string[][];
  matchers: ValueMatcher[];
  /** `{"exists": false}` is among the alternatives: an absent field satisfies the rule. */
  absentOk: boolean;
}

type Branch = FieldRule[];

export interface CompiledEventPattern {
  readonly branches: readonly Branch[];
}

// Names that cannot be field names inside $or (EventBridge reserves them for operators).
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);
// A wildcard rule whose worst-case event keeps many partial matches alive is refused by EventBridge.
// Its exact complexity measure is internal; more than five wildcards in one value is our approximation.
const MAX_WILDCARDS_PER_VALUE = 5;
const TOO_COMPLEX =
  'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';
// $or multiplies branches; bound the product so one rule cannot blow up matching.
const MAX_BRANCHES = 1024;

const barf = (reason: string): never => {
  throw new InvalidEventPatternError(reason);
};

export function parseEventPattern(json: string): CompiledEventPattern {
  if (typeof json !== 'string') barf('Filter is not an object');
  let root: JsonNode;
  try {
    root = readJson(json);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return barf(error.message);
    throw error;
  }
  if (root.kind !== 'object') barf('Filter is not an object');
  const branches: Array<Map<string, ValueMatcher[]>> = [];
  compileObject(branches, [], root as Extract<JsonNode, { kind: 'object' }>, false);
  return {
    branches: branches.map((branch) => [...branch.entries()].map(([path, matchers]) => fieldRule(path, matchers))),
  };
}

function fieldRule(path: string, all: ValueMatcher[]): FieldRule {
  const segments = path.split('.');
  const joins = segments.map((_, i) => segments.map((__, j) => (j < i ? '' : segments.slice(i, j + 1).join('.'))));
  const absent = (m: ValueMatcher): boolean => m.kind === 'exists' && !m.present;
  const absentOk = all.some(absent);
  const matchers = all.filter((m) => !absent(m));
  return { path, joins, matchers, absentOk };
}

function compileObject(
  branches: Array<Map<string, ValueMatcher[]>>,
  path: string[],
  node: Extract<JsonNode, { kind: 'object' }>,
  insideOr: boolean,
): void {
  if (node.entries.length === 0) barf('Empty objects are not allowed');
  for (const [key, value] of node.entries) {
    if (key === '$or') {
      compileOr(branches, path, value);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key))
      barf(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    if (value.kind === 'object') {
      compileObject(branches, [...path, key], value, insideOr);
    } else if (value.kind === 'array') {
      const matchers = value.items.map(compileValue);
      if (matchers.length === 0) barf('Empty arrays are not allowed');
      if (branches.length === 0) branches.push(new Map());
      const fieldPath = [...path, key].join('.');
      for (const branch of branches) branch.set(fieldPath, matchers);
    } else {
      barf(`"${key}" must be an object or an array`);
    }
  }
}

function compileOr(branches: Array<Map<string, ValueMatcher[]>>, path: string[], value: JsonNode): void {
  if (value.kind !== 'array') {
    barf('It must be an Array followed with $or.');
    return;
  }
  const before = branches.map((b) => new Map(b));
  branches.length = 0;
  for (const item of value.items) {
    if (item.kind !== 'object') barf('Only JSON object is allowed in array of $or relationship.');
    const forked = before.length === 0 ? [new Map<string, ValueMatcher[]>()] : before.map((b) => new Map(b));
    compileObject(forked, path, item as Extract<JsonNode, { kind: 'object' }>, true);
    branches.push(...forked);
    if (branches.length > MAX_BRANCHES) barf(TOO_COMPLEX);
  }
  if (value.items.length < 2) barf('There must have at least 2 Objects in $or relationship.');
}

function compileValue(node: JsonNode): ValueMatcher {
  switch (node.kind) {
    case 'string': {
      // A plain value that is an IP address is compared as an address (2001:db8::1 = 2001:0db8:0:0:0:0:0:1).
      const key = looksLikeIp(node.value) ? ipKey(node.value) : undefined;
      return key ? { kind: 'ip', key } : { kind: 'exact', value: node.value };
    }
    case 'number':
      return { kind: 'exact', value: node.value };
    case 'true':
      return { kind: 'exact', value: true };
    case 'false':
      return { kind: 'exact', value: false };
    case 'null':
      return { kind: 'exact', value: null };
    case 'object':
      return compileExpression(node);
    default:
      return barf('Match value must be String, number, true, false, or null');
  }
}

type ObjectNode = Extract<JsonNode, { kind: 'object' }>;

function stringOf(node: JsonNode, reason: string): string {
  return node.kind === 'string' ? node.value : barf(reason);
}

function withValueErrors<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof PatternValueError) return barf(error.message);
    throw error;
  }
}

function compileExpression(node: ObjectNode): ValueMatcher {
  const first = node.entries[0];
  if (!first) return barf('Match expression name not found');
  const [name, value] = first;
  // Checked after the operator so that an unknown operator is reported first, as EventBridge does.
  const onlyKey = (): void => {
    if (node.entries.length > 1) barf('Only one key allowed in match expression');
  };
  switch (name) {
    case 'exactly':
      onlyKey();
      return { kind: 'exact', value: stringOf(value, 'exact match pattern must be a string') };
    case 'prefix':
    case 'suffix': {
      if (value.kind === 'object') {
        const [op, inner] =
          value.entries[0] ?? barf(`${name === 'prefix' ? 'Prefix' : 'Suffix'} expression name not found`);
        if (op !== 'equals-ignore-case') barf(`Unsupported ${name} pattern: ${op}`);
        const text = stringOf(inner, 'equals-ignore-case match pattern must be a string');
        if (value.entries.length > 1) barf('Only one key allowed in match expression');
        onlyKey();
        return { kind: name, value: text.toLowerCase(), ignoreCase: true };
      }
      const text = stringOf(value, `${name} match pattern must be a string`);
      onlyKey();
      return { kind: name, value: text, ignoreCase: false };
    }
    case 'equals-ignore-case': {
      const text = stringOf(value, 'equals-ignore-case match pattern must be a string');
      onlyKey();
      return { kind: 'equals-ignore-case', value: text.toLowerCase() };
    }
    case 'wildcard': {
      const text = stringOf(value, 'wildcard match pattern must be a string');
      const compiled = withValueErrors(() => compileWildcard(text, 1));
      if (compiled.stars > MAX_WILDCARDS_PER_VALUE) barf(TOO_COMPLEX);
      onlyKey();
      return { kind: 'wildcard', match: compiled.match };
    }
    case 'numeric': {
      if (value.kind !== 'array') barf('Value of numeric must be an array.');
      const range = compileNumeric((value as Extract<JsonNode, { kind: 'array' }>).items);
      if (node.entries.length > 1) barf('Too many elements in numeric expression');
      return range;
    }
    case 'cidr': {
      const text = stringOf(value, 'prefix match pattern must be a string');
      const range = withValueErrors(() => parseCidr(text));
      onlyKey();
      return { kind: 'cidr', range };
    }
    case 'exists': {
      if (value.kind !== 'true' && value.kind !== 'false') barf('exists match pattern must be either true or false.');
      onlyKey();
      return { kind: 'exists', present: value.kind === 'true' };
    }
    case 'anything-but': {
      const matcher = compileAnythingBut(value);
      if (node.entries.length > 1) barf('Too many elements in numeric expression');
      return matcher;
    }
    default:
      return barf(`Unrecognized match type ${name}`);
  }
}

function compileNumeric(items: JsonNode[]): ValueMatcher {
  const numberAt = (i: number, op: string): number => {
    const item = items[i];
    if (item?.kind !== 'number') return barf(`Value of ${op} must be numeric`);
    return withValueErrors(() => comparableNumber(item.raw));
  };
  const first = items[0];
  if (first?.kind !== 'string') {
    return barf(`Invalid member in numeric match: ${first ? describeNode(first) : ']'}`);
  }
  const op = first.value;
  const tooMany = (count: number): void => {
    if (items.length > count) barf('Too many elements in numeric expression');
  };
  const all = { low: -Infinity, lowOpen: true, high: Infinity, highOpen: true };
  switch (op) {
    case '=': {
      const n = numberAt(1, 'equals');
      tooMany(2);
      return { kind: 'numeric', low: n, lowOpen: false, high: n, highOpen: false };
    }
    case '<':
    case '<=': {
      const n = numberAt(1, op);
      tooMany(2);
      return { kind: 'numeric', ...all, high: n, highOpen: op === '<' };
    }
    case '>':
    case '>=': {
      const low = numberAt(1, op);
      const lowOpen = op === '>';
      if (items.length === 2) return { kind: 'numeric', ...all, low, lowOpen };
      const second = items[2] as JsonNode;
      if (second.kind !== 'string') return barf(`Bad value in numeric range: ${describeNode(second)}`);
      if (second.value !== '<' && second.value !== '<=') return barf(`Bad numeric range operator: ${second.value}`);
      const high = numberAt(3, second.value);
      if (items.length > 4) barf('Too many terms in numeric range expression');
      if (!(low < high)) barf('Bottom must be less than top');
      return { kind: 'numeric', low, lowOpen, high, highOpen: second.value === '<' };
    }
    default:
      return barf(`Unrecognized numeric range operator: ${op}`);
  }
}

function describeNode(node: JsonNode): string {
  switch (node.kind) {
    case 'string':
      return node.value;
    case 'number':
      return node.raw;
    case 'object':
      return '{';
    case 'array':
      return '[';
    default:
      return node.kind;
  }
}

function compileAnythingBut(value: JsonNode): ValueMatcher {
  if (value.kind === 'object') {
    const [op, inner] = value.entries[0] ?? barf('Anything-But expression name not found');
    if (op !== 'equals-ignore-case' && op !== 'prefix' && op !== 'suffix' && op !== 'wildcard') {
      return barf(`Unsupported anything-but pattern: ${op}`);
    }
    if (inner.kind !== 'array' && inner.kind !== 'string' && inner.kind !== 'number') {
      barf('Value of anything-but must be an array or single string/number value.');
    }
    const wrongType =
      op === 'equals-ignore-case'
        ? 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'
        : op === 'wildcard'
          ? 'wildcard match pattern must be a string'
          : 'prefix/suffix match pattern must be a string';
    const texts = (inner.kind === 'array' ? inner.items : [inner]).map((item) => {
      const text = stringOf(item, wrongType);
      if ((op === 'prefix' || op === 'suffix') && text === '') barf('Null prefix/suffix not allowed');
      return text;
    });
    if (value.entries.length > 1) barf('Too many elements in numeric expression');
    return { kind: 'anything-but-test', test: excludedBy(op, texts) };
  }
  if (value.kind === 'string') return { kind: 'anything-but', strings: new Set([value.value]) };
  if (value.kind === 'number')
    return { kind: 'anything-but', numbers: new Set([withValueErrors(() => comparableNumber(value.raw))]) };
  if (value.kind !== 'array') return barf('Value of anything-but must be an array or single string/number value.');
  const strings = new Set<string>();
  const numbers = new Set<number>();
  for (const item of value.items) {
    if (item.kind === 'string') strings.add(item.value);
    else if (item.kind === 'number') numbers.add(withValueErrors(() => comparableNumber(item.raw)));
    else barf('Inside anything but list, start|null|boolean is not supported.');
  }
  if (strings.size > 0 === numbers.size > 0) {
    barf('Inside anything but list, either all values are number or string, mixed type is not supported');
  }
  return strings.size > 0 ? { kind: 'anything-but', strings } : { kind: 'anything-but', numbers };
}

/** A test telling whether a string value is one of those anything-but excludes. */
function excludedBy(
  op: 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard',
  texts: string[],
): (value: string) => boolean {
  switch (op) {
    case 'equals-ignore-case': {
      const lowered = new Set(texts.map((t) => t.toLowerCase()));
      return (value) => lowered.has(value.toLowerCase());
    }
    case 'prefix':
      return (value) => texts.some((t) => value.startsWith(t));
    case 'suffix':
      return (value) => texts.some((t) => value.endsWith(t));
    case 'wildcard': {
      const matchers = texts.map((t) => {
        const compiled = withValueErrors(() => compileWildcard(t, 0));
        if (compiled.stars > MAX_WILDCARDS_PER_VALUE) barf(TOO_COMPLEX);
        return compiled.match;
      });
      return (value) => matchers.some((m) => m(value));
    }
  }
}

function matchesValue(m: ValueMatcher, value: Leaf): boolean {
  switch (m.kind) {
    case 'exact':
      return value === m.value;
    case 'exists':
      return true;
    case 'numeric':
      return (
        typeof value === 'number' &&
        (m.lowOpen ? value > m.low : value >= m.low) &&
        (m.highOpen ? value < m.high : value <= m.high)
      );
    case 'anything-but':
      if (typeof value === 'string') return !m.strings?.has(value);
      if (typeof value === 'number') return !m.numbers?.has(value);
      return true;
    case 'anything-but-test':
      return typeof value !== 'string' || !m.test(value);
    default:
      if (typeof value !== 'string') return false;
  }
  switch (m.kind) {
    case 'prefix':
      return (m.ignoreCase ? value.toLowerCase() : value).startsWith(m.value);
    case 'suffix':
      return (m.ignoreCase ? value.toLowerCase() : value).endsWith(m.value);
    case 'equals-ignore-case':
      return value.toLowerCase() === m.value;
    case 'wildcard':
      return m.match(value);
    case 'ip':
      return looksLikeIp(value) && ipKey(value) === m.key;
    case 'cidr': {
      const key = looksLikeIp(value) ? ipKey(value) : undefined;
      return key !== undefined && ipInRange(key, m.range);
    }
  }
}

/** A leaf value found at a field's path, with the array elements it sits in (array, index, array, index...). */
interface Found {
  value: Leaf;
  within: unknown[] | null;
}

function collect(rule: FieldRule, node: unknown, segment: number, within: unknown[], out: Found[]): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      within.push(node, i);
      collect(rule, node[i], segment, within, out);
      within.length -= 2;
    }
    return;
  }
  if (node === undefined) return;
  const segments = rule.joins.length;
  if (segment === segments) {
    if (node === null || typeof node !== 'object') {
      out.push({ value: node as Leaf, within: within.length > 0 ? within.slice() : null });
    }
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const row = rule.joins[segment] as string[];
  for (let end = segment; end < segments; end++) {
    const key = row[end] as string;
    if (Object.hasOwn(node, key)) {
      collect(rule, (node as Record<string, unknown>)[key], end + 1, within, out);
    }
  }
}

/** Two values sit in objects of the same array only if they come from the same element. */
function consistent(a: unknown[] | null, b: unknown[] | null): boolean {
  if (!a || !b) return true;
  for (let i = 0; i < a.length; i += 2) {
    for (let j = 0; j < b.length; j += 2) {
      if (a[i] === b[j] && a[i + 1] !== b[j + 1]) return false;
    }
  }
  return true;
}

function choose(candidates: Found[][], index: number, chosen: Array<unknown[] | null>): boolean {
  if (index === candidates.length) return true;
  for (const found of candidates[index] as Found[]) {
    if (chosen.every((c) => consistent(c, found.within))) {
      chosen.push(found.within);
      if (choose(candidates, index + 1, chosen)) return true;
      chosen.pop();
    }
  }
  return false;
}

function matchesBranch(branch: Branch, event: object): boolean {
  const candidates: Found[][] = [];
  let inArrays = false;
  for (const rule of branch) {
    const found: Found[] = [];
    collect(rule, event, 0, [], found);
    if (found.length === 0) {
      if (rule.absentOk) continue;
      return false;
    }
    const matching = found.filter((f) => rule.matchers.some((m) => matchesValue(m, f.value)));
    if (matching.length === 0) return false;
    if (matching.some((f) => f.within)) inArrays = true;
    candidates.push(matching);
  }
  return !inArrays || candidates.length < 2 || choose(candidates, 0, []);
}

/** True when the event (a full EventBridge event object) matches the compiled pattern. */
export function matchesEventPattern(pattern: CompiledEventPattern, event: unknown): boolean {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return false;
  return pattern.branches.some((branch) => matchesBranch(branch, event));
}
