import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { detailTypes, eventCatalog, isDetailType, type DetailType } from '../shared/contract/events';
import { runGraph } from './graph';
import { UsageError } from './usage-error';

/**
 * `npx charterflow new consumer <name> --on <DetailType>`: one new folder under services/ (declaration,
 * thin handler, a domain stub) and its test against the local stack. The deploy config and the local
 * stack discover the folder; nothing else is edited, except the generated diagram in README.md.
 */

export const newConsumerHelp = `Usage: npx charterflow new consumer <name> --on <DetailType> [--on <DetailType> ...]

Scaffolds services/<name>/{declaration.ts, handler.ts, <name>.ts} and test/services/<name>/<name>.test.ts,
then redraws the event-flow diagram in README.md. <name> is lower-case kebab-case (e.g. booking-ledger).
A running stack (npm start) delivers to the new consumer once restarted: it subscribes consumers at start.
Detail-types: ${detailTypes.join(', ')} (or "all").`;

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
// charterflow-<stage>-<name>-dlq must fit SQS's 80 characters and rule names EventBridge's 64, with room for a stage.
const MAX_NAME_LENGTH = 32;

/** The width Biome formats to (biome.json), which the scaffold's long lines are laid out for. */
const biome = JSON.parse(readFileSync(new URL('../biome.json', import.meta.url), 'utf8'));
const LINE_WIDTH: number = biome.formatter.lineWidth;

/**
 * A list as Biome lays it out: on one line when it fits, else one item a line with a trailing comma, so that
 * what the scaffold writes passes `biome check` as written, whatever the name and however many detail-types.
 */
export function laidOut(indent: string, open: string, items: readonly string[], close: string): string {
  const line = `${indent}${open}${items.join(', ')}${close}`;
  if (line.length <= LINE_WIDTH) return line;
  return [`${indent}${open}`, ...items.map((item) => `${indent}  ${item},`), `${indent}${close}`].join('\n');
}

export interface NewConsumer {
  name: string;
  on: DetailType[];
}

export function parseNewConsumerArgs(argv: string[]): NewConsumer | 'help' {
  const config = {
    args: argv,
    allowPositionals: true as const,
    options: { on: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } as const,
  };
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  if (parsed.values.help) return 'help';
  // cli/main.ts hands over what follows `new consumer`; a direct caller may still pass `consumer` first.
  const positionals = parsed.positionals[0] === 'consumer' ? parsed.positionals.slice(1) : parsed.positionals;
  const [name, ...rest] = positionals;
  if (!name) throw new UsageError('missing the consumer name: new consumer <name> --on <DetailType>');
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  if (!NAME.test(name)) throw new UsageError(`name "${name}" must be lower-case kebab-case, like booking-ledger`);
  if (name.length > MAX_NAME_LENGTH)
    throw new UsageError(`name "${name}" is longer than ${MAX_NAME_LENGTH} characters`);
  const requested = (parsed.values.on ?? [])
    .flatMap((value) => value.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (requested.length === 0) throw new UsageError('missing --on <DetailType>: which events does it consume?');
  const on = requested.includes('all') ? [...detailTypes] : requested;
  const unknown = on.filter((type) => !isDetailType(type));
  if (unknown.length > 0) {
    throw new UsageError(`unknown detail-type ${unknown.join(', ')}; one of ${detailTypes.join(', ')}`);
  }
  return { name, on: [...new Set(on as DetailType[])] };
}

const templates = join(dirname(fileURLToPath(import.meta.url)), 'templates', 'consumer');

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascalOf = (name: string) => camel(name).replace(/^./, (c) => c.toUpperCase());

function render(template: string, values: Record<string, string>): string {
  return readFileSync(join(templates, template), 'utf8').replace(/\{\{(\w+)\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template ${template} uses {{${key}}}, which the scaffold does not fill`);
    return value;
  });
}

/**
 * What the function and its rule are described as: the detail-types while the line fits, else a count
 * (Lambda takes 256 characters of description; the declaration lists them all anyway).
 */
function describe(name: string, on: readonly DetailType[]): string {
  if (on.length === detailTypes.length) return `${name}: on every detail-type`;
  const listed = `${name}: on ${on.join(', ')}`;
  return `  description: '${listed}',`.length <= LINE_WIDTH ? listed : `${name}: on ${on[0]} and ${on.length - 1} more`;
}

/** Writes the new consumer's files; returns their project-relative paths. Refuses to overwrite anything. */
export function scaffoldConsumer({ name, on }: NewConsumer, root: string): string[] {
  const first = on[0]!;
  const noteFunction = `${camel(name)}Note`;
  const note = `${pascalOf(name)}Note`;
  const quoted = on.map((type) => `'${type}'`);
  const values = {
    name,
    Pascal: pascalOf(name),
    noteFunction,
    description: describe(name, on),
    consumes: laidOut('  ', 'consumes: [', quoted, '],'),
    noteSignature: laidOut(
      '',
      `export function ${noteFunction}<T extends DetailType>(`,
      ['event: ConsumedEvent<T>'],
      `): ${note} {`,
    ),
    firstType: first,
    firstSource: eventCatalog[first].source,
  };
  const files: [string, string][] = [
    [`services/${name}/declaration.ts`, 'declaration.ts.tmpl'],
    [`services/${name}/handler.ts`, 'handler.ts.tmpl'],
    [`services/${name}/${name}.ts`, 'domain.ts.tmpl'],
    [`test/services/${name}/${name}.test.ts`, 'test.ts.tmpl'],
  ];
  const taken = [`services/${name}`, `test/services/${name}`].filter((path) => existsSync(join(root, path)));
  if (taken.length > 0) throw new UsageError(`${taken.join(' and ')} already exist: pick another name`);
  const rendered = files.map(([path, template]) => [path, render(template, values)] as const);
  for (const [path, content] of rendered) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content, { flag: 'wx' });
  }
  return files.map(([path]) => path);
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export async function runNewConsumer(argv: string[], root = projectRoot): Promise<number> {
  try {
    const parsed = parseNewConsumerArgs(argv);
    if (parsed === 'help') {
      console.log(newConsumerHelp);
      return 0;
    }
    const written = scaffoldConsumer(parsed, root);
    for (const path of written) console.log(`created ${path}`);
    const graphed = await runGraph([], root);
    console.log(`next: write what ${parsed.name} does in services/${parsed.name}/${parsed.name}.ts, then`);
    console.log(`      npx vitest run test/services/${parsed.name}   and   npx serverless package --stage ci`);
    // The running stack subscribes the consumers it found when it started, and only those.
    console.log(
      `      and restart the stack (Ctrl-C, then npm start): a running stack does not deliver to ${parsed.name}`,
    );
    return graphed;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`charterflow new: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
