import { describe, expect, it } from 'vitest';
import type { BundleFigures } from '../../bench/bundles';
import type { RunFigures } from '../../bench/chain';
import {
  chainSideBySide,
  coldStartMedians,
  formatPackaged,
  packagedChainRuns,
  SOURCE_ONLY,
  type PackagedResults,
} from '../../bench/packaged-figures';
import type { Results } from '../../bench/report';
import { formatColumns } from '../../bench/table';
import type { ColdStart } from '../../local/lambda/isolated';

/** The packaged run beside source mode: which figures sit side by side, and how the cold starts are summed up. */

const run = (concurrency: number, latencies: number[], throughput = 10): RunFigures => ({
  bookings: latencies.length,
  concurrency,
  latencies,
  throughput,
  cpuMsPerBooking: 50,
  bookingIds: latencies.map((_, i) => `BST-${i}`),
});

const coldStart = (functionName: string, coldStartMs: number, importMs = 100): ColdStart => ({
  functionName,
  pid: 4242,
  nodeVersion: 'v22.12.0',
  processStartMs: 40,
  importMs,
  initMs: importMs + 50,
  coldStartMs,
});

const bundle = (name: string, median: number): BundleFigures => ({
  name,
  minifiedBytes: 200_000,
  gzippedBytes: 60_000,
  coldStartMs: { median, importMedian: median - 20, firstEventMedian: 20, runs: [median] },
  largest: [],
});

describe('the chain side by side', () => {
  it('sets each packaged in-flight level against the source run at the same level, p50, p95 and throughput', () => {
    const rows = chainSideBySide(
      [run(1, [40, 50, 60], 20), run(10, [400, 500, 600])],
      [run(1, [80, 90, 100], 11), run(10, [900, 1000, 1100], 5.555)],
    );
    expect(rows).toEqual([
      { figure: 'e2e p50, 1 in flight', unit: 'ms', source: 50, packaged: 90 },
      { figure: 'e2e p95, 1 in flight', unit: 'ms', source: 60, packaged: 100 },
      { figure: 'throughput, 1 in flight', unit: 'bookings/s', source: 20, packaged: 11 },
      { figure: 'e2e p50, 3 in flight', unit: 'ms', source: 500, packaged: 1000 },
      { figure: 'e2e p95, 3 in flight', unit: 'ms', source: 600, packaged: 1100 },
      { figure: 'throughput, 3 in flight', unit: 'bookings/s', source: 10, packaged: 5.56 },
    ]);
  });

  it('leaves the source column empty where source mode ran no such level', () => {
    const [p50] = chainSideBySide([run(1, [40])], [run(50, [700, 800])]);
    expect(p50).toMatchObject({ figure: 'e2e p50, 2 in flight', packaged: 700 });
    expect(p50!.source).toBeNaN();
  });
});

describe('packaged cold starts', () => {
  const serviceOf = (fn: string) => fn.replace(/^charterflow-local-/, '');

  it('take the median of each part over the samples, per function, named by its service', () => {
    const medians = coldStartMedians(
      [
        [coldStart('charterflow-local-calendar', 300, 100)],
        [coldStart('charterflow-local-calendar', 500, 300)],
        [coldStart('charterflow-local-calendar', 400, 200)],
      ],
      serviceOf,
    );
    expect(medians).toEqual([
      {
        service: 'calendar',
        functionName: 'charterflow-local-calendar',
        nodeVersion: 'v22.12.0',
        samples: 3,
        processStartMs: 40,
        importMs: 200,
        initMs: 250,
        coldStartMs: 400,
      },
    ]);
  });

  it("count only a function's first cold start in each sample: a second one started beside a busy environment", () => {
    const [ledger] = coldStartMedians(
      [[coldStart('charterflow-local-booking-ledger', 300), coldStart('charterflow-local-booking-ledger', 900)]],
      serviceOf,
    );
    expect(ledger).toMatchObject({ samples: 1, coldStartMs: 300 });
  });

  it("put section 4's bundle cold start beside the function it measured, and nothing where there is none", () => {
    const medians = coldStartMedians(
      [[coldStart('charterflow-local-crew', 600), coldStart('charterflow-local-scrub', 500)]],
      serviceOf,
      [bundle('crew', 412.345)],
    );
    expect(medians[0]).toMatchObject({ service: 'crew', sourceBundleColdStartMs: 412.3 });
    expect(medians[1]).not.toHaveProperty('sourceBundleColdStartMs');
  });
});

describe('the packaged tables', () => {
  const results: PackagedResults = {
    packageMs: 9_876,
    stackStartupMs: 1_234,
    environmentsPerFunction: 10,
    chain: packagedChainRuns([run(1, [80, 90, 100])]),
    sideBySide: chainSideBySide([run(1, [40, 50, 60], 20)], [run(1, [80, 90, 100], 11)]),
    coldStarts: coldStartMedians([[coldStart('charterflow-local-crew', 600)]], (fn) => fn.slice(18), [
      bundle('crew', 412),
    ]),
    sourceOnly: SOURCE_ONLY,
  };

  it('print figure | source | packaged, and each cold start part with section 4 labelled apart', () => {
    const text = formatPackaged(results);
    const lines = text.split('\n');
    expect(lines.find((l) => l.startsWith('figure'))).toMatch(/^figure\s+source\s+packaged$/);
    expect(lines.find((l) => l.startsWith('e2e p50, 1 in flight'))).toMatch(/50 ms\s+90 ms$/);
    expect(lines.find((l) => l.startsWith('function'))).toMatch(
      /process start\s+import\s+init\s+cold start\s+samples\s+section 4: bundle in bare node$/,
    );
    expect(lines.find((l) => l.startsWith('crew'))).toMatch(/^crew\s+40 ms\s+100 ms\s+150 ms\s+600 ms\s+1\s+412 ms$/);
    expect(text).toContain('source mode only: per-hop split');
    expect(text).toContain('at most 10 environments a function');
  });

  it('keep a results file whose packaged part carries the chain, the side-by-side rows and the cold starts', () => {
    const file: Pick<Results, 'packaged'> = JSON.parse(JSON.stringify({ packaged: results }));
    expect(file.packaged?.chain[0]).toEqual({
      bookings: 3,
      concurrency: 1,
      throughput: 10,
      summary: { count: 3, p50: 90, p95: 100, p99: 100, mean: 90 },
    });
    expect(Object.keys(file.packaged!)).toEqual(
      expect.arrayContaining(['sideBySide', 'coldStarts', 'sourceOnly', 'packageMs']),
    );
  });

  it('pad every column but the last to its widest cell', () => {
    expect(formatColumns(['a', 'bb', 'c'], [['xxx', 'y', 'last cell']])).toBe(
      'a    bb  c\n---  --  ---------\nxxx  y   last cell',
    );
  });
});
