import { secretNames, required } from '../../shared/config';
import {
  HttpClient,
  probeOf,
  secretHeaderAuth,
  type CallContext,
  type CredentialSource,
} from '../../shared/http-client';

/** What the JADA internal calendar API takes for one entry. */
export interface CalendarEntryRequest {
  bookingId: string;
  /** The charter date in the trip's own time zone (a 5 pm Pacific trip is on that Pacific day). */
  date: string;
  start: string;
  durationHours: number;
  boat: string;
  partySize: number;
  title: string;
}

/**
 * The time a boat needs between two trips (cleaning, fuel, the next party boarding): trips closer than this
 * are a double booking. CHARTERFLOW_TURNAROUND_MINUTES, 30 by default.
 */
export function turnaroundMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CHARTERFLOW_TURNAROUND_MINUTES;
  const minutes = raw === undefined || raw === '' ? 30 : Number(raw);
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new Error(`CHARTERFLOW_TURNAROUND_MINUTES must be a number of minutes, not "${raw}"`);
  }
  return minutes * 60_000;
}

export interface CalendarEntryResponse {
  entryId: string;
}

/** An entry as JADA lists it: the fields it was created or last updated with, its id and whether it is cancelled. */
export interface JadaEntry extends CalendarEntryRequest {
  entryId: string;
  status: 'active' | 'cancelled';
}

/** The JADA calendar API: X-Dashboard-Token auth, its own secret (rotating SCC's key never touches it). */
export function jadaCalendarApi(
  secrets: CredentialSource,
  http?: Partial<ConstructorParameters<typeof HttpClient>[0]>,
) {
  const client = new HttpClient({
    service: 'jada-calendar',
    baseUrl: () => required('JADA_CALENDAR_URL'),
    auth: secretHeaderAuth(secrets, secretNames.jadaDashboardToken, 'X-Dashboard-Token'),
    ...http,
  });
  return {
    async createEntry(request: CalendarEntryRequest, context: CallContext): Promise<CalendarEntryResponse> {
      const { body } = await client.call<Partial<CalendarEntryResponse>>({
        operation: 'createCalendarEntry',
        method: 'POST',
        path: '/entries',
        body: request,
        ...context,
      });
      if (typeof body?.entryId !== 'string' || body.entryId === '') {
        throw new Error(`jada-calendar createCalendarEntry for booking ${context.bookingId}: response has no entryId`);
      }
      return { entryId: body.entryId };
    },

    /**
     * Every entry JADA holds for a booking, cancelled ones included, oldest first: what the hand-made Lambdas
     * made before charterflow took over, or what charterflow made itself before a crash.
     */
    async findEntries(bookingId: string, context: Omit<CallContext, 'idempotencyKey'>): Promise<JadaEntry[]> {
      // A read carries no Idempotency-Key, even when the caller's context has one.
      const { logger, deadline } = context;
      const { body } = await client.call<{ entries?: unknown }>({
        operation: 'findCalendarEntries',
        method: 'GET',
        path: '/entries',
        query: { bookingId },
        bookingId: context.bookingId,
        logger,
        deadline,
      });
      if (!Array.isArray(body?.entries)) {
        throw new Error(`jada-calendar findCalendarEntries for booking ${bookingId}: response has no entries list`);
      }
      return body.entries.map((entry) => jadaEntryOf(entry, `findCalendarEntries for booking ${bookingId}`));
    },

    /** GET /probe: the token is good and JADA answers. Changes nothing. */
    probe: (context: Partial<CallContext> = {}) => probeOf(client, 'jada-calendar', context),

    /** Every entry JADA holds, oldest first (GET /entries): what `charterflow adopt` walks for upcoming trips. */
    async listEntries(context: Omit<CallContext, 'idempotencyKey' | 'bookingId'>): Promise<JadaEntry[]> {
      const { body } = await client.call<{ entries?: unknown }>({
        operation: 'listCalendarEntries',
        method: 'GET',
        path: '/entries',
        logger: context.logger,
        deadline: context.deadline,
      });
      if (!Array.isArray(body?.entries))
        throw new Error('jada-calendar listCalendarEntries: response has no entries list');
      return body.entries.map((entry) => jadaEntryOf(entry, 'listCalendarEntries'));
    },

    /** The entry as a newer revision of the booking has it (every field; JADA keeps the entry id). */
    async updateEntry(entryId: string, request: CalendarEntryRequest, context: CallContext): Promise<void> {
      await client.call({
        operation: 'updateCalendarEntry',
        method: 'PUT',
        path: `/entries/${encodeURIComponent(entryId)}`,
        body: request,
        ...context,
      });
    },

    /** JADA keeps a cancelled entry, marked cancelled, and frees its slot. */
    async cancelEntry(entryId: string, context: CallContext): Promise<void> {
      await client.call({
        operation: 'cancelCalendarEntry',
        method: 'POST',
        path: `/entries/${encodeURIComponent(entryId)}/cancel`,
        ...context,
      });
    },

    /** Marks the entry as double-booked with these bookings; an empty list clears the mark. */
    async markConflicts(entryId: string, conflictsWith: readonly string[], context: CallContext): Promise<void> {
      await client.call({
        operation: 'markCalendarConflicts',
        method: 'PUT',
        path: `/entries/${encodeURIComponent(entryId)}/conflicts`,
        body: { conflictsWith },
        ...context,
      });
    },
  };
}

/** An entry of JADA's answer, checked: a clear error naming the field JADA left out or got wrong. */
function jadaEntryOf(raw: unknown, call: string): JadaEntry {
  const e = (raw ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ['entryId', 'bookingId', 'date', 'start', 'boat'] as const) {
    if (typeof e[key] !== 'string' || e[key] === '') problems.push(`${key} is not a non-empty string`);
  }
  for (const key of ['durationHours', 'partySize'] as const) {
    if (typeof e[key] !== 'number') problems.push(`${key} is not a number`);
  }
  if (e.status !== 'active' && e.status !== 'cancelled') problems.push('status is neither active nor cancelled');
  if (problems.length > 0) {
    throw new Error(`jada-calendar ${call}: an entry ${problems.join(', ')}`);
  }
  return {
    entryId: e.entryId as string,
    status: e.status as JadaEntry['status'],
    bookingId: e.bookingId as string,
    date: e.date as string,
    start: e.start as string,
    durationHours: e.durationHours as number,
    boat: e.boat as string,
    partySize: e.partySize as number,
    title: typeof e.title === 'string' ? e.title : '',
  };
}

export type JadaCalendarApi = ReturnType<typeof jadaCalendarApi>;
