import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../../shared/aws';
import { secretNames } from '../../../shared/config';
import {
  HttpError,
  expectedCredential,
  faultsFromEnv,
  header,
  sameSecret,
  guardedRoutes,
  serveStandIn,
  type Faults,
  type TableRoute,
  type RunningStandIn,
  type StandInRequest,
} from '../http-kit';
import { loadContract } from '../contract';
import {
  cancelCrewEvent,
  createCrewEvent,
  getCrewEvent,
  listCrewEvents,
  invitationsOf,
  noticesOf,
  updateCrewEvent,
} from './events';
import { sccTables, sha256Hex } from './model';

/**
 * A stand-in for ShipCaptainCrew's API behind its API Gateway stage (/prod), X-Service-Key (hex SHA-256 of the
 * service key) on every call and Idempotency-Key on writes: POST /events, PUT /events/:eventId (a new version;
 * with `crewNotice`, every crew member is told what changed), POST /events/:eventId/cancel and GET /probe, as
 * schemas/openapi/scc.yaml has them (every request and answer is checked against it); and for tests GET /events
 * [?bookingId=], GET /events/:eventId, GET /events/:eventId/invitations, GET /events/:eventId/notices.
 * Like the real SCC it writes the operator's revenue lines into the event's notes on every version (./revenue)
 * and "emails" every crew member a magic-link invitation (scc-crew-invitations) and each change or cancellation
 * notice (scc-crew-notices) (./crew-mail). What each route does is in ./events.
 */

export {
  SCC_EVENTS_TABLE,
  SCC_INVITATIONS_TABLE,
  SCC_NOTICES_TABLE,
  SCC_REQUESTS_TABLE,
  sccTables,
  type CrewInvitation,
  type CrewMember,
  type CrewNoticeSent,
  type SccEvent,
  type SccPricing,
} from './model';
export * from './revenue';
export { parseCrewNotice, parseEventRequest } from './requests';

export interface SccOptions {
  port: number;
  /** The raw service key it accepts (callers send its SHA-256); else SCC_SERVICE_KEY, else the seeded secret. */
  serviceKey?: string;
  faults?: Partial<Faults>;
  documents?: DynamoDBDocumentClient;
}

const ROUTES: TableRoute[] = [
  { method: 'POST', path: '/events', handle: createCrewEvent },
  { method: 'PUT', path: '/events/:eventId', handle: updateCrewEvent },
  { method: 'POST', path: '/events/:eventId/cancel', handle: cancelCrewEvent },
  { method: 'GET', path: '/events/:eventId/notices', handle: noticesOf, inspection: true },
  { method: 'GET', path: '/events', handle: listCrewEvents, inspection: true },
  { method: 'GET', path: '/events/:eventId', handle: getCrewEvent, inspection: true },
  { method: 'GET', path: '/events/:eventId/invitations', handle: invitationsOf, inspection: true },
  { method: 'GET', path: '/probe', handle: () => Promise.resolve({ status: 200, body: { service: 'scc', ok: true } }) },
];

export async function startScc(options: SccOptions): Promise<RunningStandIn> {
  const contract = await loadContract('scc');
  const documents = options.documents ?? documentClient();
  const serviceKey = expectedCredential({
    value: options.serviceKey,
    envVar: 'SCC_SERVICE_KEY',
    secretName: secretNames.sccServiceKey,
  });

  async function authorize(request: StandInRequest) {
    if (!sameSecret(header(request, 'x-service-key'), sha256Hex(await serviceKey.get()))) {
      // The probe answers 401, as preflight and the contract expect of it; the other routes keep SCC's 403.
      throw new HttpError(request.path === '/probe' ? 401 : 403, 'missing or wrong X-Service-Key');
    }
  }

  return serveStandIn({
    name: 'scc',
    port: options.port,
    basePath: '/prod',
    faults: { ...faultsFromEnv('SCC'), ...options.faults },
    adminRoutes: [serviceKey.adminRoute()],
    routes: guardedRoutes(ROUTES, authorize, documents, contract),
    contract,
  });
}

/** The stand-in as the local stack starts it. SCC_API_URL is its API Gateway stage URL (…/prod). */
export const sccStandIn = {
  name: 'scc',
  envVar: 'SCC_API_URL',
  tables: sccTables,
  start: (opts: { port: number } & Partial<SccOptions>) => startScc(opts),
};
