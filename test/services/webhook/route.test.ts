import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedDelivery } from '../../../shared/signed-delivery';
import { bookingCancelled, bookingConfirmed, bookingConfirmedAs, bookingModified } from '../../../samples';
import { startWebhookStack, uniqueBookingId, type WebhookStack } from './support';

/** The webhook's named cases (size, type, signature, body, duplicates), through the real HTTP route of the local stack, observed on the bus. */

let s: WebhookStack;
beforeAll(async () => {
  s = await startWebhookStack();
});
afterAll(() => s?.stop());

const wrongSecret = `whsec_${Buffer.from('someone-else-entirely-0123456789').toString('base64')}`;

describe('POST /webhooks/boatsetter', () => {
  it('accepts a signed sample with 202 and puts exactly one BookingReceived on the bus', async () => {
    const bookingId = uniqueBookingId();
    const delivery = signedDelivery(bookingConfirmedAs(bookingId), s.secret);
    const answer = await s.post(delivery);
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ bookingId, eventId: expect.any(String) });

    const events = await s.eventsOf(bookingId);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event!.id).toBe(answer.json.eventId);
    expect(event!['detail-type']).toBe('BookingReceived');
    expect(event!.source).toBe('charterflow.webhook');
    expect(event!.detail.metadata).toMatchObject({
      bookingId,
      correlationId: delivery.headers['webhook-id'],
      causationId: delivery.headers['webhook-id'],
      schemaVersion: '2.1',
      idempotencyKey: `${bookingId}:r1:BookingReceived`,
    });
  });

  const rejections: [string, () => { headers: Record<string, string>; body: string }, number, RegExp | null][] = [
    ['a wrong signature', () => signedDelivery(bookingConfirmedAs(next()), wrongSecret), 401, null],
    [
      'a stale timestamp',
      () => signedDelivery(bookingConfirmedAs(next()), s.secret, { timestamp: new Date(Date.now() - 6 * 60_000) }),
      401,
      null,
    ],
    [
      'a timestamp with letters after the seconds',
      () => {
        const delivery = signedDelivery(bookingConfirmedAs(next()), s.secret);
        return {
          ...delivery,
          headers: { ...delivery.headers, 'webhook-timestamp': `${delivery.headers['webhook-timestamp']}abc` },
        };
      },
      401,
      null,
    ],
    [
      'a timestamp with a fraction',
      () => {
        const delivery = signedDelivery(bookingConfirmedAs(next()), s.secret);
        return {
          ...delivery,
          headers: { ...delivery.headers, 'webhook-timestamp': `${delivery.headers['webhook-timestamp']}.9` },
        };
      },
      401,
      null,
    ],
    [
      'a missing booking_id',
      () => {
        const payload = bookingConfirmedAs(next()) as any;
        delete payload.data.booking_id;
        return signedDelivery(payload, s.secret);
      },
      400,
      /^data\.booking_id$/,
    ],
    [
      'a wrong type for party_size',
      () => {
        const payload = bookingConfirmedAs(next()) as any;
        payload.data.party_size = 'six';
        return signedDelivery(payload, s.secret);
      },
      400,
      /^data\.party_size$/,
    ],
    [
      'malformed JSON',
      () => signedDelivery(`{"type":"booking.confirmed","data":{"booking_id":"${next()}"`, s.secret),
      400,
      /^$/,
    ],
    [
      'an oversized body',
      () => {
        const payload = bookingConfirmedAs(next()) as any;
        payload.padding = 'x'.repeat(256 * 1024);
        return signedDelivery(payload, s.secret);
      },
      413,
      null,
    ],
    [
      'a non-JSON content type',
      () => signedDelivery(bookingConfirmedAs(next()), s.secret, { contentType: 'text/plain' }),
      415,
      null,
    ],
  ];
  const rejectedIds: string[] = [];
  function next() {
    const id = uniqueBookingId('R');
    rejectedIds.push(id);
    return id;
  }

  it.each(rejections)('answers %s with its status and emits nothing', async (_, make, status, issuePath) => {
    const before = rejectedIds.length;
    const answer = await s.post(make());
    const bookingId = rejectedIds[before]!;
    expect(answer.status).toBe(status);
    expect(answer.json.error).toEqual(expect.any(String));
    if (issuePath)
      expect(answer.json.issues.map((i: { path: string }) => i.path)).toEqual([expect.stringMatching(issuePath)]);
    expect(await s.eventsOf(bookingId)).toEqual([]);
  });

  it('answers a redelivery (same webhook-id) with the original event id and emits nothing more', async () => {
    const bookingId = uniqueBookingId();
    const delivery = signedDelivery(bookingConfirmedAs(bookingId), s.secret);
    const first = await s.post(delivery);
    const again = await s.post(delivery);
    expect(first.status).toBe(202);
    expect(again).toMatchObject({ status: 202, json: { bookingId, eventId: first.json.eventId } });
    expect(await s.eventsOf(bookingId)).toHaveLength(1);
  });

  it.each([
    ['the same webhook-id', true],
    ['a new webhook-id', false],
  ])('says a duplicate (%s) is one, and when the original was accepted', async (_, sameId) => {
    const bookingId = uniqueBookingId();
    const delivery = signedDelivery(bookingConfirmedAs(bookingId), s.secret);
    const before = Date.now();
    const first = await s.post(delivery);
    const after = Date.now();
    const again = await s.post(sameId ? delivery : signedDelivery(bookingConfirmedAs(bookingId), s.secret));
    expect(first.json.duplicate).toBeUndefined();
    expect(again).toMatchObject({ status: 202, json: { bookingId, duplicate: true, revision: 1 } });
    const acceptedAt = Date.parse(again.json.acceptedAt);
    expect(acceptedAt).toBeGreaterThanOrEqual(before);
    expect(acceptedAt).toBeLessThanOrEqual(after);
    expect(again.json.message).toBe(
      `duplicate: revision 1 of booking ${bookingId} was already accepted at ${again.json.acceptedAt} ` +
        `(webhook-id ${delivery.headers['webhook-id']}); nothing was emitted`,
    );
  });

  it('answers the same booking revision under a new webhook-id with the original event id', async () => {
    const bookingId = uniqueBookingId();
    const first = await s.post(signedDelivery(bookingConfirmedAs(bookingId), s.secret));
    const again = await s.post(signedDelivery(bookingConfirmedAs(bookingId), s.secret));
    expect(again).toMatchObject({ status: 202, json: { bookingId, eventId: first.json.eventId } });
    expect(await s.eventsOf(bookingId)).toHaveLength(1);
  });

  it.each([
    ['the same webhook-id', true],
    ['new webhook-ids', false],
  ])('emits exactly one event for five concurrent deliveries of one booking (%s)', async (_, sameId) => {
    const bookingId = uniqueBookingId('C');
    const shared = signedDelivery(bookingConfirmedAs(bookingId), s.secret);
    const deliveries = Array.from({ length: 5 }, () =>
      sameId ? shared : signedDelivery(bookingConfirmedAs(bookingId), s.secret),
    );
    const answers = await Promise.all(deliveries.map((d) => s.post(d)));
    const events = await s.eventsOf(bookingId);
    expect(events).toHaveLength(1);
    for (const answer of answers)
      expect(answer).toMatchObject({ status: 202, json: { bookingId, eventId: events[0]!.id } });
  });

  it('emits BookingModified and BookingCancelled, correlated by the booking’s first webhook id', async () => {
    const bookingId = uniqueBookingId('M');
    const as = <T extends { data: { booking_id: string } }>(payload: T) => {
      payload.data.booking_id = bookingId;
      return payload;
    };
    const confirmed = signedDelivery(as(bookingConfirmed()), s.secret);
    const modified = signedDelivery(as(bookingModified()), s.secret);
    const cancelled = signedDelivery(as(bookingCancelled()), s.secret);
    for (const delivery of [confirmed, modified, cancelled]) expect((await s.post(delivery)).status).toBe(202);

    const events = await s.eventsOf(bookingId);
    expect(events.map((e) => e['detail-type']).sort()).toEqual([
      'BookingCancelled',
      'BookingModified',
      'BookingReceived',
    ]);
    for (const event of events) expect(event.detail.metadata.correlationId).toBe(confirmed.headers['webhook-id']);
    const byType = Object.fromEntries(events.map((e) => [e['detail-type'], e]));
    expect(byType.BookingModified!.detail.metadata.causationId).toBe(modified.headers['webhook-id']);
    expect(byType.BookingCancelled!.detail.data.booking.revision).toBe(3);
  });

  it('refuses a second type for a revision already accepted, with 409, and emits nothing for it', async () => {
    const bookingId = uniqueBookingId('K');
    const modified = bookingModified();
    modified.data.booking_id = bookingId;
    const cancelledSameRevision = bookingCancelled();
    cancelledSameRevision.data.booking_id = bookingId;
    cancelledSameRevision.data.revision = modified.data.revision;
    expect((await s.post(signedDelivery(modified, s.secret))).status).toBe(202);
    const answer = await s.post(signedDelivery(cancelledSameRevision, s.secret));
    expect(answer.status).toBe(409);
    expect(answer.json.error).toContain('already accepted as BookingModified');
    expect((await s.eventsOf(bookingId)).map((e) => e['detail-type'])).toEqual(['BookingModified']);
  });

  it('answers an older revision that arrives after a newer one with 200 stale, and emits nothing for it', async () => {
    const bookingId = uniqueBookingId('S');
    const modified = bookingModified();
    modified.data.booking_id = bookingId;
    expect((await s.post(signedDelivery(modified, s.secret))).status).toBe(202);
    const answer = await s.post(signedDelivery(bookingConfirmedAs(bookingId), s.secret));
    expect(answer).toMatchObject({
      status: 200,
      json: { bookingId, stale: true, acceptedRevision: modified.data.revision },
    });
    expect((await s.eventsOf(bookingId)).map((e) => e['detail-type'])).toEqual(['BookingModified']);
  });

  it('answers a redelivery of a revision accepted before a newer one as the duplicate it is, not as stale', async () => {
    const bookingId = uniqueBookingId('S');
    const confirmed = signedDelivery(bookingConfirmedAs(bookingId), s.secret);
    const modified = bookingModified();
    modified.data.booking_id = bookingId;
    const first = await s.post(confirmed);
    expect((await s.post(signedDelivery(modified, s.secret))).status).toBe(202);
    const again = await s.post(confirmed);
    expect(again).toMatchObject({
      status: 202,
      json: { bookingId, duplicate: true, revision: 1, eventId: first.json.eventId },
    });
    expect(await s.eventsOf(bookingId)).toHaveLength(2);
  });
});
