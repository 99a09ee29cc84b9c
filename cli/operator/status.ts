import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LedgerLine } from '../../services/booking-ledger/booking-ledger';
import { BookingLedger } from '../../services/booking-ledger/ledger';
import { refusedMailsOf } from '../../services/guest-mail/mail-records';
import type { DetailType } from '../../shared/contract/events';
import type { ConsumerDeclaration } from '../../shared/declaration';
import { listDeadLetters, type DeadLetter } from './dead-letters';

/**
 * Where a booking stands: its timeline from the booking-ledger, plus what the dead-letter queues hold for
 * it (the ledger only sees facts that happened; a failure is a letter). Pure once read, so the rules
 * (complete, stuck) are tested without AWS.
 */

/** The chain in order, in the operator's words. */
export const chain: readonly { detailType: DetailType; label: string }[] = [
  { detailType: 'BookingReceived', label: 'webhook received' },
  { detailType: 'CalendarEntryCreated', label: 'calendar entry' },
  { detailType: 'CrewEventCreated', label: 'SCC event' },
  { detailType: 'CrewNotesScrubbed', label: 'scrub' },
  { detailType: 'GuestPagePublished', label: 'guest page' },
];

export type BookingState = 'complete' | 'in progress' | 'stuck' | 'cancelled';

export interface StepView {
  label: string;
  detailType: DetailType;
  state: 'done' | 'pending' | 'failed';
  at?: string;
  outcome?: string;
  ids: Record<string, string>;
  eventId?: string;
  replayName?: string;
}

export interface LastError {
  consumer: string;
  errorCode?: string;
  errorMessage?: string;
  at: string;
  retryAttempts?: number;
}

export interface BookingStatus {
  bookingId: string;
  revision?: number;
  state: BookingState;
  /** Why it is stuck, in a few words. */
  stuckBecause?: string;
  receivedAt?: string;
  lastEventAt?: string;
  steps: StepView[];
  /** Lines outside the chain (BookingModified, BookingCancelled, ...), oldest first. */
  otherEvents: { detailType: string; at: string; outcome: string; revision: number }[];
  deadLetters: number;
  lastError?: LastError;
  /** Renter mails SES refused (an address it will not take): not retried, the address needs a person. */
  refusedMails?: { kind: string; revision: number; at: string; code: string; message: string }[];
}

export const DEFAULT_STUCK_AFTER_MS = 10 * 60_000;

export interface StatusRules {
  now: number;
  /** A booking not complete this long after it was received is stuck. */
  stuckAfterMs: number;
  /** Who emits what: a consumer's dead letter marks the step it emits as failed. */
  consumers: readonly Pick<ConsumerDeclaration, 'name' | 'emits'>[];
}

