import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, eventBridgeClient } from '../../../shared/aws';
import { bookingsTable } from '../../../shared/config';
import { createLogger } from '../../../shared/logger';
import { bookingDetailsOf } from '../../../services/webhook/booking';
import { PrivateRecords } from '../../../shared/private-records';
import { Publisher } from '../../../shared/publisher';
import { SecretCache } from '../../../shared/secrets';
import { signedDelivery } from '../../../shared/signed-delivery';
import { Deliveries } from '../../../services/webhook/deliveries';
import { createWebhookHandler, type WebhookDependencies } from '../../../services/webhook/intake';
import { bookingConfirmed, bookingConfirmedAs } from '../../../samples';
import { httpApiEventOf, lambdaContext, startWebhookStack, uniqueBookingId, type WebhookStack } from './support';

/** The handler invoked in-process with API Gateway v2 events, on the local stack's real services. */

let s: WebhookStack;
let secretsClient: SecretsManagerClient;
beforeAll(async () => {
  s = await startWebhookStack();
  secretsClient = new SecretsManagerClient(s.clientConfig);
});
afterAll(() => s?.stop());

const key = (label: string) => `whsec_${Buffer.from(`${label}-0123456789abcdef0123456789`).toString('base64')}`;

function handlerWith(overrides: Partial<WebhookDependencies> = {}, logLevel = 'SILENT') {
  process.env.POWERTOOLS_LOG_LEVEL = logLevel;
  const logger = createLogger('webhook');
  return createWebhookHandler(
    {
      secrets: new SecretCache(secretsClient, { ttlMs: 60_000 }),
      deliveries: new Deliveries(documentClient()),
      publisher: new Publisher(eventBridgeClient()),
      privateRecords: new PrivateRecords(documentClient()),
      ...overrides,
    },
    logger,
  );
}

async function invoke(
  handler: ReturnType<typeof handlerWith>,
  delivery: { headers: Record<string, string>; body: string },
  base64 = false,
) {
  const result = await handler(httpApiEventOf(delivery, { base64 }) as any, lambdaContext());
  return { status: result.statusCode!, json: JSON.parse(result.body!) };
}

const item = async (pk: string, sk: string) =>
  (await documentClient().send(new GetCommand({ TableName: bookingsTable(), Key: { pk, sk }, ConsistentRead: true })))
    .Item;

describe('the webhook handler', () => {
  it('verifies and accepts a base64-encoded body (API Gateway treats it as binary)', async () => {
    const bookingId = uniqueBookingId('B');
    const answer = await invoke(handlerWith(), signedDelivery(bookingConfirmedAs(bookingId), s.secret), true);
    expect(answer).toMatchObject({ status: 202, json: { bookingId } });
    expect(await s.eventsOf(bookingId)).toHaveLength(1);
  });

  it('answers 503 when PutEvents fails, leaves no delivery record behind, and accepts the retry', async () => {
    const bookingId = uniqueBookingId('F');
    const delivery = signedDelivery(bookingConfirmedAs(bookingId), s.secret);
    const broken = new Publisher(eventBridgeClient(), { busName: 'charterflow-no-such-bus', baseDelayMs: 1 });
    const failed = await invoke(handlerWith({ publisher: broken }), delivery);
    expect(failed.status).toBe(503);
    expect(failed.json.error).toContain(bookingId);
    expect(await item(`WEBHOOK#${delivery.headers['webhook-id']}`, 'DELIVERY')).toBeUndefined();
    expect(await item(`BOOKING#${bookingId}`, 'REVISION#1')).toBeUndefined();
    expect(await s.eventsOf(bookingId)).toEqual([]);

    const retried = await invoke(handlerWith(), delivery);
    expect(retried).toMatchObject({ status: 202, json: { bookingId } });
    const events = await s.eventsOf(bookingId);
    expect(events.map((e) => e.id)).toEqual([retried.json.eventId]);
    expect(await item(`BOOKING#${bookingId}`, 'REVISION#1')).toMatchObject({
      state: 'emitted',
      eventId: retried.json.eventId,
    });
  });

  it("writes each revision's private record before its event, and the event carries none of it", async () => {
    const bookingId = uniqueBookingId('K');
    const records = new PrivateRecords(documentClient());
    const first = bookingConfirmedAs(bookingId);
    const second = bookingConfirmedAs(bookingId);
    second.type = 'booking.modified';
    second.data.status = 'modified';
    second.data.revision = 2;
    second.data.pricing.booking_total = 1600;
    for (const payload of [first, second]) {
      expect((await invoke(handlerWith(), signedDelivery(payload, s.secret))).status).toBe(202);
    }
    expect(await records.read(bookingId, 1)).toEqual(bookingDetailsOf(first));
    expect((await records.read(bookingId, 2))?.pricing.bookingTotal).toBe(1600);
    const events = await s.eventsOf(bookingId);
    expect(events).toHaveLength(2);
    expect(JSON.stringify(events)).not.toMatch(/Reyes|dana@example\.com|6195550100|1450|1600|Birthday/);
  });

  it('answers 503 and publishes nothing when the private record cannot be written, and accepts the retry', async () => {
    const bookingId = uniqueBookingId('Q');
    const delivery = signedDelivery(bookingConfirmedAs(bookingId), s.secret);
    const nowhere = new PrivateRecords(documentClient(), 'charterflow-no-such-table');
    expect((await invoke(handlerWith({ privateRecords: nowhere }), delivery)).status).toBe(503);
    expect(await s.eventsOf(bookingId)).toEqual([]);
    expect((await invoke(handlerWith(), delivery)).status).toBe(202);
    expect(await s.eventsOf(bookingId)).toHaveLength(1);
  });

  it('answers 503 (so Boatsetter retries) when the secret cannot be read, not 401', async () => {
    const answer = await invoke(
      handlerWith({ secretName: 'charterflow/no-such-secret' }),
      signedDelivery(bookingConfirmed(), s.secret),
    );
    expect(answer.status).toBe(503);
  });

  describe('secret rotation, without a redeploy', () => {
    it('accepts deliveries signed with either of two active secrets, and refuses a third', async () => {
      const name = `test/webhook-secret-${uniqueBookingId()}`;
      const [oldKey, newKey] = [key('old'), key('new')];
      await secretsClient.send(new CreateSecretCommand({ Name: name, SecretString: `${newKey} ${oldKey}` }));
      const handler = handlerWith({ secretName: name });
      for (const secret of [oldKey, newKey]) {
        const bookingId = uniqueBookingId('W');
        expect((await invoke(handler, signedDelivery(bookingConfirmedAs(bookingId), secret))).status).toBe(202);
      }
      expect((await invoke(handler, signedDelivery(bookingConfirmedAs(uniqueBookingId()), key('other')))).status).toBe(
        401,
      );
    });

    it('takes a rotated secret into use when the TTL runs out, with no restart', async () => {
      const name = `test/webhook-secret-${uniqueBookingId()}`;
      const [oldKey, newKey] = [key('before'), key('after')];
      await secretsClient.send(new CreateSecretCommand({ Name: name, SecretString: oldKey }));
      let now = 0;
      const handler = handlerWith({
        secretName: name,
        secrets: new SecretCache(secretsClient, { ttlMs: 1_000, now: () => now }),
      });
      expect((await invoke(handler, signedDelivery(bookingConfirmedAs(uniqueBookingId()), oldKey))).status).toBe(202);
      await secretsClient.send(new PutSecretValueCommand({ SecretId: name, SecretString: newKey }));
      now = 2_000;
      expect((await invoke(handler, signedDelivery(bookingConfirmedAs(uniqueBookingId()), newKey))).status).toBe(202);
      expect((await invoke(handler, signedDelivery(bookingConfirmedAs(uniqueBookingId()), oldKey))).status).toBe(401);
    });
  });
});

