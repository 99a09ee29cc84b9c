import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * dynalite runs its PEG parser over every condition, update, key condition, filter and projection expression
 * of every request: the largest part of its time under our consumers, which send the same few expressions
 * thousands of times. A parse is not a function of the text alone: it resolves ExpressionAttributeNames and
 * ExpressionAttributeValues into the tree, checks the values' types, and marks which of them were used.
 * So a successful parse is kept under the text, the names and the type of each value; a later request with
 * the same gets its own copy of the tree with its own value objects in place, and the same names marked used.
 * Two checks read a value's content, not only its type (BETWEEN compares its bounds, attribute_type reads
 * its type name): expressions that use them are parsed every time, as are expressions that fail.
 *
 * No grammar of our own: dynalite's validations call `parse` through each parser module's exports, so we
 * wrap that export. test/local/dynalite-expressions.test.ts fails if dynalite stops calling it that way or if
 * a kept parse ever answers other than dynalite's parser.
 */

/** What dynalite's validations hand the parser (validations/index.js, validateExpressions and parse). */
export interface ParseContext {
  attrNames?: Record<string, string>;
  attrVals?: Record<string, unknown>;
  unusedAttrNames?: Record<string, boolean>;
  unusedAttrVals?: Record<string, boolean>;
  isKeyCondition?: boolean;
  compare?: (...args: unknown[]) => unknown;
  [other: string]: unknown;
}

export type Parse = ((text: string, options: { context: ParseContext }) => unknown) & { parsedBy?: Parse };

export const DYNALITE_PARSERS = ['conditionParser', 'updateParser', 'projectionParser'] as const;
export type ParserName = (typeof DYNALITE_PARSERS)[number];

/** How many parses were answered from what was kept, and how many dynalite's parser made. For tests. */
export const expressionParses = { reused: 0, parsed: 0 };

/** Beyond this many kept parses (a client sending ever new expressions), start over. */
const MAX_KEPT = 1000;

/** The value types dynalite's parsers look for (getImmediateType); any other key is kept whole in the key. */
const VALUE_TYPES = new Set(['S', 'N', 'B', 'NULL', 'BOOL', 'SS', 'NS', 'BS', 'L', 'M']);

const require = createRequire(import.meta.url);

/** The module objects of dynalite's three expression parsers, as its validations require them. */
export function dynaliteParsers(): Record<ParserName, { parse: Parse }> {
  const root = dirname(require.resolve('dynalite'));
  return Object.fromEntries(
    DYNALITE_PARSERS.map((name) => {
      const parser = require(join(root, 'db', `${name}.js`)) as { parse?: unknown };
      if (typeof parser.parse !== 'function')
        throw new Error(
          `dynalite's db/${name}.js no longer exports parse: local/dynalite-expressions.ts must follow its new layout`,
        );
      return [name, parser as { parse: Parse }];
    }),
  ) as Record<ParserName, { parse: Parse }>;
}

/** Makes dynalite keep its parsed expressions; safe to call again. */
export function keepParsedExpressions(): void {
  for (const parser of Object.values(dynaliteParsers()))
    if (!parser.parse.parsedBy) parser.parse = keepingParses(parser.parse);
}

/** A value's place in a kept tree. */
class ValueSlot {
  constructor(readonly name: string) {}
}

interface Kept {
  tree: unknown;
  usedNames: string[];
  usedValues: string[];
}

/** Thrown while a tree is being kept: it holds something a copy could not reproduce. */
const NOT_KEPT = Symbol('not kept');

export function keepingParses(parse: Parse): Parse {
  // null: parsed every time (its outcome reads a value's content).
  const kept = new Map<string, Kept | null>();
  const keeping: Parse = (text, options) => {
    const context = options?.context;
    if (!context) return parse(text, options);
    const key = keyOf(text, context);
    const found = kept.get(key);
    if (found) {
      expressionParses.reused++;
      for (const name of found.usedNames) if (context.unusedAttrNames) delete context.unusedAttrNames[name];
      for (const name of found.usedValues) if (context.unusedAttrVals) delete context.unusedAttrVals[name];
      return copy(found.tree, context.attrVals ?? {}, new Map());
    }
    expressionParses.parsed++;
    if (found === null) return parse(text, options);
    const { result, keep } = parseToKeep(parse, text, options);
    if (keep !== undefined) {
      if (kept.size >= MAX_KEPT) kept.clear();
      kept.set(key, keep);
    }
    return result;
  };
  keeping.parsedBy = parse;
  return keeping;
}

