import { secretNames, required } from '../../shared/config';
import { HttpClient, secretHeaderAuth, type CredentialSource } from '../../shared/http-client';
import type { Logger } from '../../shared/logger';

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

export interface CalendarEntryResponse {
  entryId: string;
}

export interface CallContext {
  idempotencyKey: string;
  bookingId: string;
  logger: Logger;
  deadline?: number;
}

/** The JADA calendar API: X-Dashboard-Token auth, its own secret (rotating SCC's key never touches it). */
export function jadaCalendarApi(secrets: CredentialSource, http?: Partial<ConstructorParameters<typeof HttpClient>[0]>) {
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
  };
}

export type JadaCalendarApi = ReturnType<typeof jadaCalendarApi>;
