import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as mini from 'zod/mini';
import { envelopeJsonSchema, renderContractValidators, validatorsPath } from '../../scripts/contract-validators';
import * as generated from '../../shared/contract-validators.generated';
import { contractDocuments } from '../../shared/contract/documents';
import { eventCatalog, SCHEMA_VERSION, type DetailType } from '../../shared/contract/events';
import { exampleData } from '../../shared/contract/examples';
import { bookingConfirmed, bookingSnapshot, eventEnvelope, eventMetadata } from '../../samples';

/**
 * shared/contract-validators.generated.ts is what the Lambdas validate with: the contract's zod schemas,
 * through schemas/*.json, written as zod/mini. These tests keep it the contract's exact image.
 */

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

const generatedSchemaOf = (name: string): mini.ZodMiniType =>
  name in generated.eventContracts
    ? generated.eventContracts[name as DetailType].schema
    : (generated as unknown as Record<string, () => mini.ZodMiniType>)[name]!();

it('is what `npm run validators` writes from the committed JSON Schemas (run it after `npm run schemas`)', () => {
  expect(read(validatorsPath)).toBe(renderContractValidators(read));
});

describe.each(contractDocuments.map((d) => [d.name, d] as const))('the generated %s', (name, document) => {
  it('has exactly the JSON Schema of the committed file', () => {
    const { $id: _id, title: _title, description: _description, ...committed } = JSON.parse(read(document.path));
    expect(mini.toJSONSchema(generatedSchemaOf(name), { target: 'draft-2020-12', io: 'input' })).toEqual(committed);
  });
});

it('the generated envelope has the JSON Schema of the Powertools EventBridge schema', () => {
  expect(mini.toJSONSchema(generated.EventBridgeEnvelope(), { target: 'draft-2020-12', io: 'input' })).toEqual(
    envelopeJsonSchema(),
  );
});

it('carries every detail-type with its source, and the schema version', () => {
  expect(generated.SCHEMA_VERSION).toBe(SCHEMA_VERSION);
  expect(Object.fromEntries(Object.entries(generated.eventContracts).map(([t, c]) => [t, c.source]))).toEqual(
    Object.fromEntries(Object.entries(eventCatalog).map(([t, c]) => [t, c.source])),
  );
});

describe('the generated schemas parse as zod does', () => {
  const detail = (type: DetailType) => ({
    metadata: eventMetadata({ idempotencyKey: `XHQGMDH:r1:${type}` }),
    data: { booking: bookingSnapshot(), ...exampleData[type] },
  });

  it.each(Object.keys(eventCatalog) as DetailType[])('%s: same output, unknown keys dropped', (type) => {
    const sample = { ...detail(type), extra: 'dropped' };
    sample.data.booking = { ...sample.data.booking, internalNote: 'dropped too' } as typeof sample.data.booking;
    expect(generated.eventContracts[type].schema.parse(sample)).toEqual(eventCatalog[type].schema.parse(sample));
  });

  it.each([
    ['a booking id in lower case', 'data.booking.bookingId', 'xhqgmdh'],
    ['a time without an offset', 'metadata.occurredAt', '2026-12-05T17:00:00'],
    ['a negative party size', 'data.booking.partySize', -2],
    ['a fractional revision', 'data.booking.revision', 1.5],
    ['an unknown status', 'data.booking.status', 'pending'],
    ['an empty first name', 'data.booking.renter.firstName', ''],
    ['a page url that is no url', 'data.url', 'queenofsandiego'],
  ])('both reject %s at the same path', (_what, path, value) => {
    const sample = structuredClone(detail('GuestPagePublished')) as Record<string, unknown>;
    const keys = path.split('.');
    const parent = keys.slice(0, -1).reduce((node, key) => node[key] as Record<string, unknown>, sample);
    parent[keys.at(-1)!] = value;
    const zod = eventCatalog.GuestPagePublished.schema.safeParse(sample);
    const ours = generated.eventContracts.GuestPagePublished.schema.safeParse(sample);
    expect(zod.success).toBe(false);
    expect(ours.success).toBe(false);
    expect(ours.error!.issues.map((i) => i.path)).toEqual(zod.error!.issues.map((i) => i.path));
  });

  it('major 1, still in the archive, parses as zod parses it, prices and contact included', () => {
    const v1 = {
      ...detail('GuestPagePublished'),
      data: {
        ...detail('GuestPagePublished').data,
        booking: {
          ...detail('GuestPagePublished').data.booking,
          renter: { firstName: 'Dana', lastName: 'Reyes', email: 'dana@example.com', phone: '+16195550100' },
          pricing: { currency: 'USD', bookingTotal: 1450, boatsetterFee: 217.5, captainFee: 250, ownerPayout: 982.5 },
        },
      },
    };
    expect(generated.eventContracts.GuestPagePublished.v1.parse(v1)).toEqual(
      eventCatalog.GuestPagePublished.v1.parse(v1),
    );
    const twoLetters = structuredClone(v1);
    twoLetters.data.booking.pricing.currency = 'US';
    expect(generated.eventContracts.GuestPagePublished.v1.safeParse(twoLetters).success).toBe(false);
    expect(eventCatalog.GuestPagePublished.v1.safeParse(twoLetters).success).toBe(false);
  });

  it('the Boatsetter payload and the envelope accept what zod accepts', () => {
    expect(generated.BoatsetterWebhookPayload().parse(bookingConfirmed())).toEqual(bookingConfirmed());
    const envelope = eventEnvelope('BookingReceived', detail('BookingReceived'));
    expect(generated.EventBridgeEnvelope().parse(envelope)).toEqual(envelope);
  });
});

it('the generator refuses a JSON Schema keyword it has no zod/mini form for, rather than dropping the check', () => {
  const [first] = contractDocuments;
  const withUnsupported = (path: string) => {
    if (path !== first!.path) return read(path);
    return JSON.stringify({ ...JSON.parse(read(path)), propertyNames: { maxLength: 3 } });
  };
  expect(() => renderContractValidators(withUnsupported)).toThrow(/no zod\/mini form for propertyNames/);
});
