import { createRequire } from 'node:module';

/**
 * dynamodb:Attributes: the top-level attribute names a request reads, writes or tests (DynamoDB Developer Guide,
 * "Using IAM policy conditions for fine-grained access control": attributes "read, written, or evaluated in a
 * conditional write or scan filter", key attributes included). The expressions are read with dynalite's own
 * parsers (validations' validateExpressions, as dynalite reads the request itself), not a grammar of ours.
 */

interface DynaliteValidations {
  validateExpressions(data: Record<string, unknown>): string | undefined;
}

const require = createRequire(import.meta.url);
const validations = require('dynalite/validations') as DynaliteValidations;

/** The attribute value types (dynalite leaves values in its trees as AttributeValue objects). */
const VALUE_TYPES = new Set(['S', 'N', 'B', 'NULL', 'BOOL', 'SS', 'NS', 'BS', 'L', 'M']);

/** The parts of a request (or of one item of a transaction) that name attributes. */
export interface AttributeNaming {
  ProjectionExpression?: unknown;
  UpdateExpression?: unknown;
  ConditionExpression?: unknown;
  KeyConditionExpression?: unknown;
  FilterExpression?: unknown;
  ExpressionAttributeNames?: unknown;
  ExpressionAttributeValues?: unknown;
  AttributesToGet?: unknown;
  AttributeUpdates?: unknown;
  Expected?: unknown;
  KeyConditions?: unknown;
  QueryFilter?: unknown;
  ScanFilter?: unknown;
  Key?: unknown;
  Item?: unknown;
}

/** The top-level names a request names, in the order first named. An expression dynalite refuses adds none. */
export function attributeNamesOf(request: AttributeNaming): string[] {
  const names = new Set<string>();
  for (const field of [request.Key, request.Item, request.AttributeUpdates, request.Expected]) {
    for (const name of Object.keys(recordOf(field))) names.add(name);
  }
  for (const field of [request.KeyConditions, request.QueryFilter, request.ScanFilter]) {
    for (const name of Object.keys(recordOf(field))) names.add(name);
  }
  if (Array.isArray(request.AttributesToGet)) {
    for (const name of request.AttributesToGet) if (typeof name === 'string') names.add(name);
  }
  for (const name of expressionNamesOf(request)) names.add(name);
  return [...names];
}

/** The attribute values a key condition sets equal to a key attribute, by name (`pk = :p AND sk > :s`). */
export function keyConditionEqualities(request: AttributeNaming): Map<string, unknown> {
  const equalities = new Map<string, unknown>();
  const visit = (node: unknown): void => {
    const { type, args } = (node ?? {}) as { type?: string; args?: unknown[] };
    if (type === 'and') for (const arg of args ?? []) visit(arg);
    if (type !== '=' || !args) return;
    const [left, right] = args;
    if (Array.isArray(left) && left.length === 1 && typeof left[0] === 'string') equalities.set(left[0], right);
    else if (Array.isArray(right) && right.length === 1 && typeof right[0] === 'string') equalities.set(right[0], left);
  };
  visit((parsedExpressions(request)?._keyCondition as { expression?: unknown } | undefined)?.expression);
  return equalities;
}

function expressionNamesOf(request: AttributeNaming): string[] {
  const parsed = parsedExpressions(request);
  if (!parsed) return [];
  const names: string[] = [];
  for (const tree of [parsed._projection, parsed._updates, parsed._condition, parsed._keyCondition, parsed._filter]) {
    collectPathHeads(tree, names);
  }
  return names;
}

/** dynalite's trees of the request's expressions; undefined when it names none or dynalite refuses one. */
function parsedExpressions(request: AttributeNaming): Record<string, unknown> | undefined {
  const expressions = {
    ProjectionExpression: request.ProjectionExpression,
    UpdateExpression: request.UpdateExpression,
    ConditionExpression: request.ConditionExpression,
    KeyConditionExpression: request.KeyConditionExpression,
    FilterExpression: request.FilterExpression,
  };
  if (Object.values(expressions).every((text) => typeof text !== 'string')) return undefined;
  // validateExpressions writes its trees onto what it is given (_projection, _updates, ...): a copy of ours.
  const parsed: Record<string, unknown> = {
    ...expressions,
    ExpressionAttributeNames: request.ExpressionAttributeNames,
    ExpressionAttributeValues: request.ExpressionAttributeValues,
  };
  // Refused by dynalite: DynamoDB answers ValidationException, whatever the policy.
  return validations.validateExpressions(parsed) ? undefined : parsed;
}

/** A document path is an array of names and list indexes (['notes', 'lines', 0]); its head is the attribute. */
function collectPathHeads(node: unknown, into: string[]): void {
  if (Array.isArray(node)) {
    if (typeof node[0] === 'string' && node.every((part) => typeof part === 'string' || typeof part === 'number')) {
      into.push(node[0]);
      return;
    }
    for (const child of node) collectPathHeads(child, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const keys = Object.keys(node);
  // A value (a string set is an array of strings too): no names inside.
  if (keys.length === 1 && VALUE_TYPES.has(keys[0]!)) return;
  for (const child of Object.values(node)) collectPathHeads(child, into);
}

function recordOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
