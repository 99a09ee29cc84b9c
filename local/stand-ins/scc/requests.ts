import { HttpError } from '../http-kit';
import type { CrewMember, CrewNoticeSent, SccEvent, SccPricing } from './model';

/** The bodies SCC's writes take, checked as the real API checks them. */

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

export type EventRequest = Omit<
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
