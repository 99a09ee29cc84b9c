import type { JadaEntry } from '../../services/calendar/jada-calendar-api';
import type { SccTableEvent } from '../../services/crew/scc-events-table';
import type { ShadowRecord } from '../../shared/shadow';

/**
 * What charterflow would have written (its shadow records) beside what JADA and SCC hold (made by the old
 * Lambdas): the pure part of `charterflow shadow-report`.
 */

/** One field charterflow would write otherwise than the system holds it. */
export interface FieldDifference {
  system: 'JADA' | 'SCC';
  field: string;
  holds: string;
  wouldWrite: string;
}

export interface BookingComparison {
  bookingId: string;
  /** The latest revision charterflow handled in shadow. */
  revision: number;
  differences: FieldDifference[];
}

/** The calendar entry and crew event charterflow would leave, from its shadow records (the last write wins). */
export interface WouldWrite {
  entry?: Record<string, unknown> & { status: 'active' | 'cancelled' };
  event?: Record<string, unknown> & { status: 'active' | 'cancelled' };
}

const CALENDAR_WRITES = new Set(['createEntry', 'updateEntry', 'cancelEntry']);
const CREW_WRITES = new Set(['createEvent', 'updateEvent', 'cancelEvent']);

/** The request of a recorded write: a one-argument call is recorded as it is, others as the list of arguments. */
const argumentsOf = (record: ShadowRecord): unknown[] =>
  Array.isArray(record.request) ? record.request : [record.request];

export function wouldWriteOf(records: readonly ShadowRecord[]): WouldWrite {
  const would: WouldWrite = {};
  // Records' keys sort by consumer, revision and place in the invocation: their order is the order written.
  for (const record of records) {
    const args = argumentsOf(record);
    if (record.consumer === 'calendar' && CALENDAR_WRITES.has(record.operation)) {
      if (record.operation === 'cancelEntry') {
        if (would.entry) would.entry = { ...would.entry, status: 'cancelled' };
        continue;
      }
      const request = (record.operation === 'createEntry' ? args[0] : args[1]) as Record<string, unknown>;
      would.entry = { ...request, status: 'active' };
    } else if (record.consumer === 'crew' && CREW_WRITES.has(record.operation)) {
      if (record.operation === 'cancelEvent') {
        if (would.event) would.event = { ...would.event, status: 'cancelled' };
        continue;
      }
      const request = (record.operation === 'createEvent' ? args[0] : args[1]) as Record<string, unknown>;
      would.event = { ...request, status: 'active' };
    }
  }
  return would;
}

const ENTRY_FIELDS = ['date', 'start', 'durationHours', 'boat', 'partySize', 'title', 'status'] as const;
const EVENT_FIELDS = ['title', 'start', 'durationHours', 'boat', 'partySize', 'crew', 'status'] as const;

const text = (value: unknown): string => {
  if (value === undefined) return '(nothing)';
  if (Array.isArray(value)) {
    // A crew list: who and in what role, in any order.
    return value
      .map((m) =>
        typeof m === 'object' && m ? `${(m as { name?: string }).name} (${(m as { role?: string }).role})` : String(m),
      )
      .sort()
      .join(', ');
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
};

function differencesIn(
  system: FieldDifference['system'],
  fields: readonly string[],
  holds: Record<string, unknown>,
  would: Record<string, unknown>,
): FieldDifference[] {
  return fields
    .filter((field) => would[field] !== undefined && text(holds[field]) !== text(would[field]))
    .map((field) => ({ system, field, holds: text(holds[field]), wouldWrite: text(would[field]) }));
}

/** One booking: what JADA and SCC hold (undefined: nothing found) against what charterflow would leave. */
export function compareBooking(
  bookingId: string,
  revision: number,
  would: WouldWrite,
  jada: JadaEntry | undefined,
  scc: SccTableEvent | undefined,
): BookingComparison {
  const differences: FieldDifference[] = [];
  if (would.entry) {
    if (!jada) differences.push({ system: 'JADA', field: 'entry', holds: '(no entry)', wouldWrite: 'an entry' });
    else
      differences.push(...differencesIn('JADA', ENTRY_FIELDS, jada as unknown as Record<string, unknown>, would.entry));
  }
  if (would.event) {
    if (!scc) differences.push({ system: 'SCC', field: 'event', holds: '(no event)', wouldWrite: 'an event' });
    else
      differences.push(...differencesIn('SCC', EVENT_FIELDS, scc as unknown as Record<string, unknown>, would.event));
  }
  return { bookingId, revision, differences };
}

/** The report's lines: the bookings that differ, field by field, then the ones that match, then the summary. */
export function reportLines(comparisons: readonly BookingComparison[]): string[] {
  const differ = comparisons.filter((c) => c.differences.length > 0);
  const match = comparisons.filter((c) => c.differences.length === 0);
  const lines: string[] = [];
  for (const c of differ) {
    lines.push(`DIFFERS  ${c.bookingId} (revision ${c.revision})`);
    for (const d of c.differences)
      lines.push(`  ${d.system} ${d.field}: holds ${d.holds}; charterflow would write ${d.wouldWrite}`);
  }
  for (const c of match) lines.push(`matches  ${c.bookingId} (revision ${c.revision})`);
  lines.push(
    comparisons.length === 0
      ? 'no shadow records: is the stage in shadow mode (deploy param mode: shadow), and has a booking arrived?'
      : `${comparisons.length} booking(s) compared: ${match.length} match, ${differ.length} differ`,
  );
  return lines;
}
