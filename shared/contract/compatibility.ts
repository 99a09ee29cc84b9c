/**
 * Finds the changes from a released JSON Schema to the current one that would break a consumer or an
 * archived event: a field removed or renamed, an optional field made required, a new required field,
 * a type narrowed (fewer JSON types, fewer enum values, a const where there was none).
 * Written by us: the JSON Schema diff tools in the registry target OpenAPI or report every change, not this rule.
 */

type Schema = Record<string, unknown>;

const asSchema = (value: unknown): Schema => (value && typeof value === 'object' ? (value as Schema) : {});

function typesOf(schema: Schema): Set<string> | undefined {
  if (typeof schema.type === 'string') return new Set([schema.type === 'integer' ? 'integer' : schema.type]);
  if (Array.isArray(schema.type)) return new Set(schema.type as string[]);
  return undefined;
}

function label(path: string): string {
  return path || '(root)';
}

export function breakingChanges(released: unknown, current: unknown, path = ''): string[] {
  const before = asSchema(released);
  const after = asSchema(current);
  const problems: string[] = [];

  const beforeTypes = typesOf(before);
  const afterTypes = typesOf(after);
  if (beforeTypes && afterTypes) {
    for (const type of beforeTypes) {
      const stillAccepted = afterTypes.has(type) || (type === 'integer' && afterTypes.has('number'));
      if (!stillAccepted) problems.push(`${label(path)}: type narrowed from ${[...beforeTypes]} to ${[...afterTypes]}`);
    }
  } else if (!beforeTypes && afterTypes) {
    problems.push(`${label(path)}: type narrowed to ${[...afterTypes]}`);
  }

  if (Array.isArray(after.enum)) {
    const allowed = new Set(after.enum.map((v) => JSON.stringify(v)));
    const lost = Array.isArray(before.enum)
      ? before.enum.filter((v) => !allowed.has(JSON.stringify(v)))
      : ['(any value)'];
    if (lost.length)
      problems.push(`${label(path)}: enum no longer accepts ${lost.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if ('const' in after && JSON.stringify(after.const) !== JSON.stringify(before.const)) {
    problems.push(`${label(path)}: narrowed to the constant ${JSON.stringify(after.const)}`);
  }

  const beforeProps = asSchema(before.properties);
  const afterProps = asSchema(after.properties);
  const beforeRequired = new Set((before.required as string[] | undefined) ?? []);
  const afterRequired = new Set((after.required as string[] | undefined) ?? []);
  for (const field of Object.keys(beforeProps)) {
    const fieldPath = path ? `${path}.${field}` : field;
    if (!(field in afterProps)) {
      problems.push(`${fieldPath}: field removed or renamed`);
      continue;
    }
    if (!beforeRequired.has(field) && afterRequired.has(field))
      problems.push(`${fieldPath}: optional field made required`);
    problems.push(...breakingChanges(beforeProps[field], afterProps[field], fieldPath));
  }
  for (const field of afterRequired) {
    if (!(field in beforeProps)) problems.push(`${path ? `${path}.${field}` : field}: new required field`);
  }
  if (before.items || after.items) {
    problems.push(...breakingChanges(before.items, after.items, `${path}[]`));
  }
  return problems;
}
