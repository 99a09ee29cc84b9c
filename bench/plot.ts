import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Results } from './report';
import type { Summary } from './stats';

/**
 * The bench's plots, as SVG written by this file (no network, no browser): latency against bookings in flight,
 * choreography beside the direct baseline, latency against bookings of history, and the monthly AWS bill against
 * bookings a month, free tiers in, choreography beside the direct orchestration. `npm run bench` redraws
 * them into docs/bench/ from what it measured; `npx tsx bench/plot.ts [results.json]` redraws them from a
 * results file.
 */

export interface Series {
  name: string;
  /** [x, y] in the chart's units, in the order they are joined. */
  points: readonly (readonly [number, number])[];
  colour: string;
  dashed?: boolean;
}

export interface LineChart {
  title: string;
  /** A line under the title: which run, when, on what. */
  caption: string;
  xLabel: string;
  yLabel: string;
  /** A logarithmic x axis: 1, 10 and 50 in flight, or 100 to 10,000 of history, are spaced by ratio. */
  xLog?: boolean;
  series: readonly Series[];
}

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { left: 72, right: 180, top: 64, bottom: 56 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const coordinate = (value: number) => String(Math.round(value * 10) / 10);

/** Tick values 0, step, 2 step ... up to the first at or above max, step 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const ticks = [0];
  while (ticks[ticks.length - 1]! < max) ticks.push(ticks.length * step);
  return ticks;
}

/** The chart as an SVG document. */
export function renderLineChart(chart: LineChart): string {
  const points = chart.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = [...new Set(points.map(([x]) => x))].sort((a, b) => a - b);
  const yTicks = niceTicks(Math.max(0, ...points.map(([, y]) => y)));
  const yMax = yTicks[yTicks.length - 1]!;
  const xScale = xScaleOf(xs, chart.xLog === true);
  const x = (value: number) => MARGIN.left + xScale(value) * PLOT_WIDTH;
  const y = (value: number) => MARGIN.top + PLOT_HEIGHT - (value / yMax) * PLOT_HEIGHT;
  const bottom = MARGIN.top + PLOT_HEIGHT;

  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>`,
    `<text x="${MARGIN.left}" y="44" fill="#555555">${escapeXml(chart.caption)}</text>`,
  ];
  for (const tick of yTicks) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_WIDTH}" y1="${coordinate(y(tick))}" y2="${coordinate(y(tick))}" stroke="#e0e0e0"/>`,
      `<text x="${MARGIN.left - 8}" y="${coordinate(y(tick) + 4)}" text-anchor="end">${escapeXml(tick.toLocaleString('en-US'))}</text>`,
    );
  }
  for (const tick of xs) {
    out.push(
      `<line x1="${coordinate(x(tick))}" x2="${coordinate(x(tick))}" y1="${bottom}" y2="${bottom + 5}" stroke="#333333"/>`,
      `<text x="${coordinate(x(tick))}" y="${bottom + 20}" text-anchor="middle">${escapeXml(tick.toLocaleString('en-US'))}</text>`,
    );
  }
  out.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_WIDTH}" y1="${bottom}" y2="${bottom}" stroke="#333333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}" stroke="#333333"/>`,
    `<text x="${MARGIN.left + PLOT_WIDTH / 2}" y="${HEIGHT - 12}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  );
  const measured = chart.series
    .map((series) => ({
      ...series,
      shown: series.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py)),
    }))
    .filter((series) => series.shown.length > 0);
  // A series with nothing measured gets no line and no legend: a legend entry without a line would mislead.
  measured.forEach(({ shown, ...series }, index) => {
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    const path = shown.map(([px, py]) => `${coordinate(x(px))},${coordinate(y(py))}`).join(' ');
    out.push(`<g data-series="${escapeXml(series.name)}">`);
    out.push(`<polyline points="${path}" fill="none" stroke="${series.colour}" stroke-width="2"${dash}/>`);
    for (const [px, py] of shown) {
      out.push(`<circle cx="${coordinate(x(px))}" cy="${coordinate(y(py))}" r="3" fill="${series.colour}"/>`);
    }
    const legendY = MARGIN.top + 8 + index * 20;
    const legendX = MARGIN.left + PLOT_WIDTH + 16;
    out.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY}" y2="${legendY}" stroke="${series.colour}" stroke-width="2"${dash}/>`,
      `<text x="${legendX + 30}" y="${legendY + 4}">${escapeXml(series.name)}</text>`,
      '</g>',
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Where each x falls, 0 to 1 across the plot; a lone value sits in the middle. */
function xScaleOf(xs: readonly number[], log: boolean): (value: number) => number {
  const f = log ? (v: number) => Math.log10(v) : (v: number) => v;
  const low = f(xs[0] ?? 0);
  const high = f(xs[xs.length - 1] ?? 1);
  if (high === low) return () => 0.5;
  // A little room at both ends, so the first and last points are not on the axes.
  return (value) => 0.05 + (0.9 * (f(value) - low)) / (high - low);
}

