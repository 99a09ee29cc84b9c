import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DetailType } from '../shared/contract/events';
import type { ServiceDeclaration } from '../shared/declaration';
import { discoverServices } from '../deploy/discover';

/**
 * `npx charterflow graph`: the event-flow diagram in docs/event-flow.md, drawn from the declarations (who emits
 * each detail-type, who consumes it), never by hand. test/cli/graph.test.ts fails when that copy is stale.
 */

/** Where the diagram lives, from the project's root (the README links it: its first screen has a smaller one). */
export const DIAGRAM_FILE = 'docs/event-flow.md';

export const GRAPH_START = '<!-- graph:start -->';
export const GRAPH_END = '<!-- graph:end -->';

export const graphHelp = `Usage: npx charterflow graph [--check]

Writes the Mermaid diagram of the event flow (producers -> detail-type -> consumers), derived from
services/*/declaration.ts, into ${DIAGRAM_FILE} between ${GRAPH_START} and ${GRAPH_END}.
--check  writes nothing; exits 1 when ${DIAGRAM_FILE}'s diagram differs from the declarations.`;

const serviceNode = (name: string) => `svc_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
const eventNode = (type: string) => `evt_${type}`;

/** The Mermaid source, deterministic (sorted) so that an unchanged system gives an unchanged README. */
export function renderGraph(declarations: readonly ServiceDeclaration[]): string {
  const sorted = [...declarations].sort((a, b) => a.name.localeCompare(b.name));
  const types = new Set<DetailType>();
  for (const d of sorted) {
    for (const t of d.emits) types.add(t);
    if (d.kind === 'consumer') for (const t of d.consumes) types.add(t);
  }
  const lines = ['```mermaid', 'flowchart LR'];
  for (const d of sorted) {
    const label = d.kind === 'http' ? `${d.name}<br/>${d.route.method} ${d.route.path}` : d.name;
    lines.push(`  ${serviceNode(d.name)}["${label}"]`);
  }
  for (const type of [...types].sort()) lines.push(`  ${eventNode(type)}(["${type}"])`);
  const edges = new Set<string>();
  for (const d of sorted) {
    for (const t of [...d.emits].sort()) edges.add(`  ${serviceNode(d.name)} --> ${eventNode(t)}`);
  }
  for (const type of [...types].sort()) {
    for (const d of sorted) {
      if (d.kind === 'consumer' && d.consumes.includes(type))
        edges.add(`  ${eventNode(type)} --> ${serviceNode(d.name)}`);
    }
  }
  lines.push(...edges, '```');
  return lines.join('\n');
}

/** README with the diagram between the markers; the markers (and a heading) are appended when missing. */
export function withGraph(readme: string, diagram: string): string {
  const block = `${GRAPH_START}\n${diagram}\n${GRAPH_END}`;
  const start = readme.indexOf(GRAPH_START);
  const end = readme.indexOf(GRAPH_END);
  if (start === -1 || end === -1 || end < start) {
    const separator = readme === '' || readme.endsWith('\n\n') ? '' : readme.endsWith('\n') ? '\n' : '\n\n';
    return `${readme}${separator}## Event flow\n\n${block}\n`;
  }
  return readme.slice(0, start) + block + readme.slice(end + GRAPH_END.length);
}

export async function currentGraph(root: string): Promise<string> {
  return renderGraph((await discoverServices(root)).map((s) => s.declaration));
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export async function runGraph(argv: string[], root = projectRoot): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(graphHelp);
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`charterflow graph: unknown argument ${unknown[0]} (see --help)`);
    return 2;
  }
  const file = join(root, DIAGRAM_FILE);
  const readme = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const updated = withGraph(readme, await currentGraph(root));
  if (argv.includes('--check')) {
    if (updated === readme) return 0;
    console.error(`${DIAGRAM_FILE}: the event-flow diagram is stale; run \`npx charterflow graph\``);
    return 1;
  }
  if (updated !== readme) writeFileSync(file, updated);
  console.log(`${DIAGRAM_FILE}: ${updated === readme ? 'diagram already up to date' : 'diagram updated'}`);
  return 0;
}
