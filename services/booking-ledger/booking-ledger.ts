import type { ConsumedEvent } from '../../shared/consumer';
import type { DetailType } from '../../shared/contract/events';

/**
 * One line of a booking's timeline, from one event. Ids only, never the renter's details: the ledger is
 * read by operators' tools and printed in terminals.
 */
export interface LedgerLine {
  bookingId: string;
  revision: number;
  /** The step in the operator's words: "calendar entry created". */
  step: string;
  detailType: DetailType;
  /** When the fact happened (metadata.occurredAt), not when the ledger heard of it. */
  at: string;
  outcome: string;
  /** The ids the event carries: calendar entry, SCC event, page URL, ... */
  ids: Record<string, string>;
  eventId: string;
  correlationId: string;
  causationId: string;
  idempotencyKey: string;
  replayName?: string;
  /** For a double booking found or resolved: the other bookings of the same boat it concerns. */
  partners?: string[];
}

const stepOf = (detailType: string) => detailType.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

function outcomeOf(detailType: DetailType, data: Record<string, unknown>, status: string): string {
  switch (detailType) {
    case 'CrewNotesScrubbed': {
      const removed = Number(data.linesRemoved);
      return removed === 0 ? 'notes already clean' : `${removed} revenue line${removed === 1 ? '' : 's'} removed`;
    }
    case 'BookingReceived':
    case 'BookingModified':
    case 'BookingCancelled':
      return `booking ${status}`;
    case 'CalendarEntryUpdated':
    case 'CrewEventUpdated': {
      const changed = (data.changed as string[] | undefined) ?? [];
      const told = data.crewNotified === true ? '; crew told' : '';
      return changed.length === 0 ? 'nothing to change' : `changed: ${changed.join(', ')}${told}`;
    }
    case 'CalendarEntryCancelled':
      return 'entry cancelled; the slot is free';
    case 'CrewEventCancelled':
      return 'crew event cancelled; crew told';
    case 'GuestPageWithdrawn':
      return 'page withdrawn: it says the charter was cancelled';
    case 'GuestPageUpdated': {
      const changes = (data.changes as { field: string }[] | undefined) ?? [];
      return changes.length === 0
        ? 'nothing the guest sees changed'
        : `changed: ${changes.map((c) => c.field).join(', ')}`;
    }
    case 'CalendarConflictDetected':
      return `double booking with ${partnersOf(detailType, data).join(', ')}`;
    case 'CalendarConflictResolved':
      return `no longer overlaps ${partnersOf(detailType, data).join(', ')}`;
    default:
      return 'done';
  }
}

function partnersOf(detailType: DetailType, data: Record<string, unknown>): string[] {
  const named =
    detailType === 'CalendarConflictDetected'
      ? (data.conflictsWith as { bookingId: string }[])
      : detailType === 'CalendarConflictResolved'
        ? (data.resolvedWith as { bookingId: string }[])
        : [];
  return named.map((b) => b.bookingId);
}

/**
 * The lines one event adds: its own booking's, and for a double booking found or resolved one on each other
 * booking it names too, so that both bookings' timelines (and `charterflow status`) show it.
 */
export function ledgerLinesOf<T extends DetailType>(event: ConsumedEvent<T>): LedgerLine[] {
  const own = ledgerLineOf(event);
  if (!own.partners) return [own];
  // On the other booking's timeline the line names this booking, never that booking itself.
  const outcome = (other: string) =>
    own.detailType === 'CalendarConflictDetected' ? `double booking with ${other}` : `no longer overlaps ${other}`;
  return [
    own,
    ...own.partners.map((partner) => ({
      ...own,
      bookingId: partner,
      partners: [own.bookingId],
      outcome: outcome(own.bookingId),
    })),
  ];
}

export function ledgerLineOf<T extends DetailType>(event: ConsumedEvent<T>): LedgerLine {
  const { metadata, data } = event.detail;
  const { booking, ...rest } = data as { booking: { revision: number; status: string } } & Record<string, unknown>;
  const ids: Record<string, string> = {};
  for (const [key, value] of Object.entries(rest)) if (typeof value === 'string') ids[key] = value;
  const partners = partnersOf(event.detailType, rest);
  return {
    bookingId: metadata.bookingId,
    revision: booking.revision,
    step: stepOf(event.detailType),
    detailType: event.detailType,
    // Normalised to UTC so that times compare as strings (the summary keeps the latest).
    at: new Date(metadata.occurredAt).toISOString(),
    outcome: outcomeOf(event.detailType, rest, booking.status),
    ids,
    eventId: event.id,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    idempotencyKey: metadata.idempotencyKey,
    ...(event.replayName ? { replayName: event.replayName } : {}),
    ...(partners.length > 0 ? { partners } : {}),
  };
}

/** Lines in the order things happened; ties (same instant) by revision, then detail-type. */
export function inTimelineOrder(lines: readonly LedgerLine[]): LedgerLine[] {
  return [...lines].sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) || a.revision - b.revision || a.detailType.localeCompare(b.detailType),
  );
}
