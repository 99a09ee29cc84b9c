import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LedgerLine } from '../../services/booking-ledger/booking-ledger';
import { BookingLedger } from '../../services/booking-ledger/ledger';
import { percentile } from '../../shared/percentile';

/**
 * The local lookalike of the booking-to-page metric, from the booking-ledger: per booking revision, the time
 * from the booking event the webhook put on the bus (its occurredAt is the moment of receipt) to its
 * GuestPagePublished. Pure once read, so the arithmetic is tested without a stack.
 */

export interface PageLatency {
  bookingId: string;
  revision: number;
  receivedAt: string;
  publishedAt: string;
  ms: number;
}

export interface PageLatencyStats {
  bookings: number;
  revisions: number;
  p50?: number;
  p90?: number;
  p99?: number;
  max?: number;
  slowest: PageLatency[];
}

const BOOKING_EVENTS = new Set<string>(['BookingReceived', 'BookingModified']);

/** Each revision of a booking that reached its guest page, with the time it took (the first publication counts). */
export function pageLatenciesOf(lines: readonly LedgerLine[]): PageLatency[] {
  const byRevision = new Map<number, { received?: LedgerLine; published?: LedgerLine }>();
  for (const line of [...lines].sort((a, b) => a.at.localeCompare(b.at))) {
    const entry = byRevision.get(line.revision) ?? {};
    if (BOOKING_EVENTS.has(line.detailType)) entry.received ??= line;
    if (line.detailType === 'GuestPagePublished') entry.published ??= line;
    byRevision.set(line.revision, entry);
  }
  return [...byRevision]
    .filter(([, e]) => e.received && e.published)
    .map(([revision, e]) => ({
      bookingId: e.received!.bookingId,
      revision,
      receivedAt: e.received!.at,
      publishedAt: e.published!.at,
      ms: Math.max(0, Date.parse(e.published!.at) - Date.parse(e.received!.at)),
    }));
}

export function pageLatencyStats(bookings: number, latencies: readonly PageLatency[], slowest = 5): PageLatencyStats {
  const values = latencies.map((l) => l.ms);
  return {
    bookings,
    revisions: latencies.length,
    ...(values.length > 0
      ? {
          p50: percentile(values, 50),
          p90: percentile(values, 90),
          p99: percentile(values, 99),
          max: Math.max(...values),
        }
      : {}),
    slowest: [...latencies].sort((a, b) => b.ms - a.ms).slice(0, slowest),
  };
}

/** The last `limit` bookings the ledger saw, and how long each revision took to reach its page. */
export async function recentPageLatencies(documents: DynamoDBDocumentClient, limit: number): Promise<PageLatencyStats> {
  const ledger = new BookingLedger(documents);
  const recent = await ledger.recentBookings(limit);
  const timelines = await Promise.all(recent.map((r) => ledger.timeline(r.bookingId)));
  return pageLatencyStats(recent.length, timelines.flatMap(pageLatenciesOf));
}
