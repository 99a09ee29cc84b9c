import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { documentClient, eventBridgeClient } from '../../../shared/aws';
import { BoatsetterWebhookPayload } from '../../../shared/contract/boatsetter';
import { createLogger } from '../../../shared/logger';
import { PrivateRecords } from '../../../shared/private-records';
import { Publisher } from '../../../shared/publisher';
import { SecretCache } from '../../../shared/secrets';
import { signedDelivery } from '../../../shared/signed-delivery';
import { Deliveries } from '../../../services/webhook/deliveries';
import { typeStatusIssues } from '../../../services/webhook/booking';
import { createWebhookHandler } from '../../../services/webhook/intake';
import { bookingCancelled, bookingConfirmed, bookingModified } from '../../../samples';
import { httpApiEventOf, lambdaContext, startWebhookStack, type WebhookStack } from './support';

/**
 * Random and mutated bodies, all correctly signed so that they get past the signature to validation:
 * none may get a 5xx, and only a body the contract accepts may put an event on the bus.
 */

let s: WebhookStack;
beforeAll(async () => {
  s = await startWebhookStack();
});
afterAll(() => s?.stop());

const RUNS = 1_000;
const samples = [bookingConfirmed, bookingModified, bookingCancelled];

// Paths into the sample payload, and values that break (or sometimes keep) each field's contract.
const leafPaths = (value: unknown, prefix: string[] = []): string[][] =>
  value !== null && typeof value === 'object'
    ? Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...leafPaths(v, [...prefix, k])])
    : [];
const anyJsonValue = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e308,
    '',
    ' ',
    'XHQGMDH',
    'booking.confirmed',
    '2026-12-05T17:00:00-08:00',
  ),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

type Mutation = { kind: 'set' | 'delete'; path: string[]; value?: unknown };
const mutation = (paths: string[][]): fc.Arbitrary<Mutation> =>
  fc.record({
    kind: fc.constantFrom('set', 'set', 'delete'),
    path: fc.constantFrom(...paths),
    value: anyJsonValue,
  }) as fc.Arbitrary<Mutation>;

function apply(payload: any, m: Mutation) {
  let node = payload;
  for (const key of m.path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = node[key];
  }
  if (node === null || typeof node !== 'object') return;
  const last = m.path.at(-1)!;
  if (m.kind === 'delete') delete node[last];
  else node[last] = m.value;
}

const bookingIdArb = fc.stringMatching(/^P[A-Z0-9]{5,11}$/);

const mutatedPayload = fc
  .tuple(
    fc.constantFrom(...samples),
    bookingIdArb,
    fc.integer({ min: 1, max: 5 }),
    fc.array(mutation(leafPaths(bookingConfirmed())), { minLength: 1, maxLength: 3 }),
  )
  .map(([sample, bookingId, revision, mutations]) => {
    const payload: any = sample();
    payload.data.booking_id = bookingId;
    payload.data.revision = revision;
    for (const m of mutations) apply(payload, m);
    return JSON.stringify(payload);
  });

const body = fc.oneof(
  { weight: 5, arbitrary: mutatedPayload },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: mutatedPayload.chain((json) => fc.nat({ max: json.length }).map((cut) => json.slice(0, cut))),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(mutatedPayload, fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([json, at, junk]) => {
      const i = at % (json.length + 1);
      return json.slice(0, i) + junk + json.slice(i);
    }),
  },
);

describe('the webhook under random and mutated signed bodies', () => {
  it(`never answers 5xx, and emits only for bodies the contract accepts (${RUNS} bodies)`, async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const handler = createWebhookHandler(
      {
        secrets: new SecretCache(new SecretsManagerClient(s.clientConfig)),
        deliveries: new Deliveries(documentClient()),
        publisher: new Publisher(eventBridgeClient()),
        privateRecords: new PrivateRecords(documentClient()),
      },
      createLogger('webhook'),
    );
    const acceptedEventIds = new Set<string>();
    const acceptedRevisions = new Set<string>();
    let invalid = 0;

    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const delivery = signedDelivery(raw, s.secret);
        const result = await handler(httpApiEventOf(delivery) as any, lambdaContext());
        const answer = JSON.parse(result.body!);
        expect(result.statusCode).toBeLessThan(500);

        let parsed: unknown;
        let valid = false;
        try {
          parsed = JSON.parse(raw);
          const contract = BoatsetterWebhookPayload.safeParse(parsed);
          // The contract includes the type and the status telling the same story.
          valid = contract.success && typeStatusIssues(contract.data).length === 0;
        } catch {
          valid = false;
        }
        if (!valid) {
          invalid++;
          expect(result.statusCode).toBe(400);
          expect(answer.issues).toEqual(expect.any(Array));
          return;
        }
        // A valid body is accepted, or refused as a second type for a revision already accepted.
        expect([202, 409]).toContain(result.statusCode);
        if (result.statusCode === 202) {
          acceptedEventIds.add(answer.eventId);
          const p = parsed as BoatsetterWebhookPayload;
          acceptedRevisions.add(`${p.data.booking_id}#${p.data.revision}`);
        }
      }),
      { numRuns: RUNS },
    );

    // This file's stack saw nothing but this run.
    const events = await s.busEvents();
    // Every event on the bus is one a valid body was answered with, and one per booking revision.
    expect(events.map((e) => e.id).sort()).toEqual([...acceptedEventIds].sort());
    expect(new Set(events.map((e) => `${e.detail.metadata.bookingId}#${e.detail.data.booking.revision}`))).toEqual(
      acceptedRevisions,
    );
    // The generators must reach both sides of validation, or the property says little.
    expect(invalid).toBeGreaterThan(RUNS / 4);
    expect(acceptedEventIds.size).toBeGreaterThan(10);
  }, 120_000);
});
