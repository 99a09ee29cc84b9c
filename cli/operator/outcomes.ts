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
 * A consumer that keeps no record of what it did (a new one, scaffolded with no revision records) cannot have
 * skipped anything as already done: every event delivered to it counts as acted, and the summary says why.
 * The ledger keeps a double booking's line on both bookings' timelines: an event is counted once, by its id.
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
  /** The consumer keeps no record of what it did: every event delivered counted as acted. */
  unrecorded?: true;
}

export const LEDGER_CONSUMER = 'booking-ledger';

/** One line per event: a double booking's line sits on both bookings' timelines with the same event id. */
export function distinctEvents(lines: readonly LedgerLine[]): LedgerLine[] {
  const seen = new Set<string>();
  return lines.filter((line) => !seen.has(line.eventId) && Boolean(seen.add(line.eventId)));
}

/** Events of the window per detail-type, from the ledger, each event once. */
export function countByDetailType(lines: readonly LedgerLine[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of distinctEvents(lines)) counts.set(line.detailType, (counts.get(line.detailType) ?? 0) + 1);
  return counts;
}

export function deliveredTo(
  consumer: Pick<ConsumerDeclaration, 'consumes'>,
  counts: ReadonlyMap<string, number>,
): number {
  return [...new Set(consumer.consumes)].reduce((sum, type) => sum + (counts.get(type) ?? 0), 0);
}

/**
 * guest-mail keeps mail records (services/guest-mail/mail-records.ts: sk MAIL#<kind>#r<n>, and MAIL#order, the
 * booking's decision counter), not revision records: a mail decided is what it did.
 */
const MAIL_CONSUMER = 'guest-mail';
const MAIL_PREFIX = 'MAIL#';
const MAIL_ORDER_SK = 'MAIL#order';

export interface ConsumerRecords {
  /** Records advanced at or after `since`, per consumer. */
  since: Map<string, number>;
  /** The consumers that keep any record at all. */
  keeping: Set<string>;
}

/**
 * What the consumers recorded: revision records (pk BOOKING#…, sk STATE#<consumer>, appliedAt) and guest-mail's
 * mail records (at), those advanced since `since` counted per consumer.
 */
export async function consumerRecords(
  documents: DynamoDBDocumentClient,
  since: Date,
  table = bookingsTable(),
): Promise<ConsumerRecords> {
  const records: ConsumerRecords = { since: new Map(), keeping: new Set() };
  const pages = paginateScan(
    { client: documents },
    {
      TableName: table,
      FilterExpression: 'begins_with(sk, :state) OR (begins_with(sk, :mail) AND sk <> :order)',
      ExpressionAttributeNames: { '#consumer': 'consumer', '#at': 'at' },
      ExpressionAttributeValues: { ':state': 'STATE#', ':mail': MAIL_PREFIX, ':order': MAIL_ORDER_SK },
      ProjectionExpression: 'sk, #consumer, appliedAt, #at',
    },
  );
  const iso = since.toISOString();
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const mail = String(item.sk).startsWith(MAIL_PREFIX);
      const consumer = mail ? MAIL_CONSUMER : String(item.consumer ?? String(item.sk).slice('STATE#'.length));
      records.keeping.add(consumer);
      const at = mail ? item.at : item.appliedAt;
      if (typeof at === 'string' && at >= iso) records.since.set(consumer, (records.since.get(consumer) ?? 0) + 1);
    }
  }
  return records;
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
  /** The consumers that keep records of what they did; absent: all of them. */
  keeping?: ReadonlySet<string>,
): ConsumerOutcome[] {
  const counts = countByDetailType(lines);
  const emittedSince = countByDetailType(linesSince);
  return input.consumers.map((consumer) => {
    const delivered = deliveredTo(consumer, counts);
    if (consumer.name !== LEDGER_CONSUMER && keeping && !keeping.has(consumer.name))
      return { consumer: consumer.name, delivered, acted: delivered, emittedOnly: 0, skipped: 0, unrecorded: true };
    const acted =
      consumer.name === LEDGER_CONSUMER
        ? distinctEvents(lines).filter((l) => l.replayName === input.replayName).length
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
  const [lines, records, linesSince] = await Promise.all([
    ledgerLinesBetween(documents, input.window),
    consumerRecords(documents, input.since),
    ledgerLinesBetween(documents, { from: input.since, to: new Date(Date.now() + 86_400_000) }),
  ]);
  return outcomesOf(input, lines, records.since, linesSince, records.keeping);
}
