import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import { contractDocuments } from '../shared/contract/documents';
import { BookingDetails as BookingDetailsSchema } from '../shared/contract/booking-details';
import { eventCatalog, READABLE_MAJORS, SCHEMA_VERSION } from '../shared/contract/events';

/**
 * Writes the contract's validators as zod/mini code, from the JSON Schema files that zod writes (schemas/*.json)
 * and the event catalog's sources. zod/mini is the same validator (same parsing, unknown keys dropped, same
 * issue paths) in a tree-shakable form: about 25 KB in a Lambda bundle where zod's classic API is about
 * 190 KB. The contract stays in shared/contract/; this is its compiled form, checked by
 * test/schemas/validators.test.ts against both the files and zod.
 */

export const validatorsPath = 'shared/contract-validators.generated.ts';

type Json = { [key: string]: unknown };

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A booking's private details, from their zod schema (they are no event, so they have no schemas/ file). */
export const bookingDetailsJsonSchema = (): Json =>
  z.toJSONSchema(BookingDetailsSchema, { target: 'draft-2020-12', io: 'input' }) as Json;

/** The EventBridge envelope, from the Powertools schema consumers parsed it with until now. */
export const envelopeJsonSchema = (): Json =>
  z.toJSONSchema(EventBridgeSchema, { target: 'draft-2020-12', io: 'input' }) as Json;

class Writer {
  readonly parts: string[] = [];
  private readonly shared = new Map<string, string>();

  constructor(private readonly repeated: Set<string>) {}

  schema(node: Json): string {
    if (node.type === 'object' && this.repeated.has(JSON.stringify(node))) {
      const key = JSON.stringify(node);
      let name = this.shared.get(key);
      if (!name) {
        const code = this.object(node);
        name = `part${this.shared.size + 1}`;
        this.shared.set(key, name);
        this.parts.push(`const ${name} = once(() => ${code});`);
      }
      return `${name}()`;
    }
    return this.expression(node);
  }

  private expression(node: Json): string {
    const known = new Set(['$schema', '$id', 'title', 'description']);
    const unsupported = (keys: string[]) => {
      const extra = Object.keys(node).filter((k) => !known.has(k) && !keys.includes(k));
      if (extra.length) throw new Error(`no zod/mini form for ${extra.join(', ')} in ${JSON.stringify(node)}`);
    };
    if (Object.keys(node).every((k) => known.has(k))) return 'z.unknown()';
    if (Array.isArray(node.enum)) {
      unsupported(['type', 'enum']);
      return `z.enum(${JSON.stringify(node.enum)})`;
    }
    switch (node.type) {
      case 'object':
        unsupported(['type', 'properties', 'required']);
        return this.object(node);
      case 'array': {
        unsupported(['type', 'items', 'minItems', 'maxItems']);
        const checks = [];
        if (node.minItems !== undefined) checks.push(`z.minLength(${node.minItems})`);
        if (node.maxItems !== undefined) checks.push(`z.maxLength(${node.maxItems})`);
        return withChecks(`z.array(${this.schema(node.items as Json)})`, checks);
      }
      case 'boolean':
        unsupported(['type']);
        return 'z.boolean()';
      case 'string':
        unsupported(['type', 'minLength', 'maxLength', 'pattern', 'format']);
        return stringSchema(node);
      case 'number':
      case 'integer':
        unsupported(['type', 'minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum']);
        return numberSchema(node);
      default:
        throw new Error(`no zod/mini form for ${JSON.stringify(node)}`);
    }
  }

  private object(node: Json): string {
    const required = new Set((node.required as string[] | undefined) ?? []);
    const fields = Object.entries((node.properties as Record<string, Json>) ?? {}).map(([name, child]) => {
      const code = this.schema(child);
      return `${JSON.stringify(name)}: ${required.has(name) ? code : `z.optional(${code})`}`;
    });
    return `z.object({ ${fields.join(', ')} })`;
  }
}

const withChecks = (base: string, checks: string[]) => (checks.length ? `${base}.check(${checks.join(', ')})` : base);

function stringSchema(node: Json): string {
  const checks: string[] = [];
  if (node.minLength !== undefined) checks.push(`z.minLength(${node.minLength})`);
  if (node.maxLength !== undefined) checks.push(`z.maxLength(${node.maxLength})`);
  const pattern = node.pattern as string | undefined;
  switch (node.format) {
    case undefined:
      if (pattern !== undefined) checks.push(`z.regex(/${new RegExp(pattern).source}/)`);
      return withChecks('z.string()', checks);
    case 'date-time':
      // zod writes the pattern of its own ISO check: with an offset, or with Z only.
      return withChecks(`z.iso.datetime({ offset: ${String(pattern?.includes('[+-]'))} })`, checks);
    case 'email':
      return withChecks('z.email()', checks);
    case 'uri':
      return withChecks('z.url()', checks);
    default:
      throw new Error(`no zod/mini form for the string format ${String(node.format)}`);
  }
}

