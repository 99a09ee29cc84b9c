import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Publisher, PublishError, type OutgoingEvent } from '../../shared/publisher';
import { ContractViolation } from '../../shared/contract/validate';
import { bookingIdNumber, bookingSnapshot, eventMetadata } from '../../samples';

/**
 * A stand-in for the EventBridge HTTP endpoint (not for the SDK client): it answers PutEvents like AWS,
 * failing the entries a test names on their first attempts, so batching and partial retries are observable.
 */
interface PutEventsCall {
  entries: Array<{ DetailType: string; Detail: string; EventBusName: string; Source: string }>;
}
let server: Server;
let calls: PutEventsCall[] = [];
let failuresLeft = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const input = JSON.parse(body) as { Entries: PutEventsCall['entries'] };
      calls.push({ entries: input.Entries });
      let failed = 0;
      const Entries = input.Entries.map((entry, i) => {
        const bookingId = JSON.parse(entry.Detail).metadata.bookingId as string;
        const left = failuresLeft.get(bookingId) ?? 0;
        if (left > 0) {
          failuresLeft.set(bookingId, left - 1);
          failed++;
          return { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' };
        }
        return { EventId: `evt-${calls.length}-${i}-${bookingId}` };
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: failed, Entries }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  calls = [];
  failuresLeft = new Map();
});

const client = () =>
  new EventBridgeClient({
    region: 'us-west-2',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

const received = (n: number): OutgoingEvent => {
  const bookingId = bookingIdNumber(n);
  return {
    detailType: 'BookingReceived',
    detail: {
      metadata: eventMetadata({ bookingId, idempotencyKey: `${bookingId}:r1:BookingReceived` }),
      data: { booking: bookingSnapshot({ bookingId }) },
    },
  };
};

describe('the publisher', () => {
  it('sends 25 events as batches of 10, 10 and 5, and returns their ids in order', async () => {
    const events = Array.from({ length: 25 }, (_, i) => received(i + 1));
    const ids = await new Publisher(client(), { busName: 'charterflow-test' }).publish(events);
    expect(calls.map((c) => c.entries.length)).toEqual([10, 10, 5]);
    expect(ids).toHaveLength(25);
    ids.forEach((id, i) => {
      expect(id).toContain(bookingIdNumber(i + 1));
    });
    expect(calls[0]!.entries[0]).toMatchObject({
      EventBusName: 'charterflow-test',
      Source: 'charterflow.webhook',
      DetailType: 'BookingReceived',
    });
  });

  it('retries only the entries that failed', async () => {
    failuresLeft.set(bookingIdNumber(3), 1).set(bookingIdNumber(7), 2);
    const events = Array.from({ length: 10 }, (_, i) => received(i + 1));
    const ids = await new Publisher(client(), { busName: 'charterflow-test', baseDelayMs: 1 }).publish(events);
    const bookingsPerCall = calls.map((c) => c.entries.map((e) => JSON.parse(e.Detail).metadata.bookingId));
    expect(bookingsPerCall[1]).toEqual([bookingIdNumber(3), bookingIdNumber(7)]);
    expect(bookingsPerCall[2]).toEqual([bookingIdNumber(7)]);
    expect(ids.every(Boolean)).toBe(true);
  });

  it('fails naming the entries that never got through', async () => {
    failuresLeft.set(bookingIdNumber(2), 99);
    const publisher = new Publisher(client(), { busName: 'charterflow-test', maxAttempts: 3, baseDelayMs: 1 });
    const error = await publisher.publish([received(1), received(2)]).catch((e) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect(error.message).toContain(`BookingReceived of booking ${bookingIdNumber(2)} (InternalFailure: try again)`);
    expect(error.message).not.toContain(bookingIdNumber(1));
    expect(calls).toHaveLength(3);
  });

  it('sends nothing when any detail breaks the contract', async () => {
    const bad = received(2);
    (bad.detail.data.booking as { partySize: unknown }).partySize = 'six';
    const error = await new Publisher(client(), { busName: 'charterflow-test' })
      .publish([received(1), bad])
      .catch((e) => e);
    expect(error).toBeInstanceOf(ContractViolation);
    expect(error.message).toContain('data.booking.partySize');
    expect(calls).toHaveLength(0);
  });
});
