import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../../shared/aws';
import { bookingsTable } from '../../../shared/config';
import { Deliveries, type RevisionKey } from '../../../services/webhook/deliveries';
import { startWebhookStack, uniqueBookingId, type WebhookStack } from './support';

/** The claim protocol that makes concurrent deliveries of one revision emit once, on dynalite. */

let s: WebhookStack;
beforeAll(async () => {
  s = await startWebhookStack();
});
afterAll(() => s?.stop());

const revision = (detailType: RevisionKey['detailType'] = 'BookingReceived'): RevisionKey => ({
  bookingId: uniqueBookingId('D'),
  revision: 1,
  detailType,
});

describe('claiming a booking revision', () => {
  it('lets exactly one of many concurrent claims win; the others get the winner’s event id once it is emitted', async () => {
    const deliveries = new Deliveries(documentClient(), { pollMs: 10 });
    const key = revision();
    const claims = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const claim = await deliveries.claimRevision(key, `msg_${i}`);
        if (claim.kind === 'claimed') await deliveries.markEmitted(key, 'event-1');
        return claim;
      }),
    );
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    for (const claim of claims.filter((c) => c.kind !== 'claimed')) {
      expect(claim).toMatchObject({ kind: 'accepted', delivery: { eventId: 'event-1', bookingId: key.bookingId } });
    }
  });

  it('hands a released claim to a waiting delivery (the first publish failed)', async () => {
    const deliveries = new Deliveries(documentClient(), { pollMs: 10 });
    const key = revision();
    const first = await deliveries.claimRevision(key, 'msg_first');
    expect(first.kind).toBe('claimed');
    const waiting = deliveries.claimRevision(key, 'msg_second');
    await deliveries.release(key, (first as { token: string }).token);
    expect((await waiting).kind).toBe('claimed');
  });

  it('answers busy when the winner neither emits nor releases within the wait', async () => {
    const deliveries = new Deliveries(documentClient(), { pollMs: 10, waitMs: 100 });
    const key = revision();
    expect((await deliveries.claimRevision(key, 'msg_first')).kind).toBe('claimed');
    expect(await deliveries.claimRevision(key, 'msg_second')).toEqual({ kind: 'busy' });
  });

  it('takes over a claim whose owner died, told no end, once the stale limit has passed', async () => {
    const key = revision();
    const claimed = await new Deliveries(documentClient(), { staleClaimMs: 20 }).claimRevision(key, 'msg_dead');
    expect(claimed.kind).toBe('claimed');
    await new Promise((r) => setTimeout(r, 30));
    const claim = await new Deliveries(documentClient()).claimRevision(key, 'msg_retry');
    expect(claim.kind).toBe('claimed');
  });

  it('takes over a claim at once when the invocation that took it has ended', async () => {
    const key = revision();
    const deliveries = new Deliveries(documentClient(), { pollMs: 10, waitMs: 2_000 });
    expect((await deliveries.claimRevision(key, 'msg_dead', Date.now() + 20)).kind).toBe('claimed');
    await new Promise((r) => setTimeout(r, 30));
    expect((await deliveries.claimRevision(key, 'msg_retry')).kind).toBe('claimed');
  });

  it('keeps a claim whose invocation is still running, however old the claim', async () => {
    const key = revision();
    const live = new Deliveries(documentClient(), { staleClaimMs: 1 });
    expect((await live.claimRevision(key, 'msg_live', Date.now() + 60_000)).kind).toBe('claimed');
    await new Promise((r) => setTimeout(r, 10));
    const other = new Deliveries(documentClient(), { staleClaimMs: 1, pollMs: 10, waitMs: 50 });
    expect(await other.claimRevision(key, 'msg_other')).toEqual({ kind: 'busy' });
  });

  it('does not release a claim it does not own', async () => {
    const deliveries = new Deliveries(documentClient(), { waitMs: 0 });
    const key = revision();
    expect((await deliveries.claimRevision(key, 'msg_owner')).kind).toBe('claimed');
    await deliveries.release(key, 'someone-else');
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: bookingsTable(),
        Key: { pk: `BOOKING#${key.bookingId}`, sk: 'REVISION#1' },
        ConsistentRead: true,
      }),
    );
    expect(Item).toMatchObject({ state: 'in-progress', webhookId: 'msg_owner' });
  });

  it('reports a conflict when the revision was accepted as another type', async () => {
    const deliveries = new Deliveries(documentClient());
    const key = revision('BookingModified');
    await deliveries.claimRevision(key, 'msg_modified');
    await deliveries.markEmitted(key, 'event-m');
    expect(await deliveries.claimRevision({ ...key, detailType: 'BookingCancelled' }, 'msg_cancel')).toEqual({
      kind: 'conflict',
      acceptedAs: 'BookingModified',
    });
  });

  it('keeps the first webhook id as the booking’s correlation id', async () => {
    const deliveries = new Deliveries(documentClient());
    const bookingId = uniqueBookingId('D');
    expect((await deliveries.arrive(bookingId, 1, 'msg_first')).correlationId).toBe('msg_first');
    expect((await deliveries.arrive(bookingId, 2, 'msg_later')).correlationId).toBe('msg_first');
  });

  it('tells each arrival the highest revision arrived so far, its own included, whatever the order', async () => {
    const deliveries = new Deliveries(documentClient());
    const bookingId = uniqueBookingId('D');
    const latest = async (revision: number) =>
      (await deliveries.arrive(bookingId, revision, `msg_${revision}`)).latestRevision;
    expect(await latest(2)).toBe(2);
    expect(await latest(1)).toBe(2);
    expect(await latest(3)).toBe(3);
    expect(await latest(3)).toBe(3);
    // Concurrent arrivals: no write is refused, and the last one sees every revision.
    await Promise.all([4, 6, 5].map((revision) => latest(revision)));
    expect(await latest(1)).toBe(6);
  });

  it('reads a booking record written before the revision set by its latestRevision', async () => {
    const bookingId = uniqueBookingId('D');
    await documentClient().send(
      new PutCommand({
        TableName: bookingsTable(),
        Item: { pk: `BOOKING#${bookingId}`, sk: 'BOOKING', bookingId, correlationId: 'msg_old', latestRevision: 4 },
      }),
    );
    expect(await new Deliveries(documentClient()).arrive(bookingId, 2, 'msg_2')).toEqual({
      correlationId: 'msg_old',
      latestRevision: 4,
    });
  });

  it('answers a claim refused by an emitted revision with that revision’s delivery, without another read', async () => {
    const deliveries = new Deliveries(documentClient());
    const key = revision();
    const claim = await deliveries.claimRevision(key, 'msg_first');
    await deliveries.markEmitted(key, 'event-1');
    expect(claim.kind).toBe('claimed');
    expect(await deliveries.claimRevision(key, 'msg_again')).toMatchObject({
      kind: 'accepted',
      delivery: { eventId: 'event-1', webhookId: 'msg_first', revision: 1 },
    });
    expect(await deliveries.acceptedRevision(key)).toMatchObject({ eventId: 'event-1', webhookId: 'msg_first' });
  });
});
