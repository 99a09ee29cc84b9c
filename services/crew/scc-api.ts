import { required, secretNames } from '../../shared/config';
import {
  HttpClient,
  probeOf,
  secretHeaderAuth,
  sha256Hex,
  type CallContext,
  type CredentialSource,
} from '../../shared/http-client';

/** A crew member as SCC knows them: crew-event.ts picks them, SCC invites them. */
export interface CrewMember {
  name: string;
  role: 'captain' | 'deckhand';
}

/** What SCC's POST /events takes: the event, its crew, and the pricing SCC derives the revenue lines from. */
export interface CrewEventRequest {
  bookingId: string;
  calendarEntryId: string;
  title: string;
  start: string;
  durationHours: number;
  boat: string;
  partySize: number;
  notes: string;
  crew: CrewMember[];
  pricing: { currency: string; bookingTotal: number; captainFee: number; ownerPayout: number };
}

/** What SCC tells each crew member about a change: the crew-facing facts that changed, old and new. */
export interface CrewNotice {
  changes: { field: string; before: string; after: string }[];
}

export interface CrewEventResponse {
  eventId: string;
}

/**
 * ShipCaptainCrew's API. SCC_API_URL is the raw API Gateway invoke URL (https://{api-id}.execute-api...
 * /prod), not the public CloudFront name: CloudFront strips our custom headers, X-Service-Key among them.
 * The key is sent hashed (hex SHA-256), the same function SCC applies to the key it stores.
 */
export function sccApi(secrets: CredentialSource, http?: Partial<ConstructorParameters<typeof HttpClient>[0]>) {
  const client = new HttpClient({
    service: 'scc',
    baseUrl: () => required('SCC_API_URL'),
    auth: secretHeaderAuth(secrets, secretNames.sccServiceKey, 'X-Service-Key', sha256Hex),
    ...http,
  });
  return {
    async createEvent(request: CrewEventRequest, context: CallContext): Promise<CrewEventResponse> {
      const { body } = await client.call<Partial<CrewEventResponse>>({
        operation: 'createCrewEvent',
        method: 'POST',
        path: '/events',
        body: request,
        ...context,
      });
      if (typeof body?.eventId !== 'string' || body.eventId === '') {
        throw new Error(`scc createCrewEvent for booking ${context.bookingId}: response has no eventId`);
      }
      return { eventId: body.eventId };
    },

    /**
     * A newer version of the crew event (every field). With a notice, SCC tells each crew member what changed
     * (and invites anyone new to the crew); without one, the crew are not bothered (e.g. only the revenue moved).
     */
    async updateEvent(
      eventId: string,
      request: CrewEventRequest,
      notice: CrewNotice | undefined,
      context: CallContext,
    ) {
      await client.call({
        operation: 'updateCrewEvent',
        method: 'PUT',
        path: `/events/${encodeURIComponent(eventId)}`,
        body: { ...request, ...(notice ? { crewNotice: notice } : {}) },
        ...context,
      });
    },

    /** GET /probe: the key is good and SCC answers. Changes nothing. */
    probe: (context: Partial<CallContext> = {}) => probeOf(client, 'scc', context),

    /** SCC cancels the event and tells each crew member it is cancelled. */
    async cancelEvent(eventId: string, context: CallContext) {
      await client.call({
        operation: 'cancelCrewEvent',
        method: 'POST',
        path: `/events/${encodeURIComponent(eventId)}/cancel`,
        ...context,
      });
    },
  };
}

export type SccApi = ReturnType<typeof sccApi>;