describe('the log of each request', () => {
  it('is exactly one JSON line with ids, outcome, status and latency, and never the secret, signature, email or phone', async () => {
    const handler = handlerWith({}, 'INFO');
    const bookingId = uniqueBookingId('L');
    const payload = bookingConfirmedAs(bookingId);
    const malformed = signedDelivery(`{"data":{"renter":{"email":"${payload.data.renter.email}"`, s.secret);
    const invalid = (() => {
      const p = bookingConfirmedAs(bookingId) as any;
      p.data.renter.phone = 12;
      p.data.renter.email = 'dana@example';
      return signedDelivery(p, s.secret);
    })();
    const deliveries = [
      signedDelivery(payload, s.secret),
      signedDelivery(payload, s.secret),
      signedDelivery(payload, key('intruder')),
      malformed,
      invalid,
      signedDelivery(payload, s.secret, { contentType: 'text/plain' }),
      signedDelivery(payload, s.secret, { timestamp: new Date(Date.now() - 3_600_000) }),
    ];

    const lines: string[] = [];
    const write = { out: process.stdout.write, err: process.stderr.write };
    const capture = (chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    const statuses: number[] = [];
    try {
      for (const delivery of deliveries) statuses.push((await invoke(handler, delivery)).status);
    } finally {
      process.stdout.write = write.out;
      process.stderr.write = write.err;
    }

    expect(statuses).toEqual([202, 202, 401, 400, 400, 415, 401]);
    expect(lines).toHaveLength(deliveries.length);
    const records = lines.map((line) => JSON.parse(line));
    records.forEach((record, i) => {
      expect(record).toMatchObject({
        status: statuses[i],
        outcome: expect.any(String),
        webhookId: deliveries[i]!.headers['webhook-id'],
        latencyMs: expect.any(Number),
      });
    });
    expect(records.map((r) => r.outcome)).toEqual([
      'accepted',
      'duplicate',
      'rejected-signature',
      'rejected-json',
      'rejected-schema',
      'rejected-content-type',
      'rejected-signature',
    ]);
    expect(records[0]!.bookingId).toBe(bookingId);

    const forbidden = [
      s.secret,
      s.secret.replace(/^whsec_/, ''),
      key('intruder'),
      payload.data.renter.email,
      'dana@example',
      payload.data.renter.phone,
      ...deliveries.flatMap((d) => d.headers['webhook-signature']!.split(' ').map((sig) => sig.split(',')[1]!)),
    ];
    const text = lines.join('\n');
    for (const value of forbidden) expect(text).not.toContain(value);
  });
});
