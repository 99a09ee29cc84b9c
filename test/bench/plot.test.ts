import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { benchPlots, niceTicks, plotFiguresOf, renderLineChart, writePlots } from '../../bench/plot';
import type { Results } from '../../bench/report';
import { summarize } from '../../bench/stats';

/** The bench's plots are drawn from given figures: one SVG each, with every figure where it belongs. */

const latency = (p50: number, p95: number) => ({ ...summarize([p50]), p50, p95 });

const results: Results = {
  startedAt: '2026-11-29T08:00:00.000Z',
  mode: 'full',
  durationSeconds: 182,
  machine: { cpus: 2, cpuModel: 'AMD EPYC', node: 'v22.12.0', platform: 'linux x64' },
  figures: [],
  raw: {
    chain: [
      { bookings: 50, concurrency: 1, summary: latency(46, 60) },
      { bookings: 150, concurrency: 10, summary: latency(478, 600) },
      { bookings: 300, concurrency: 50, summary: latency(2444, 3000) },
    ],
    direct: [
      { bookings: 50, concurrency: 1, summary: latency(27, 35) },
      { bookings: 150, concurrency: 10, summary: latency(238, 300) },
      { bookings: 300, concurrency: 50, summary: latency(1044, 1300) },
    ],
    growth: [
      { history: 100, endToEndMs: latency(48, 55) },
      { history: 1000, endToEndMs: latency(44, 52) },
      { history: 10000, endToEndMs: latency(49, 58) },
    ],
  },
};

/** The [x, y] points of one series' line, from its polyline. */
function pointsOf(svg: string, series: string): [number, number][] {
  const group = new RegExp(`<g data-series="${series}">\\n<polyline points="([^"]*)"`).exec(svg);
  if (!group) throw new Error(`no series ${series}`);
  return group[1]!.split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);
}

/** Every element closed in order: the SVG is well-formed XML as far as its tags go. */
function tagsBalance(svg: string): boolean {
  const open: string[] = [];
  for (const [tag, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (tag.startsWith('<?')) continue;
    if (selfClosing) continue;
    if (closing) {
      if (open.pop() !== name) return false;
    } else open.push(name!);
  }
  return open.length === 0;
}

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the bench plots', () => {
  it('takes the in-flight runs, the direct baseline and the history levels out of results.json', () => {
    const figures = plotFiguresOf({
      ...results,
      raw: { ...results.raw, chain: [{ bookings: 15, concurrency: 50, summary: latency(1268, 1364) }] },
      mode: 'quick',
    });
    expect(figures.chain).toEqual([{ inFlight: 15, latency: latency(1268, 1364) }]);
    expect(figures.direct.map((d) => d.inFlight)).toEqual([1, 10, 50]);
    expect(figures.growth.map((g) => [g.history, g.latency.p50])).toEqual([
      [100, 48],
      [1000, 44],
      [10000, 49],
    ]);
    expect(figures.run).toBe('npm run bench -- --quick, 2026-11-29, 2 x AMD EPYC, Node v22.12.0');
  });

  it('draws latency against bookings in flight, choreography beside direct, from the given figures', () => {
    const [inFlight] = benchPlots(plotFiguresOf(results));
    expect(inFlight!.file).toBe('latency-in-flight.svg');
    const svg = inFlight!.svg;
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(tagsBalance(svg)).toBe(true);
    expect(svg).toContain('<title>End to end latency against bookings in flight</title>');
    expect(svg).toContain('npm run bench, 2026-11-29, 2 x AMD EPYC, Node v22.12.0');

    const choreography = pointsOf(svg, 'choreography p50');
    const direct = pointsOf(svg, 'direct p50');
    expect(choreography).toHaveLength(3);
    // Same x for the same bookings in flight; a longer latency is higher up (a smaller y).
    expect(direct.map(([x]) => x)).toEqual(choreography.map(([x]) => x));
    for (const [i, [, y]] of choreography.entries()) expect(y).toBeLessThan(direct[i]![1]);
    expect(choreography[0]![1]).toBeGreaterThan(choreography[2]![1]);
    // Logarithmic x: 1 -> 10 spans further than 10 -> 50.
    const [x1, x10, x50] = choreography.map(([x]) => x) as [number, number, number];
    expect(x10 - x1).toBeGreaterThan(x50 - x10);
    // The axis reaches the largest figure, 3,000 ms at p95 with 50 in flight, and no further.
    expect(svg).toContain('>3,000</text>');
    expect(svg).not.toContain('>4,000</text>');
  });

  it('draws latency against bookings of history, one point per level', () => {
    const history = benchPlots(plotFiguresOf(results)).find((p) => p.file === 'latency-history.svg')!;
    expect(tagsBalance(history.svg)).toBe(true);
    const p50 = pointsOf(history.svg, 'p50, 1 in flight');
    expect(p50).toHaveLength(3);
    // 44 ms at 1,000 is the lowest point, so the largest y.
    expect(Math.max(...p50.map(([, y]) => y))).toBe(p50[1]![1]);
    expect(history.svg).toContain('>10,000</text>');
  });

  it('escapes what it writes as text', () => {
    const svg = renderLineChart({
      title: 'a < b & "c"',
      caption: '',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ name: 'p50 <one>', colour: '#000000', points: [[1, 1]] }],
    });
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(svg).not.toContain('<one>');
    expect(tagsBalance(svg)).toBe(true);
  });

  it('leaves out a figure that was not measured instead of drawing NaN', () => {
    const svg = renderLineChart({
      title: 't',
      caption: '',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 's',
          colour: '#000000',
          points: [
            [1, 10],
            [10, Number.NaN],
            [50, 30],
          ],
        },
      ],
    });
    expect(svg).not.toContain('NaN');
    expect(pointsOf(svg, 's')).toHaveLength(2);
  });

  it('draws no line and no legend for a series with nothing measured', () => {
    const svg = renderLineChart({
      title: 't',
      caption: '',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 'p50', colour: '#000000', points: [[1, 10]] },
        { name: 'p95', colour: '#000000', points: [[1, Number.NaN]] },
      ],
    });
    expect(pointsOf(svg, 'p50')).toHaveLength(1);
    expect(svg).not.toContain('p95');
  });

  it('writes one file per plot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'charterflow-plots-'));
    temporary.push(dir);
    writePlots(results, dir);
    expect(readdirSync(dir).sort()).toEqual(['latency-history.svg', 'latency-in-flight.svg']);
    expect(readFileSync(join(dir, 'latency-in-flight.svg'), 'utf8')).toContain('choreography p95');
  });

  it.each([
    [46, [0, 10, 20, 30, 40, 50]],
    [2444, [0, 500, 1000, 1500, 2000, 2500]],
    [3000, [0, 1000, 2000, 3000]],
    [0, [0, 1]],
  ])('puts the y grid at round values up to at least %d', (max, ticks) => {
    expect(niceTicks(max)).toEqual(ticks);
  });
});
