import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { inTimelineOrder, type LedgerLine } from '../../services/booking-ledger/booking-ledger';
import { BookingLedger } from '../../services/booking-ledger/ledger';
import { refusedMailsOf } from '../../services/guest-mail/mail-records';
import type { DetailType } from '../../shared/contract/events';
import type { ConsumerDeclaration } from '../../shared/declaration';
import { bookingSeen } from './bookings';
import { consumersWithDeadLetterQueues, listDeadLetters, type DeadLetter } from './dead-letters';
import { refusedCallOf, type RefusedCall } from './refused-call';

/**
 * Where a booking stands: its timeline from the booking-ledger, plus what the dead-letter queues hold for
 * it (the ledger only sees facts that happened; a failure is a letter). Pure once read, so the rules
 * (complete, stuck) are tested without AWS.
 */

/**
 * The chain in order, in the operator's words, with the facts each system states about a revision: the first
 * is what it states when it first holds the booking, the rest when it follows a change or a cancellation.
 */
export const chain: readonly { detailType: DetailType; label: string; states: readonly DetailType[] }[] = [
  {
    detailType: 'BookingReceived',
    label: 'webhook received',
    states: ['BookingReceived', 'BookingModified', 'BookingCancelled'],
  },
  {
    detailType: 'CalendarEntryCreated',
    label: 'calendar entry',
    states: ['CalendarEntryCreated', 'CalendarEntryUpdated', 'CalendarEntryCancelled'],
  },
  {
    detailType: 'CrewEventCreated',
    label: 'SCC event',
    states: ['CrewEventCreated', 'CrewEventUpdated', 'CrewEventCancelled'],
  },
  { detailType: 'CrewNotesScrubbed', label: 'scrub', states: ['CrewNotesScrubbed'] },
  {
    detailType: 'GuestPagePublished',
    label: 'guest page',
    states: ['GuestPagePublished', 'GuestPageUpdated', 'GuestPageWithdrawn'],
  },
];

/** Lines outside the chain, named as the operator would. */
const otherLabels: Partial<Record<DetailType, string>> = {
  CalendarConflictDetected: 'double booking found',
  CalendarConflictResolved: 'double booking resolved',
};

/** A line's detail-type in the operator's words: its chain step, or what it is. */
export function labelOf(detailType: DetailType): string {
  return chain.find((c) => c.states.includes(detailType))?.label ?? otherLabels[detailType] ?? detailType;
}

export type BookingState = 'complete' | 'in progress' | 'stuck' | 'cancelled';

export interface StepView {
  label: string;
  /** The fact the system stated about the latest revision (its first kind while pending). */
  detailType: DetailType;
  state: 'done' | 'pending' | 'failed' | 'not needed';
  /** The highest revision this system has stated it holds. */
  holdsRevision?: number;
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
  /** The AWS call that was refused, when the error is AWS's AccessDenied: the permission the role lacks. */
  refusedCall?: RefusedCall;
}

export interface BookingStatus {
  bookingId: string;
  revision?: number;
  state: BookingState;
  /** Why it is stuck, in a few words. */
  stuckBecause?: string;
  receivedAt?: string;
  lastEventAt?: string;
  /** What the latest line of the timeline says happened, in the operator's words ("guest page", "double booking found"). */
  lastEventLabel?: string;
  /** The consumers whose dead-letter queues hold an event of it. */
  stuckAt?: string[];
  steps: StepView[];
  /** Other bookings of the same boat whose trips overlap this one now (a double booking). */
  doubleBookedWith: string[];
  /** Lines outside the chain (conflicts, ...), oldest first. */
  otherEvents: { detailType: string; at: string; outcome: string; revision: number }[];
  deadLetters: number;
  lastError?: LastError;
  /** Renter mails SES refused (an address it will not take): not retried, the address needs a person. */
  refusedMails?: { kind: string; revision: number; at: string; code: string; message: string }[];
}

export const DEFAULT_STUCK_AFTER_MS = 10 * 60_000;

export interface StatusRules {
  now: number;
  /** A booking whose systems do not all hold its latest revision this long after it arrived is stuck. */
  stuckAfterMs: number;
  /** Who emits what: a consumer's dead letter marks the step it emits as failed. */
  consumers: readonly Pick<ConsumerDeclaration, 'name' | 'emits'>[];
}