function keyOf(text: string, context: ParseContext): string {
  let types = '';
  const values = context.attrVals;
  for (const name in values) {
    const value = values[name];
    types += `${name}=`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) types += JSON.stringify(value);
    else
      for (const type in value) {
        const content = (value as Record<string, unknown>)[type];
        if (content == null) continue;
        types += VALUE_TYPES.has(type) ? `${type},` : `${JSON.stringify(type)}:${JSON.stringify(content)},`;
      }
    types += ';';
  }
  return `${context.isKeyCondition ? 'K' : '-'}${JSON.stringify(context.attrNames)}\n${types}\n${text}`;
}

/**
 * dynalite's own parse, watched: which names and values it used (it deletes them from the unused sets it is
 * given) and whether it compared values. Answers exactly what the parse answered, and what to keep if anything.
 */
function parseToKeep(
  parse: Parse,
  text: string,
  options: { context: ParseContext },
): { result: unknown; keep?: Kept | null } {
  const { context } = options;
  const names = Object.keys(context.attrNames ?? {});
  const valueNames = Object.keys(context.attrVals ?? {});
  const unusedNames = Object.fromEntries(names.map((name) => [name, true]));
  const unusedValues = Object.fromEntries(valueNames.map((name) => [name, true]));
  let compared = false;
  const compare = context.compare;
  const watched: ParseContext = {
    ...context,
    unusedAttrNames: unusedNames,
    unusedAttrVals: unusedValues,
    ...(compare && {
      compare: (...args: unknown[]) => {
        compared = true;
        return compare(...args);
      },
    }),
  };
  let result: unknown;
  try {
    result = parse(text, { ...options, context: watched });
  } finally {
    // What the parse marked used, marked so in the request's own sets, as dynalite's parse would have.
    for (const name of names)
      if (!(name in unusedNames) && context.unusedAttrNames) delete context.unusedAttrNames[name];
    for (const name of valueNames)
      if (!(name in unusedValues) && context.unusedAttrVals) delete context.unusedAttrVals[name];
  }
  const usedNames = names.filter((name) => !(name in unusedNames));
  const usedValues = valueNames.filter((name) => !(name in unusedValues));
  if (typeof result !== 'object' || result === null) return { result };
  if (compared) return { result, keep: null };
  const slots = new Map<unknown, string>();
  for (const name of valueNames) slots.set(context.attrVals?.[name], name);
  if (slots.size !== valueNames.length) return { result, keep: null };
  try {
    return { result, keep: { tree: treeToKeep(result, slots, new Map()), usedNames, usedValues } };
  } catch (error) {
    if (error === NOT_KEPT) return { result, keep: null };
    throw error;
  }
}

/** The tree with each of the request's value objects replaced by its slot; shared nodes stay shared. */
function treeToKeep(node: unknown, slots: Map<unknown, string>, seen: Map<object, unknown>): unknown {
  if (typeof node !== 'object' || node === null) {
    if (typeof node === 'function' || typeof node === 'symbol') throw NOT_KEPT;
    return node;
  }
  const slot = slots.get(node);
  if (slot !== undefined) return new ValueSlot(slot);
  if (seen.has(node)) return seen.get(node);
  if (Array.isArray(node)) {
    const kept: unknown[] = [];
    seen.set(node, kept);
    for (const item of node) kept.push(treeToKeep(item, slots, seen));
    return kept;
  }
  const prototype = Object.getPrototypeOf(node);
  if (prototype !== null && prototype !== Object.prototype) throw NOT_KEPT;
  const fields = node as Record<string, unknown>;
  if (fields.type === 'function' && fields.name === 'attribute_type') throw NOT_KEPT;
  const kept: Record<string, unknown> = prototype === null ? Object.create(null) : {};
  seen.set(node, kept);
  for (const field of Object.keys(fields)) {
    // Assigning __proto__ to a plain object would set its prototype, not a field.
    if (field === '__proto__' && prototype !== null) throw NOT_KEPT;
    kept[field] = treeToKeep(fields[field], slots, seen);
  }
  return kept;
}

/** A fresh copy of a kept tree, each slot filled with the request's own value object. */
function copy(node: unknown, values: Record<string, unknown>, seen: Map<object, unknown>): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (node instanceof ValueSlot) return values[node.name];
  if (seen.has(node)) return seen.get(node);
  if (Array.isArray(node)) {
    const copied: unknown[] = [];
    seen.set(node, copied);
    for (const item of node) copied.push(copy(item, values, seen));
    return copied;
  }
  const fields = node as Record<string, unknown>;
  const copied: Record<string, unknown> = Object.getPrototypeOf(node) === null ? Object.create(null) : {};
  seen.set(node, copied);
  for (const field of Object.keys(fields)) copied[field] = copy(fields[field], values, seen);
  return copied;
}