/** What the plots are drawn from, as results.json's raw part keeps it. */
export interface PlotFigures {
  /** The choreography and the direct baseline, one entry per concurrency of the run. */
  chain: readonly { inFlight: number; latency: Summary }[];
  direct: readonly { inFlight: number; latency: Summary }[];
  /** The end to end latency at each level of history. */
  growth: readonly { history: number; latency: Summary }[];
  /** US dollars a month at each level of bookings a month, free tiers in (absent from older results). */
  monthly?: readonly MonthlyPoint[];
  /** US dollars per 1,000 bookings with no free tier: the dashed lines the free tiers bend away from. */
  perThousand?: { choreography: number; direct: number };
  /** The run's date, mode and machine, for the captions. */
  run: string;
}

export interface MonthlyPoint {
  bookingsPerMonth: number;
  choreography: number;
  direct: number;
}

const CHOREOGRAPHY = '#1f5fa8';
const DIRECT = '#d9730d';

/** The third plot: what a month of bookings costs in AWS, the choreography beside the direct orchestration. */
export function monthlyCostPlot(
  monthly: readonly MonthlyPoint[],
  run: string,
  perThousand?: PlotFigures['perThousand'],
): { file: string; svg: string } {
  const line = (name: string, colour: string, pick: (m: MonthlyPoint) => number, dashed = false): Series => ({
    name,
    colour,
    points: monthly.map((m) => [m.bookingsPerMonth, pick(m)]),
    dashed,
  });
  const noFreeTier = perThousand
    ? [
        line(
          'choreo., no free tier',
          CHOREOGRAPHY,
          (m) => (perThousand.choreography * m.bookingsPerMonth) / 1000,
          true,
        ),
        line('direct, no free tier', DIRECT, (m) => (perThousand.direct * m.bookingsPerMonth) / 1000, true),
      ]
    : [];
  return {
    file: 'cost-per-month.svg',
    svg: renderLineChart({
      title: 'AWS bill a month against bookings a month',
      caption: run,
      xLabel: 'new bookings a month',
      yLabel: 'US dollars a month (bench/cost.ts)',
      xLog: true,
      series: [
        line('choreography', CHOREOGRAPHY, (m) => m.choreography),
        line('direct', DIRECT, (m) => m.direct),
        ...noFreeTier,
      ],
    }),
  };
}

