import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/aws';
import { secretNames } from '../../shared/config';
import {
  HttpError,
  createOnce,
  expectedCredential,
  faultsFromEnv,
  header,
  idFromIdempotencyKey,
  onceForKey,
  requestHash,
  requestsTable,
  sameSecret,
  scanWhere,
  serveStandIn,
  type Faults,
  type RunningStandIn,
  type StandInRequest,
} from './http-kit';
import { isConditionFailure } from '../../shared/errors';

/**
 * A stand-in for ShipCaptainCrew's API behind its API Gateway stage (/prod), X-Service-Key (hex SHA-256 of the
 * service key) on every call and Idempotency-Key on writes: POST /events, PUT /events/:eventId (a new version;
 * with `crewNotice`, every crew member is told what changed), POST /events/:eventId/cancel, GET /events
 * [?bookingId=], GET /events/:eventId, GET /events/:eventId/invitations, GET /events/:eventId/notices.
 * Like the real SCC it writes the operator's revenue lines into the event's notes (on every version) and
 * "emails" every crew member a magic-link invitation (scc-crew-invitations) and each change or cancellation
 * notice (scc-crew-notices).
 */

export const SCC_EVENTS_TABLE = 'scc-events';
export const SCC_INVITATIONS_TABLE = 'scc-crew-invitations';
export const SCC_NOTICES_TABLE = 'scc-crew-notices';
export const SCC_REQUESTS_TABLE = 'scc-requests';

export interface CrewMember {
  name: string;
  role: 'captain' | 'deckhand';
}

export interface SccPricing {
  currency: string;
  bookingTotal: number;
  captainFee: number;
  ownerPayout: number;
}

export interface SccEvent {
  eventId: string;
  bookingId: string;
  calendarEntryId: string;
  title: string;
  start: string;
  durationHours: number;
  boat: string;
  partySize: number;
  notes: string;
  crew: CrewMember[];
  status?: 'active' | 'cancelled';
  idempotencyKey?: string;
  requestHash: string;
  createdAt: string;
  updatedAt?: string;
  cancelledAt?: string;
}

/** A change or cancellation "emailed" to one crew member. */
export interface CrewNoticeSent {
  noticeId: string;
  eventId: string;
  crewMember: CrewMember;
  kind: 'changed' | 'cancelled' | 'removed';
  changes?: { field: string; before: string; after: string }[];
  /** The Idempotency-Key of the request that sent it: which update it tells of. */
  requestKey?: string;
  sentAt: string;
}

export interface CrewInvitation {
  invitationId: string;
  eventId: string;
  crewMember: CrewMember;
  magicLinkToken: string;
  sentAt: string;
}

export const sccTables: CreateTableCommandInput[] = [
  {
    TableName: SCC_EVENTS_TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'eventId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }],
  },
  {
    TableName: SCC_INVITATIONS_TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'invitationId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'invitationId', KeyType: 'HASH' }],
  },
  {
    TableName: SCC_NOTICES_TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'noticeId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'noticeId', KeyType: 'HASH' }],
  },
  requestsTable(SCC_REQUESTS_TABLE),
];

/** What SCC charges against the owner's payout (the operator's figures). */
export const SCC_RATES = { deckhandHourly: 40, portFeePerDeparture: 35 } as const;

export interface RevenueLines {
  revenue: number;
  captainFee: number;
  crewCosts: number;
  portFees: number;
  net: number;
}

/**
 * The operator's revenue figures:
 *   Revenue     = booking total
 *   Captain Fee = the captain's fee
 *   Crew Costs  = deckhands x $40/hour x trip hours
 *   Port Fees   = $35 per departure
 *   Your Net    = owner payout - crew costs - port fees
 * For the sample ($1,450 total, $250 captain, $982.50 payout, one deckhand, 3 h): 1,450 / 250 / 120 / 35 / 827.50.
 */
export function revenueOf(pricing: SccPricing, crew: CrewMember[], durationHours: number): RevenueLines {
  const cents = (n: number) => Math.round(n * 100);
  const deckhands = crew.filter((m) => m.role === 'deckhand').length;
  const crewCosts = cents(deckhands * SCC_RATES.deckhandHourly * durationHours);
  const portFees = cents(SCC_RATES.portFeePerDeparture);
  return {
    revenue: cents(pricing.bookingTotal) / 100,
    captainFee: cents(pricing.captainFee) / 100,
    crewCosts: crewCosts / 100,
    portFees: portFees / 100,
    net: (cents(pricing.ownerPayout) - crewCosts - portFees) / 100,
  };
}

