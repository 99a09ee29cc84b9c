import { documentClient } from '../shared/aws';
import {
  alignColumns,
  applyTarget,
  formatDuration,
  parseCommandArgs,
  parsePositiveInt,
  processIo,
  targetHelp,
  targetOptions,
  type Io,
} from './args';
import { recentPageLatencies, type PageLatencyStats } from './operator/stats';

export const statsHelp = `Usage: npx charterflow stats [--last N] [--json]

Booking-to-page latency over the last N bookings, from the booking-ledger: for each booking revision, the time
from the webhook's receipt to its guest page being published; p50, p90, p99, the longest, and the slowest ones.
The same figure the deployed stack reports as the bookingToPageLatency metric.
  --last N   how many of the most recent bookings (default 50)
  --json     print JSON for scripts
${targetHelp}
Reads the booking-ledger's table.`;

export async function runStats(argv: string[], io: Io = processIo()): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    ...targetOptions,
    last: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const last = parsePositiveInt(values.last, '--last', 50);
  io.err(applyTarget(values));
  const documents = documentClient();
  try {
    const stats = await recentPageLatencies(documents, last);
    if (values.json) io.out(JSON.stringify(stats));
    else printStats(io, stats);
    return 0;
  } finally {
    documents.destroy();
  }
}

export function printStats(io: Io, stats: PageLatencyStats): void {
  if (stats.revisions === 0) {
    io.out(`no guest page published yet for the last ${stats.bookings} booking(s) in the ledger`);
    return;
  }
  io.out(`booking to live page, last ${stats.bookings} booking(s), ${stats.revisions} revision(s) published:`);
  io.out(
    `  p50 ${formatDuration(stats.p50!)}  p90 ${formatDuration(stats.p90!)}  p99 ${formatDuration(stats.p99!)}  longest ${formatDuration(stats.max!)}`,
  );
  io.out('  slowest:');
  // Durations right-aligned, so their units line up; the rest padded by its widest value.
  const took = stats.slowest.map((s) => formatDuration(s.ms));
  const tookWidth = Math.max(...took.map((t) => t.length));
  const rows = stats.slowest.map((s, i) => [
    s.bookingId,
    `r${s.revision}`,
    took[i]!.padStart(tookWidth),
    `received ${s.receivedAt}`,
  ]);
  for (const row of alignColumns(rows)) io.out(`    ${row}`);
}
