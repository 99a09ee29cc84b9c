import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * CPU profiles of the bench's own phases (the chain, the direct baseline, the replay), for "where the time
 * goes": with CHARTERFLOW_BENCH_CPU_PROF=<dir>, `profiled` writes <dir>/<phase>.cpuprofile (V8's format, which
 * DevTools opens) of this one process, where the local stack and every consumer run. `npm run bench:profile
 * -- <file>` sums one up by package and by function, the tables the README's Benchmarks section quotes.
 */

const directory = () => process.env.CHARTERFLOW_BENCH_CPU_PROF;

/** Runs `work`, under V8's CPU profiler when CHARTERFLOW_BENCH_CPU_PROF names a directory. */
export async function profiled<T>(phase: string, work: () => Promise<T>): Promise<T> {
  const dir = directory();
  if (!dir) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${phase}.cpuprofile`), JSON.stringify(profile));
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code comes from: an npm package, a Node internal, one of our files, or V8 itself. */
export function sourceOf(url: string, functionName: string): string {
  if (!url) return functionName ? `(${functionName.replace(/^\(|\)$/g, '')})` : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node (internals)' : url;
  const ours = /\/(bench|cli|deploy|local|services|shared)\/(.*)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url;
}

/**
 * Busy time by source and by function, largest first, in ms and as a share of the busy time. Idle time (the
 * process waiting) is given apart, and the inspector's own `dispatch` of Profiler.start and stop (a native
 * frame) is left out: it is the profiler, not the bench.
 */
export function summarizeProfile(profile: CpuProfile, top = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  let total = 0;
  let idle = 0;
  const bySource = new Map<string, number>();
  const byFunction = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const { callFrame } = byId.get(id)!;
    const delta = profile.timeDeltas[i]!;
    if (!callFrame.url && callFrame.functionName === 'dispatch') return;
    if (!callFrame.url && callFrame.functionName === '(idle)') {
      idle += delta;
      return;
    }
    total += delta;
    const source = sourceOf(callFrame.url, callFrame.functionName);
    bySource.set(source, (bySource.get(source) ?? 0) + delta);
    const fn = `${callFrame.functionName || '(anonymous)'} ${source}:${callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + delta);
  });
  const rows = (totals: Map<string, number>) =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, ms: micros / 1000, share: micros / total }));
  return { busyMs: total / 1000, idleMs: idle / 1000, bySource: rows(bySource), byFunction: rows(byFunction) };
}

function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' } },
  });
  if (positionals.length === 0) {
    console.error('usage: npm run bench:profile -- <file.cpuprofile>... [--top N]');
    process.exit(2);
  }
  for (const file of positionals) {
    const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(values.top));
    console.log(`${file}: ${summary.busyMs.toFixed(0)} ms busy (${summary.idleMs.toFixed(0)} ms idle, left out)`);
    for (const [title, rows] of [
      ['busy time by source (self time)', summary.bySource],
      ['busy time by function (self time)', summary.byFunction],
    ] as const) {
      console.log(`\n  ${title}`);
      for (const row of rows)
        console.log(`  ${row.ms.toFixed(0).padStart(7)} ms ${(row.share * 100).toFixed(1).padStart(5)} %  ${row.name}`);
    }
    console.log();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