export function statusOf(bookingId: string, lines: readonly LedgerLine[], letters: readonly DeadLetter[], rules: StatusRules): BookingStatus {
  const received = lines.filter((l) => l.detailType === 'BookingReceived');
  const revision = received.length > 0 ? Math.max(...received.map((l) => l.revision)) : lines.length > 0 ? Math.max(...lines.map((l) => l.revision)) : undefined;
  const ofRevision = lines.filter((l) => l.revision === revision);
  const failedTypes = new Set(
    letters.flatMap((letter) => rules.consumers.find((c) => c.name === letter.consumer)?.emits ?? []),
  );
  const steps: StepView[] = chain.map(({ detailType, label }) => {
    const line = ofRevision.find((l) => l.detailType === detailType);
    if (!line) return { label, detailType, state: failedTypes.has(detailType) ? 'failed' : 'pending', ids: {} };
    return {
      label,
      detailType,
      state: 'done',
      at: line.at,
      outcome: line.outcome,
      ids: line.ids,
      eventId: line.eventId,
      ...(line.replayName ? { replayName: line.replayName } : {}),
    };
  });
  const chainTypes = new Set<string>(chain.map((c) => c.detailType));
  const otherEvents = lines
    .filter((l) => !chainTypes.has(l.detailType))
    .map((l) => ({ detailType: l.detailType, at: l.at, outcome: l.outcome, revision: l.revision }));
  const latest = [...lines].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).at(-1);
  const receivedAt = steps[0]!.at;
  const lastLetter = [...letters].sort((a, b) => a.deadAt.getTime() - b.deadAt.getTime()).at(-1);

  let state: BookingState;
  let stuckBecause: string | undefined;
  if (latest?.detailType === 'BookingCancelled') state = 'cancelled';
  else if (steps.every((s) => s.state === 'done')) state = 'complete';
  else {
    const since = Date.parse(receivedAt ?? latest?.at ?? new Date(rules.now).toISOString());
    if (letters.length > 0) stuckBecause = `${letters.length} dead letter${letters.length === 1 ? '' : 's'} (${[...new Set(letters.map((l) => l.consumer))].join(', ')})`;
    else if (rules.now - since > rules.stuckAfterMs) stuckBecause = `not complete ${Math.round((rules.now - since) / 60_000)} min after it was received`;
    state = stuckBecause ? 'stuck' : 'in progress';
  }
  return {
    bookingId,
    ...(revision !== undefined ? { revision } : {}),
    state,
    ...(stuckBecause ? { stuckBecause } : {}),
    ...(receivedAt ? { receivedAt } : {}),
    ...(latest ? { lastEventAt: latest.at } : {}),
    steps,
    otherEvents,
    deadLetters: letters.length,
    ...(lastLetter
      ? {
          lastError: {
            consumer: lastLetter.consumer,
            ...(lastLetter.errorCode ? { errorCode: lastLetter.errorCode } : {}),
            ...(lastLetter.errorMessage ? { errorMessage: lastLetter.errorMessage } : {}),
            ...(lastLetter.retryAttempts !== undefined ? { retryAttempts: lastLetter.retryAttempts } : {}),
            at: lastLetter.deadAt.toISOString(),
          },
        }
      : {}),
  };
}

export interface StatusReader {
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  consumers: readonly ConsumerDeclaration[];
  stuckAfterMs?: number;
  now?: () => number;
}

const rulesOf = (reader: StatusReader): StatusRules => ({
  now: reader.now?.() ?? Date.now(),
  stuckAfterMs: reader.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS,
  consumers: reader.consumers,
});

export async function bookingStatus(reader: StatusReader, bookingId: string): Promise<BookingStatus | undefined> {
  const ledger = new BookingLedger(reader.documents);
  const [lines, letters] = await Promise.all([
    ledger.timeline(bookingId),
    listDeadLetters(reader.sqs, reader.consumers.map((c) => c.name)),
  ]);
  const mine = letters.filter((l) => l.bookingId === bookingId);
  if (lines.length === 0 && mine.length === 0) return undefined;
  return withRefusedMails(reader, statusOf(bookingId, lines, mine, rulesOf(reader)));
}

async function withRefusedMails(reader: StatusReader, status: BookingStatus): Promise<BookingStatus> {
  const refused = await refusedMailsOf(reader.documents, status.bookingId);
  if (refused.length === 0) return status;
  return {
    ...status,
    refusedMails: refused.map((r) => ({ kind: r.kind, revision: r.revision, at: r.at, code: r.refusal?.code ?? 'refused', message: r.refusal?.message ?? '' })),
  };
}

/**
 * The most recently active bookings, newest first, plus any booking that only the dead-letter queues know
 * of (a BookingReceived the ledger itself failed on).
 */
export async function recentStatuses(reader: StatusReader, limit: number): Promise<BookingStatus[]> {
  const ledger = new BookingLedger(reader.documents);
  const [recent, letters] = await Promise.all([
    ledger.recentBookings(limit),
    listDeadLetters(reader.sqs, reader.consumers.map((c) => c.name)),
  ]);
  const ids = [...new Set([...recent.map((r) => r.bookingId), ...letters.flatMap((l) => (l.bookingId ? [l.bookingId] : []))])];
  const rules = rulesOf(reader);
  const statuses = await Promise.all(
    ids.map(async (id) => withRefusedMails(reader, statusOf(id, await ledger.timeline(id), letters.filter((l) => l.bookingId === id), rules))),
  );
  return statuses.sort((a, b) => (b.lastEventAt ?? '').localeCompare(a.lastEventAt ?? ''));
}