/** The plots of one run: file name and SVG. */
export function benchPlots(figures: PlotFigures): { file: string; svg: string }[] {
  const series = (name: string, colour: string, points: [number, number][], dashed = false): Series => ({
    name,
    colour,
    points,
    dashed,
  });
  const byInFlight = (runs: PlotFigures['chain'], pick: (s: Summary) => number) =>
    runs.map((r): [number, number] => [r.inFlight, pick(r.latency)]);
  return [
    {
      file: 'latency-in-flight.svg',
      svg: renderLineChart({
        title: 'End to end latency against bookings in flight',
        caption: figures.run,
        xLabel: 'bookings in flight',
        yLabel: 'webhook 202 to guest page published (ms)',
        xLog: true,
        series: [
          series(
            'choreography p50',
            CHOREOGRAPHY,
            byInFlight(figures.chain, (s) => s.p50),
          ),
          series(
            'choreography p95',
            CHOREOGRAPHY,
            byInFlight(figures.chain, (s) => s.p95),
            true,
          ),
          series(
            'direct p50',
            DIRECT,
            byInFlight(figures.direct, (s) => s.p50),
          ),
          series(
            'direct p95',
            DIRECT,
            byInFlight(figures.direct, (s) => s.p95),
            true,
          ),
        ],
      }),
    },
    {
      file: 'latency-history.svg',
      svg: renderLineChart({
        title: 'End to end latency against bookings of history',
        caption: figures.run,
        xLabel: 'bookings already in the archive and tables',
        yLabel: 'webhook 202 to guest page published (ms)',
        xLog: true,
        series: [
          series(
            'p50, 1 in flight',
            CHOREOGRAPHY,
            figures.growth.map((g) => [g.history, g.latency.p50]),
          ),
          series(
            'p95, 1 in flight',
            CHOREOGRAPHY,
            figures.growth.map((g) => [g.history, g.latency.p95]),
            true,
          ),
        ],
      }),
    },
    ...(figures.monthly && figures.monthly.length > 0
      ? [monthlyCostPlot(figures.monthly, figures.run, figures.perThousand)]
      : []),
  ];
}

interface RawRun {
  bookings: number;
  concurrency: number;
  summary: Summary;
}

/** The plots' figures out of a results.json. */
export function plotFiguresOf(results: Results): PlotFigures {
  const raw = results.raw as {
    chain?: RawRun[];
    direct?: RawRun[];
    growth?: { history: number; endToEndMs: Summary }[];
    cost?: {
      choreography?: { total: number };
      direct?: { total: number };
      monthly?: { bookingsPerMonth: number; choreography: { total: number }; direct: { total: number } }[];
    };
  };
  const { cost } = raw;
  const runs = (list: RawRun[] | undefined) =>
    (list ?? []).map((r) => ({ inFlight: Math.min(r.concurrency, r.bookings), latency: r.summary }));
  const { cpus, cpuModel, node } = results.machine;
  return {
    chain: runs(raw.chain),
    direct: runs(raw.direct),
    growth: (raw.growth ?? []).map((g) => ({ history: g.history, latency: g.endToEndMs })),
    ...(cost?.monthly
      ? {
          monthly: cost.monthly.map((m) => ({
            bookingsPerMonth: m.bookingsPerMonth,
            choreography: m.choreography.total,
            direct: m.direct.total,
          })),
        }
      : {}),
    ...(cost?.choreography && cost.direct
      ? { perThousand: { choreography: cost.choreography.total, direct: cost.direct.total } }
      : {}),
    run: `npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}, ${results.startedAt.slice(0, 10)}, ${cpus} x ${cpuModel}, Node ${node}`,
  };
}

/** Writes the plots into `dir`; returns the files written. */
export function writePlots(results: Results, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return benchPlots(plotFiguresOf(results)).map(({ file, svg }) => {
    const path = join(dir, file);
    writeFileSync(path, svg);
    return path;
  });
}

/** The folder the README links the plots from. */
export const PLOTS_DIR = fileURLToPath(new URL('../docs/bench/', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2] ?? fileURLToPath(new URL('results.json', import.meta.url));
  for (const written of writePlots(JSON.parse(readFileSync(file, 'utf8')) as Results, PLOTS_DIR)) {
    console.log(`wrote ${written}`);
  }
}
