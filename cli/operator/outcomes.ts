import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ledgerLinesBetween } from '../../services/booking-ledger/read';
import type { LedgerLine } from '../../services/booking-ledger/booking-ledger';
import { bookingsTable } from '../../shared/config';
import type { ConsumerDeclaration } from '../../shared/declaration';
import type { TimeWindow } from './replays';

/**
 * What a replay did, per consumer, from durable records that exist in AWS as locally (no log scraping):
 * - delivered: the events of the window the consumer's rule matches, counted from the booking-ledger (it
 *   keeps one line per fact on the bus; AWS has no API that lists an archive's events);
 * - acted: for a consumer that records the revisions it applied (shared/revisions.ts), the bookings whose
 *   record it advanced since the replay started; for the ledger itself, the lines first written by this
 *   replay (they carry its replay-name);
 * - emittedOnly: the step was done but its event never went out (a chain broken halfway): the replay made
 *   the consumer emit it; counted as the consumer's events in the ledger since the replay started, less acted;
 * - skipped: the rest, already done before.
 * Live traffic during the replay counts as the replay's; replays are rare and bookings tens a day. These are
 * the ledger's view: a fact it lacked and that the replay brought back with its original time counts as
 * delivered, not as emitted.
 */

export interface ConsumerOutcome {
  consumer: string;
  delivered: number;
  acted: number;
  emittedOnly: number;
  skipped: number;
}

export const LEDGER_CONSUMER = 'booking-ledger';

/** Events of the window per detail-type, from the ledger. */
export function countByDetailType(lines: readonly LedgerLine[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line.detailType, (counts.get(line.detailType) ?? 0) + 1);
  return counts;
}

export function deliveredTo(
  consumer: Pick<ConsumerDeclaration, 'consumes'>,
  counts: ReadonlyMap<string, number>,
): number {
  return [...new Set(consumer.consumes)].reduce((sum, type) => sum + (counts.get(type) ?? 0), 0);
}

/** Revision records (pk BOOKING#…, sk STATE#<consumer>) advanced at or after `since`, per consumer. */
export async function stepsDoneSince(
  documents: DynamoDBDocumentClient,
  since: Date,
  table = bookingsTable(),
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const pages = paginateScan(
    { client: documents },
    {
      TableName: table,
      FilterExpression: 'begins_with(sk, :state) AND appliedAt >= :since',
      ExpressionAttributeNames: { '#consumer': 'consumer' },
      ExpressionAttributeValues: { ':state': 'STATE#', ':since': since.toISOString() },
      ProjectionExpression: '#consumer',
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? [])
      counts.set(String(item.consumer), (counts.get(String(item.consumer)) ?? 0) + 1);
  }
  return counts;
}

export interface OutcomeInput {
  consumers: readonly ConsumerDeclaration[];
  window: TimeWindow;
  replayName: string;
  /** When the replay started: step records from then on are this replay's doing. */
  since: Date;
}

export function outcomesOf(
  input: Pick<OutcomeInput, 'consumers' | 'replayName'>,
  lines: readonly LedgerLine[],
  stepsDone: ReadonlyMap<string, number>,
  /** Ledger lines of facts that happened since the replay started. */
  linesSince: readonly LedgerLine[] = [],
): ConsumerOutcome[] {
  const counts = countByDetailType(lines);
  const emittedSince = countByDetailType(linesSince);
  return input.consumers.map((consumer) => {
    const delivered = deliveredTo(consumer, counts);
    const acted =
      consumer.name === LEDGER_CONSUMER
        ? lines.filter((l) => l.replayName === input.replayName).length
        : (stepsDone.get(consumer.name) ?? 0);
    const emitted = [...new Set(consumer.emits)].reduce((sum, type) => sum + (emittedSince.get(type) ?? 0), 0);
    const emittedOnly = Math.max(0, Math.min(delivered - acted, emitted - acted));
    return {
      consumer: consumer.name,
      delivered,
      acted,
      emittedOnly,
      skipped: Math.max(0, delivered - acted - emittedOnly),
    };
  });
}

export async function replayOutcomes(
  documents: DynamoDBDocumentClient,
  input: OutcomeInput,
): Promise<ConsumerOutcome[]> {
  const [lines, stepsDone, linesSince] = await Promise.all([
    ledgerLinesBetween(documents, input.window),
    stepsDoneSince(documents, input.since),
    ledgerLinesBetween(documents, { from: input.since, to: new Date(Date.now() + 86_400_000) }),
  ]);
  return outcomesOf(input, lines, stepsDone, linesSince);
}
