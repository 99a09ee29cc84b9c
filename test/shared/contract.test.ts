import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { BoatsetterWebhookPayload } from '../../shared/contract/boatsetter';
import { eventCatalog, SCHEMA_VERSION, type DetailType } from '../../shared/contract/events';
import { exampleData } from '../../shared/contract/examples';
import { ContractViolation, parseOrThrow } from '../../shared/contract/validate';
import { bookingConfirmed, bookingCancelled, bookingModified, bookingSnapshot, eventMetadata } from '../../samples';

const sampleDetail = (type: DetailType) => ({
  metadata: eventMetadata({ idempotencyKey: `XHQGMDH:r1:${type}` }),
  data: { booking: bookingSnapshot(), ...exampleData[type] },
});

/** Every path of the sample whose removal the schema rejects, e.g. data.booking.trip.start. */
function requiredPaths(schema: z.ZodType, root: unknown, prefix: string[] = []): string[][] {
  const node = prefix.reduce<any>((value, key) => value?.[key], root);
  if (!node || typeof node !== 'object' || Array.isArray(node)) return [];
  return Object.keys(node).flatMap((key) => {
    const path = [...prefix, key];
    const required = !schema.safeParse(withoutPath(root, path)).success;
    return [...(required ? [path] : []), ...requiredPaths(schema, root, path)];
  });
}

function withoutPath(root: unknown, path: string[]): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  delete node[path.at(-1)!];
  return copy;
}

const documents: Array<[string, z.ZodType, unknown]> = [
  ...(Object.keys(eventCatalog) as DetailType[]).map(
    (type) => [type, eventCatalog[type].schema, sampleDetail(type)] as [string, z.ZodType, unknown],
  ),
  ['BoatsetterWebhookPayload (confirmed)', BoatsetterWebhookPayload, bookingConfirmed()],
  ['BoatsetterWebhookPayload (modified)', BoatsetterWebhookPayload, bookingModified()],
  ['BoatsetterWebhookPayload (cancelled)', BoatsetterWebhookPayload, bookingCancelled()],
];

describe.each(documents)('the %s schema', (_name, schema, sample) => {
  it('accepts the sample', () => {
    expect(() => parseOrThrow(schema, sample, 'sample')).not.toThrow();
  });

  const paths = requiredPaths(schema, sample);

  it('has required fields to check', () => {
    expect(paths.length).toBeGreaterThan(10);
  });

  it.each(paths.map((p) => [p.join('.'), p]))('rejects a missing %s, naming it', (name, path) => {
    const error = (() => {
      try {
        parseOrThrow(schema, withoutPath(sample, path as string[]), 'sample');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ContractViolation);
    expect((error as ContractViolation).issues.map((i) => i.path)).toContain(name);
    expect((error as ContractViolation).message).toContain(name as string);
  });
});

describe('the Boatsetter payload', () => {
  it.each([
    ['booking id in lower case', (p: any) => (p.data.booking_id = 'xhqgmdh'), 'data.booking_id'],
    ['booking id too short', (p: any) => (p.data.booking_id = 'AB12'), 'data.booking_id'],
    ['booking id too long', (p: any) => (p.data.booking_id = 'ABCDEFGHJKLMN'), 'data.booking_id'],
    ['an unknown type', (p: any) => (p.type = 'booking.paid'), 'type'],
    ['party size as text', (p: any) => (p.data.party_size = '6'), 'data.party_size'],
    ['a trip start without offset', (p: any) => (p.data.trip.start = '2026-12-05T17:00:00'), 'data.trip.start'],
    ['an email without @', (p: any) => (p.data.renter.email = 'dana.example.com'), 'data.renter.email'],
    ['a negative price', (p: any) => (p.data.pricing.captain_fee = -1), 'data.pricing.captain_fee'],
  ])('rejects %s', (_name, mutate, path) => {
    const payload = bookingConfirmed();
    mutate(payload);
    const result = BoatsetterWebhookPayload.safeParse(payload);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('accepts a booking without captain and special requests', () => {
    const payload = bookingConfirmed() as any;
    delete payload.data.captain;
    delete payload.data.special_requests;
    expect(BoatsetterWebhookPayload.safeParse(payload).success).toBe(true);
  });
});

describe('event metadata', () => {
  it('carries the schema version the contract declares', () => {
    expect(SCHEMA_VERSION).toMatch(/^\d+\.\d+$/);
    expect(eventCatalog.BookingReceived.schema.safeParse(sampleDetail('BookingReceived')).success).toBe(true);
  });

  it('every detail-type has a charterflow.<service> source', () => {
    for (const { source } of Object.values(eventCatalog)) expect(source).toMatch(/^charterflow\.[a-z-]+$/);
  });
});