export function money(amount: number, currency = 'USD'): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
}

/**
 * The notes SCC stores: the caller's ordinary lines with the revenue lines woven in, as the real SCC does
 * (Revenue and Captain Fee after the first line, the other three after the third), one per line.
 */
export function notesWithRevenue(ordinaryNotes: string, lines: RevenueLines, currency: string): string {
  const ordinary = ordinaryNotes.split('\n').filter((line) => line.trim() !== '');
  const head = [`Revenue: ${money(lines.revenue, currency)}`, `Captain Fee: ${money(lines.captainFee, currency)}`];
  const tail = [
    `Crew Costs: ${money(lines.crewCosts, currency)}`,
    `Port Fees: ${money(lines.portFees, currency)}`,
    `Your Net: ${money(lines.net, currency)}`,
  ];
  return [...ordinary.slice(0, 1), ...head, ...ordinary.slice(1, 3), ...tail, ...ordinary.slice(3)].join('\n');
}

export interface SccOptions {
  port: number;
  /** The raw service key it accepts (callers send its SHA-256); else SCC_SERVICE_KEY, else the seeded secret. */
  serviceKey?: string;
  faults?: Partial<Faults>;
  documents?: DynamoDBDocumentClient;
}

const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

export function startScc(options: SccOptions): Promise<RunningStandIn> {
  const documents = options.documents ?? documentClient();
  const serviceKey = expectedCredential({
    value: options.serviceKey,
    envVar: 'SCC_SERVICE_KEY',
    secretName: secretNames.sccServiceKey,
  });

  async function authorize(request: StandInRequest) {
    if (!sameSecret(header(request, 'x-service-key'), sha256Hex(await serviceKey.get()))) {
      throw new HttpError(403, 'missing or wrong X-Service-Key');
    }
  }

  // One notice per crew member per request (a retry sends none): the id is derived from both.
  async function notify(
    event: SccEvent,
    members: CrewMember[],
    kind: CrewNoticeSent['kind'],
    about: string,
    changes?: CrewNoticeSent['changes'],
  ) {
    await Promise.all(
      members.map(async (crewMember) => {
        const notice: CrewNoticeSent = {
          noticeId: `ntc_${sha256Hex(`${event.eventId}|${crewMember.role}|${crewMember.name}|${kind}|${about}`).slice(0, 20)}`,
          eventId: event.eventId,
          crewMember,
          kind,
          ...(changes ? { changes } : {}),
          ...(kind === 'cancelled' ? {} : { requestKey: about }),
          sentAt: new Date().toISOString(),
        };
        try {
          await documents.send(
            new PutCommand({
              TableName: SCC_NOTICES_TABLE,
              Item: notice,
              ConditionExpression: 'attribute_not_exists(noticeId)',
            }),
          );
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }),
    );
  }

  async function storedEvent(eventId: string): Promise<SccEvent> {
    const { Item } = await documents.send(
      new GetCommand({ TableName: SCC_EVENTS_TABLE, Key: { eventId }, ConsistentRead: true }),
    );
    if (!Item) throw new HttpError(404, `no crew event ${eventId}`);
    return Item as SccEvent;
  }

  const sameMember = (a: CrewMember) => (b: CrewMember) => a.name === b.name && a.role === b.role;

  function inviteCrew(event: SccEvent): Promise<CrewInvitation[]> {
    // One invitation per crew member per event, whatever the number of retries: the id is derived from both.
    return Promise.all(
      event.crew.map(async (crewMember) => {
        const invitation: CrewInvitation = {
          invitationId: `inv_${sha256Hex(`${event.eventId}|${crewMember.role}|${crewMember.name}`).slice(0, 20)}`,
          eventId: event.eventId,
          crewMember,
          magicLinkToken: randomBytes(24).toString('hex'),
          sentAt: new Date().toISOString(),
        };
        try {
          await documents.send(
            new PutCommand({
              TableName: SCC_INVITATIONS_TABLE,
              Item: invitation,
              ConditionExpression: 'attribute_not_exists(invitationId)',
            }),
          );
          return invitation;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          const { Item } = await documents.send(
            new GetCommand({
              TableName: SCC_INVITATIONS_TABLE,
              Key: { invitationId: invitation.invitationId },
              ConsistentRead: true,
            }),
          );
          return Item as CrewInvitation;
        }
      }),
    );
  }

  const answer = (event: SccEvent, invitations: CrewInvitation[]) => {
    const { requestHash: _hash, ...rest } = event;
    return {
      ...rest,
      invitations: invitations.map(({ magicLinkToken: _token, ...invitation }) => invitation),
    };
  };

  return serveStandIn({
    name: 'scc',
    port: options.port,
    basePath: '/prod',
    faults: { ...faultsFromEnv('SCC'), ...options.faults },
    adminRoutes: [serviceKey.adminRoute()],
    routes: [
      {
        method: 'POST',
        path: '/events',
        handle: async (request) => {
          await authorize(request);
          const input = parseEventRequest(request.body);
          const idempotencyKey = header(request, 'idempotency-key');
          const lines = revenueOf(input.pricing, input.crew, input.durationHours);
          const { pricing, notes, ...fields } = input;
          const event: SccEvent = {
            eventId: idempotencyKey ? idFromIdempotencyKey('scc', idempotencyKey) : `scc_${randomUUID()}`,
            ...fields,
            notes: notesWithRevenue(notes, lines, pricing.currency),
            status: 'active',
            ...(idempotencyKey ? { idempotencyKey } : {}),
            requestHash: requestHash(request.body),
            createdAt: new Date().toISOString(),
          };
          const { stored, created } = await createOnce(documents, SCC_EVENTS_TABLE, 'eventId', event, 'crew event');
          const status = created ? 201 : 200;
          // Also on a replayed request: a first attempt that stored the event may have died before inviting.
          return { status, body: answer(stored, await inviteCrew(stored)) };
        },
      },
      {
        method: 'PUT',
        path: '/events/:eventId',
        handle: async (request) => {
          await authorize(request);
          const input = parseEventRequest(request.body);
          const notice = parseCrewNotice(request.body);
          return onceForKey(documents, SCC_REQUESTS_TABLE, request, async () => {
            const stored = await storedEvent(request.params.eventId!);
            if (stored.status === 'cancelled') throw new HttpError(409, `crew event ${stored.eventId} is cancelled`);
            if (stored.bookingId !== input.bookingId) {
              throw new HttpError(422, `crew event ${stored.eventId} belongs to booking ${stored.bookingId}`);
            }
            const lines = revenueOf(input.pricing, input.crew, input.durationHours);
            const { pricing, notes, ...fields } = input;
            const updated: SccEvent = {
              ...stored,
              ...fields,
              notes: notesWithRevenue(notes, lines, pricing.currency),
              updatedAt: new Date().toISOString(),
            };
            await documents.send(new PutCommand({ TableName: SCC_EVENTS_TABLE, Item: updated }));
            const about = header(request, 'idempotency-key') ?? randomUUID();
            const stayed = updated.crew.filter((member) => stored.crew.some(sameMember(member)));
            const removed = stored.crew.filter((member) => !updated.crew.some(sameMember(member)));
            if (notice) await notify(updated, stayed, 'changed', about, notice.changes);
            await notify(updated, removed, 'removed', about);
            return { status: 200, body: answer(updated, await inviteCrew(updated)) };
          });
        },
      },
      {
        method: 'POST',
        path: '/events/:eventId/cancel',
        handle: async (request) => {
          await authorize(request);
          return onceForKey(documents, SCC_REQUESTS_TABLE, request, async () => {
            const stored = await storedEvent(request.params.eventId!);
            const cancelled: SccEvent =
              stored.status === 'cancelled'
                ? stored
                : { ...stored, status: 'cancelled', cancelledAt: new Date().toISOString() };
            if (cancelled !== stored)
              await documents.send(new PutCommand({ TableName: SCC_EVENTS_TABLE, Item: cancelled }));
            // Once per crew member and event, however often the cancellation is sent.
            await notify(cancelled, cancelled.crew, 'cancelled', 'cancelled');
            return { status: 200, body: answer(cancelled, []) };
          });
        },
      },
      {
        method: 'GET',
        path: '/events/:eventId/notices',
        handle: async (request) => {
          await authorize(request);
          const notices = await scanWhere<CrewNoticeSent>(documents, SCC_NOTICES_TABLE, {
            eventId: request.params.eventId!,
          });
          return { status: 200, body: { notices } };
        },
      },
      {
        method: 'GET',
        path: '/events',
        handle: async (request) => {
          await authorize(request);
          const bookingId = request.query.get('bookingId') ?? undefined;
          const events = await scanWhere<SccEvent>(documents, SCC_EVENTS_TABLE, bookingId ? { bookingId } : {});
          return { status: 200, body: { events: events.map(({ requestHash: _h, ...rest }) => rest) } };
        },
      },
      {
        method: 'GET',
        path: '/events/:eventId',
        handle: async (request) => {
          await authorize(request);
          const { Item } = await documents.send(
            new GetCommand({ TableName: SCC_EVENTS_TABLE, Key: { eventId: request.params.eventId } }),
          );
          if (!Item) throw new HttpError(404, `no crew event ${request.params.eventId}`);
          const { requestHash: _h, ...rest } = Item as SccEvent;
          return { status: 200, body: rest };
        },
      },
      {
        method: 'GET',
        path: '/events/:eventId/invitations',
        handle: async (request) => {
          await authorize(request);
          const invitations = await scanWhere<CrewInvitation>(documents, SCC_INVITATIONS_TABLE, {
            eventId: request.params.eventId!,
          });
          return { status: 200, body: { invitations: invitations.map(({ magicLinkToken: _t, ...rest }) => rest) } };
        },
      },
    ],
  });
}

/** The optional notice of an update: `crewNotice: {changes: [{field, before, after}]}`, a 400 naming what is wrong. */
export function parseCrewNotice(body: unknown): { changes: NonNullable<CrewNoticeSent['changes']> } | undefined {
  const notice = (body as { crewNotice?: unknown } | undefined)?.crewNotice;
  if (notice === undefined) return undefined;
  const changes = (notice as { changes?: unknown } | null)?.changes;
  const valid =
    Array.isArray(changes) &&
    changes.length > 0 &&
    changes.every((c) =>
      ['field', 'before', 'after'].every((k) => typeof (c as Record<string, unknown>)?.[k] === 'string'),
    );
  if (!valid)
    throw new HttpError(400, 'invalid crew notice: crewNotice.changes must list {field, before, after} strings');
  return { changes: changes as NonNullable<CrewNoticeSent['changes']> };
}

type EventRequest = Omit<
  SccEvent,
  'eventId' | 'idempotencyKey' | 'requestHash' | 'createdAt' | 'updatedAt' | 'cancelledAt' | 'status'
> & { pricing: SccPricing };

/** Checks the request like the real API would: a 400 that names every bad field. */
export function parseEventRequest(body: unknown): EventRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const invalid = <T>(problem: string, fallback: T): T => {
    problems.push(problem);
    return fallback;
  };
  const str = (o: Record<string, unknown>, k: string, at = '') =>
    typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : invalid(`${at}${k} must be a non-empty string`, '');
  const num = (o: Record<string, unknown>, k: string, at = '') =>
    typeof o[k] === 'number' && (o[k] as number) >= 0
      ? (o[k] as number)
      : invalid(`${at}${k} must be a non-negative number`, 0);
  const pricing = (typeof b.pricing === 'object' && b.pricing !== null ? b.pricing : {}) as Record<string, unknown>;
  const crewRaw = Array.isArray(b.crew) ? (b.crew as Record<string, unknown>[]) : invalid('crew must be a list', []);
  const crew = crewRaw.map((m, i) => {
    const role = m?.role;
    if (role !== 'captain' && role !== 'deckhand') problems.push(`crew.${i}.role must be captain or deckhand`);
    return { name: str(m ?? {}, 'name', `crew.${i}.`), role: role as CrewMember['role'] };
  });
  const request: EventRequest = {
    bookingId: str(b, 'bookingId'),
    calendarEntryId: str(b, 'calendarEntryId'),
    title: str(b, 'title'),
    start: str(b, 'start'),
    durationHours: num(b, 'durationHours'),
    boat: str(b, 'boat'),
    partySize: num(b, 'partySize'),
    notes: typeof b.notes === 'string' ? b.notes : invalid('notes must be a string', ''),
    crew,
    pricing: {
      currency: str(pricing, 'currency', 'pricing.'),
      bookingTotal: num(pricing, 'bookingTotal', 'pricing.'),
      captainFee: num(pricing, 'captainFee', 'pricing.'),
      ownerPayout: num(pricing, 'ownerPayout', 'pricing.'),
    },
  };
  if (request.pricing.currency && !/^[A-Z]{3}$/.test(request.pricing.currency))
    problems.push('pricing.currency must be ISO 4217');
  if (problems.length > 0) throw new HttpError(400, `invalid crew event: ${problems.join('; ')}`);
  return request;
}

/** The stand-in as the local stack starts it. SCC_API_URL is its API Gateway stage URL (…/prod). */
export const sccStandIn = {
  name: 'scc',
  envVar: 'SCC_API_URL',
  tables: sccTables,
  start: (opts: { port: number } & Partial<SccOptions>) => startScc(opts),
};