function numberSchema(node: Json): string {
  const integer = node.type === 'integer';
  const checks: string[] = [];
  const { minimum, exclusiveMinimum, maximum, exclusiveMaximum } = node as Record<string, number | undefined>;
  if (exclusiveMinimum !== undefined)
    checks.push(exclusiveMinimum === 0 ? 'z.positive()' : `z.gt(${exclusiveMinimum})`);
  if (minimum !== undefined && !(integer && minimum === -MAX_SAFE))
    checks.push(minimum === 0 ? 'z.nonnegative()' : `z.gte(${minimum})`);
  if (maximum !== undefined && !(integer && maximum === MAX_SAFE)) checks.push(`z.lte(${maximum})`);
  if (exclusiveMaximum !== undefined) checks.push(`z.lt(${exclusiveMaximum})`);
  return withChecks(integer ? 'z.int()' : 'z.number()', checks);
}

/** Object schemas met more than once (the booking, the metadata) are written once and shared. */
function repeatedObjects(documents: Json[]): Set<string> {
  const counts = new Map<string, number>();
  const visit = (node: unknown, root: boolean) => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, false);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const json = node as Json;
    if (!root && json.type === 'object') counts.set(JSON.stringify(json), (counts.get(JSON.stringify(json)) ?? 0) + 1);
    for (const value of Object.values(json)) visit(value, false);
  };
  for (const document of documents) visit(document, true);
  return new Set([...counts].filter(([, n]) => n > 1).map(([key]) => key));
}

/** The generated module's text, formatted as the project's formatter would. */
export function renderContractValidators(read: (path: string) => string): string {
  const events = contractDocuments.filter((d) => Object.hasOwn(eventCatalog, d.name));
  const others = contractDocuments.filter((d) => !Object.hasOwn(eventCatalog, d.name));
  const json = (path: string) => JSON.parse(read(path)) as Json;
  const olderMajors = (d: (typeof events)[number]) => (d.major > 1 ? [json(`${d.releasedDir}/v1.json`)] : []);
  const details = bookingDetailsJsonSchema();
  const all = [
    envelopeJsonSchema(),
    details,
    ...contractDocuments.map((d) => json(d.path)),
    ...events.flatMap(olderMajors),
  ];
  const writer = new Writer(repeatedObjects(all));
  const envelope = writer.schema(envelopeJsonSchema());
  const documents = others.map((d) => `export const ${d.name} = once(() => ${writer.schema(json(d.path))});`);
  const detailSchemas = events.flatMap((d) => [
    `const ${d.name} = once(() => ${writer.schema(json(d.path))});`,
    ...olderMajors(d).map((v1) => `const ${d.name}V1 = once(() => ${writer.schema(v1)});`),
  ]);
  const catalog = events.map((d) => {
    const { source } = eventCatalog[d.name as keyof typeof eventCatalog];
    const v1 = d.major > 1 ? ` get v1() { return ${d.name}V1(); },` : '';
    return `${d.name}: { source: ${JSON.stringify(source)}, get schema() { return ${d.name}(); },${v1} },`;
  });
  const privateDetails = `export const BookingDetails = once(() => ${writer.schema(details)});`;
  const text = [
    '// Generated by `npm run validators` (scripts/contract-validators.ts) from schemas/*.json and the event',
    '// catalog in shared/contract/events.ts: do not edit. The contract is there; this is its zod/mini form.',
    "import * as z from 'zod/mini';",
    "import en from 'zod/v4/locales/en.js';",
    '',
    '// zod/mini leaves messages to the caller: English, as zod itself configures them.',
    'z.config(en());',
    '',
    `export const SCHEMA_VERSION = ${JSON.stringify(SCHEMA_VERSION)};`,
    '/** The majors of the event contract consumers still read (shared/contract/read.ts). */',
    `export const READABLE_MAJORS = ${JSON.stringify(READABLE_MAJORS)} as const;`,
    '',
    "// Each schema is built on first use: building them all was most of this module's import time, and a",
    '// function uses a few (the envelope, what it consumes, what it emits).',
    'function once<T>(build: () => T): () => T {',
    '  let built: T | undefined;',
    '  return () => {',
    '    built ??= build();',
    '    return built;',
    '  };',
    '}',
    '',
    ...writer.parts,
    '',
    '/** The EventBridge envelope (Powertools parser schema). */',
    `export const EventBridgeEnvelope = once(() => ${envelope});`,
    '',
    ...documents,
    '',
    "/** A booking's private details (shared/contract/booking-details.ts), as the private record holds them. */",
    privateDetails,
    '',
    ...detailSchemas,
    '',
    'export const eventContracts = {',
    ...catalog,
    '} as const;',
    '',
    'export type ContractDetailType = keyof typeof eventContracts;',
    'export const contractDetailTypes = Object.keys(eventContracts) as ContractDetailType[];',
    '',
  ].join('\n');
  return format(text);
}

function format(text: string): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  return execFileSync(join(root, 'node_modules', '.bin', 'biome'), ['format', `--stdin-file-path=${validatorsPath}`], {
    cwd: root,
    input: text,
    encoding: 'utf8',
  });
}