/** The bookings a booking overlaps now: conflicts found, less those resolved since, in the order they happened. */
export function openConflicts(lines: readonly LedgerLine[], bookingId?: string): string[] {
  const open = new Set<string>();
  for (const line of inTimelineOrder(lines)) {
    if (line.detailType === 'CalendarConflictDetected') for (const p of line.partners ?? []) open.add(p);
    if (line.detailType === 'CalendarConflictResolved') for (const p of line.partners ?? []) open.delete(p);
  }
  if (bookingId) open.delete(bookingId);
  return [...open].sort();
}

/**
 * A line's outcome as this booking's timeline tells it. A double booking found or resolved by the other booking
 * sits here as a copy of that booking's line, whose outcome names this booking; its `partners` name the other one.
 */
function outcomeOnTimeline(line: LedgerLine, bookingId: string): string {
  const partners = (line.partners ?? []).filter((p) => p !== bookingId);
  if (line.detailType === 'CalendarConflictDetected') return `double booking with ${partners.join(', ')}`;
  if (line.detailType === 'CalendarConflictResolved') return `no longer overlaps ${partners.join(', ')}`;
  return line.outcome;
}

export function statusOf(
  bookingId: string,
  lines: readonly LedgerLine[],
  letters: readonly DeadLetter[],
  rules: StatusRules,
): BookingStatus {
  // The booking's own facts: a double booking found by another booking also sits on this timeline (its key is that booking's).
  const ownLines = lines.filter((l) => l.idempotencyKey.startsWith(`${bookingId}:`));
  const bookingLines = ownLines.filter((l) => chain[0]!.states.includes(l.detailType));
  const revision =
    bookingLines.length > 0
      ? Math.max(...bookingLines.map((l) => l.revision))
      : ownLines.length > 0
        ? Math.max(...ownLines.map((l) => l.revision))
        : undefined;
  const latestBooking = bookingLines.filter((l) => l.revision === revision).at(-1);
  const cancelled = latestBooking?.detailType === 'BookingCancelled';
  const failedTypes = new Set(
    letters.flatMap((letter) => rules.consumers.find((c) => c.name === letter.consumer)?.emits ?? []),
  );
  const steps: StepView[] = chain.map(({ detailType, label, states }) => {
    const stated = ownLines.filter((l) => states.includes(l.detailType));
    const holdsRevision = stated.length > 0 ? Math.max(...stated.map((l) => l.revision)) : undefined;
    const line = stated.filter((l) => l.revision === revision).at(-1);
    const holds = holdsRevision !== undefined ? { holdsRevision } : {};
    if (!line) {
      // A cancellation needs nothing from a system that never held the booking, and nothing from scrub.
      const notNeeded = cancelled && (holdsRevision === undefined || detailType === 'CrewNotesScrubbed');
      const failed = states.some((t) => failedTypes.has(t));
      return { label, detailType, state: notNeeded ? 'not needed' : failed ? 'failed' : 'pending', ...holds, ids: {} };
    }
    return {
      label,
      detailType: line.detailType,
      state: 'done',
      ...holds,
      at: line.at,
      outcome: line.outcome,
      ids: line.ids,
      eventId: line.eventId,
      ...(line.replayName ? { replayName: line.replayName } : {}),
    };
  });
  const chainTypes = new Set<string>(chain.flatMap((c) => c.states));
  const otherEvents = lines
    .filter((l) => !chainTypes.has(l.detailType))
    .map((l) => ({
      detailType: l.detailType,
      at: l.at,
      outcome: outcomeOnTimeline(l, bookingId),
      revision: l.revision,
    }));
  const latest = [...lines].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).at(-1);
  const receivedAt = latestBooking?.at;
  const lastLetter = [...letters].sort((a, b) => a.deadAt.getTime() - b.deadAt.getTime()).at(-1);

  let state: BookingState;
  let stuckBecause: string | undefined;
  const stuckAt = [...new Set(letters.map((l) => l.consumer))].sort();
  const settled = steps.every((s) => s.state === 'done' || s.state === 'not needed');
  // A dead letter is work a consumer did not do, whichever consumer: one outside the chain (the ledger, guest
  // mail, one added since) leaves the chain settled and the booking stuck all the same.
  if (letters.length > 0) {
    state = 'stuck';
    stuckBecause = `${letters.length} dead letter${letters.length === 1 ? '' : 's'} (${stuckAt.join(', ')})`;
  } else if (settled) state = cancelled ? 'cancelled' : 'complete';
  else {
    const since = Date.parse(receivedAt ?? latest?.at ?? new Date(rules.now).toISOString());
    const behind = steps.filter((s) => s.state !== 'done' && s.state !== 'not needed');
    if (rules.now - since > rules.stuckAfterMs) {
      const held = behind.map(
        (s) => `${s.label} ${s.holdsRevision === undefined ? 'has nothing' : `at revision ${s.holdsRevision}`}`,
      );
      stuckBecause = `systems disagree ${Math.round((rules.now - since) / 60_000)} min after revision ${revision} arrived: ${held.join(', ')}`;
    }
    state = stuckBecause ? 'stuck' : 'in progress';
  }
  return {
    bookingId,
    ...(revision !== undefined ? { revision } : {}),
    state,
    ...(stuckBecause ? { stuckBecause } : {}),
    ...(receivedAt ? { receivedAt } : {}),
    ...(latest ? { lastEventAt: latest.at, lastEventLabel: labelOf(latest.detailType) } : {}),
    ...(stuckAt.length > 0 ? { stuckAt } : {}),
    steps,
    doubleBookedWith: openConflicts(lines, bookingId),
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
            ...refusedOf(lastLetter),
          },
        }
      : {}),
  };
}

