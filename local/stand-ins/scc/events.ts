import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  HttpError,
  createOnce,
  header,
  idFromIdempotencyKey,
  onceForKey,
  requestHash,
  scanWhere,
  type StandInRequest,
  type StandInResponse,
} from '../http-kit';
import { inviteCrew, noticeCrew } from './crew-mail';
import {
  SCC_EVENTS_TABLE,
  SCC_INVITATIONS_TABLE,
  SCC_NOTICES_TABLE,
  SCC_REQUESTS_TABLE,
  type CrewInvitation,
  type CrewMember,
  type CrewNoticeSent,
  type SccEvent,
} from './model';
import { parseCrewNotice, parseEventRequest } from './requests';
import { notesWithRevenue, revenueOf } from './revenue';

/** What SCC does with each request to /events, once the service key is checked. */

/** POST /events: one crew event per Idempotency-Key, its notes with the revenue lines, the crew invited. */
export async function createCrewEvent(
  documents: DynamoDBDocumentClient,
  request: StandInRequest,
): Promise<StandInResponse> {
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
  return { status, body: answer(stored, await inviteCrew(documents, stored)) };
}

/**
 * PUT /events/:eventId: a new version; with `crewNotice`, the members who stay are told what changed, and
 * those taken off are told they are.
 */
export function updateCrewEvent(documents: DynamoDBDocumentClient, request: StandInRequest): Promise<StandInResponse> {
  const input = parseEventRequest(request.body);
  const notice = parseCrewNotice(request.body);
  return onceForKey(documents, SCC_REQUESTS_TABLE, request, async () => {
    const stored = await storedEvent(documents, request.params.eventId!);
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
    if (notice) await noticeCrew(documents, updated, stayed, 'changed', about, notice.changes);
    await noticeCrew(documents, updated, removed, 'removed', about);
    return { status: 200, body: answer(updated, await inviteCrew(documents, updated)) };
  });
}

/** POST /events/:eventId/cancel: kept, marked cancelled, the crew told once. */
export function cancelCrewEvent(documents: DynamoDBDocumentClient, request: StandInRequest): Promise<StandInResponse> {
  return onceForKey(documents, SCC_REQUESTS_TABLE, request, async () => {
    const stored = await storedEvent(documents, request.params.eventId!);
    const cancelled: SccEvent =
      stored.status === 'cancelled'
        ? stored
        : { ...stored, status: 'cancelled', cancelledAt: new Date().toISOString() };
    if (cancelled !== stored) await documents.send(new PutCommand({ TableName: SCC_EVENTS_TABLE, Item: cancelled }));
    // Once per crew member and event, however often the cancellation is sent.
    await noticeCrew(documents, cancelled, cancelled.crew, 'cancelled', 'cancelled');
    return { status: 200, body: answer(cancelled, []) };
  });
}

/** GET /events/:eventId/notices */
export async function noticesOf(documents: DynamoDBDocumentClient, request: StandInRequest): Promise<StandInResponse> {
  const notices = await scanWhere<CrewNoticeSent>(documents, SCC_NOTICES_TABLE, {
    eventId: request.params.eventId!,
  });
  return { status: 200, body: { notices } };
}

/** GET /events[?bookingId=] */
export async function listCrewEvents(
  documents: DynamoDBDocumentClient,
  request: StandInRequest,
): Promise<StandInResponse> {
  const bookingId = request.query.get('bookingId') ?? undefined;
  const events = await scanWhere<SccEvent>(documents, SCC_EVENTS_TABLE, bookingId ? { bookingId } : {});
  return { status: 200, body: { events: events.map(({ requestHash: _h, ...rest }) => rest) } };
}

/** GET /events/:eventId */
export async function getCrewEvent(
  documents: DynamoDBDocumentClient,
  request: StandInRequest,
): Promise<StandInResponse> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: SCC_EVENTS_TABLE, Key: { eventId: request.params.eventId } }),
  );
  if (!Item) throw new HttpError(404, `no crew event ${request.params.eventId}`);
  const { requestHash: _h, ...rest } = Item as SccEvent;
  return { status: 200, body: rest };
}

/** GET /events/:eventId/invitations, without the magic links. */
export async function invitationsOf(
  documents: DynamoDBDocumentClient,
  request: StandInRequest,
): Promise<StandInResponse> {
  const invitations = await scanWhere<CrewInvitation>(documents, SCC_INVITATIONS_TABLE, {
    eventId: request.params.eventId!,
  });
  return { status: 200, body: { invitations: invitations.map(({ magicLinkToken: _t, ...rest }) => rest) } };
}

async function storedEvent(documents: DynamoDBDocumentClient, eventId: string): Promise<SccEvent> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: SCC_EVENTS_TABLE, Key: { eventId }, ConsistentRead: true }),
  );
  if (!Item) throw new HttpError(404, `no crew event ${eventId}`);
  return Item as SccEvent;
}

const sameMember = (a: CrewMember) => (b: CrewMember) => a.name === b.name && a.role === b.role;

/** The event as SCC answers it: no request hash, the invitations without their magic links. */
function answer(event: SccEvent, invitations: CrewInvitation[]) {
  const { requestHash: _hash, ...rest } = event;
  return {
    ...rest,
    invitations: invitations.map(({ magicLinkToken: _token, ...invitation }) => invitation),
  };
}
