import { secretNames, required } from '../../shared/config';
import { HttpClient, secretHeaderAuth, type CallContext, type CredentialSource } from '../../shared/http-client';

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

export type JadaCalendarApi = ReturnType<typeof jadaCalendarApi>;