function refusedOf(letter: DeadLetter): { refusedCall?: RefusedCall } {
  const refusedCall = refusedCallOf(letter.errorMessage);
  return refusedCall ? { refusedCall } : {};
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

/** Every dead letter of the stage: each declared consumer's queue and any other consumer's the stage holds. */
export async function everyDeadLetter(reader: Pick<StatusReader, 'sqs' | 'consumers'>): Promise<DeadLetter[]> {
  const names = await consumersWithDeadLetterQueues(
    reader.sqs,
    reader.consumers.map((c) => c.name),
  );
  return listDeadLetters(reader.sqs, names);
}

/**
 * Where one booking stands; undefined for a booking the stage never saw (no record, no line, no letter),
 * unless `force`, which shows it with nothing done.
 */
export async function bookingStatus(
  reader: StatusReader,
  bookingId: string,
  { force = false } = {},
): Promise<BookingStatus | undefined> {
  const ledger = new BookingLedger(reader.documents);
  const [lines, letters] = await Promise.all([ledger.timeline(bookingId), everyDeadLetter(reader)]);
  const mine = letters.filter((l) => l.bookingId === bookingId);
  if (lines.length === 0 && mine.length === 0 && !force && !(await bookingSeen(reader.documents, bookingId)))
    return undefined;
  return withRefusedMails(reader, statusOf(bookingId, lines, mine, rulesOf(reader)));
}

async function withRefusedMails(reader: StatusReader, status: BookingStatus): Promise<BookingStatus> {
  const refused = await refusedMailsOf(reader.documents, status.bookingId);
  if (refused.length === 0) return status;
  return {
    ...status,
    refusedMails: refused.map((r) => ({
      kind: r.kind,
      revision: r.revision,
      at: r.at,
      code: r.refusal?.code ?? 'refused',
      message: r.refusal?.message ?? '',
    })),
  };
}

/**
 * The most recently active bookings, newest first, plus any booking that only the dead-letter queues know
 * of (a BookingReceived the ledger itself failed on).
 */
export async function recentStatuses(reader: StatusReader, limit: number): Promise<BookingStatus[]> {
  const ledger = new BookingLedger(reader.documents);
  const [recent, letters] = await Promise.all([ledger.recentBookings(limit), everyDeadLetter(reader)]);
  const ids = [
    ...new Set([...recent.map((r) => r.bookingId), ...letters.flatMap((l) => (l.bookingId ? [l.bookingId] : []))]),
  ];
  const rules = rulesOf(reader);
  const statuses = await Promise.all(
    ids.map(async (id) =>
      withRefusedMails(
        reader,
        statusOf(
          id,
          await ledger.timeline(id),
          letters.filter((l) => l.bookingId === id),
          rules,
        ),
      ),
    ),
  );
  return statuses.sort((a, b) => (b.lastEventAt ?? '').localeCompare(a.lastEventAt ?? ''));
}
