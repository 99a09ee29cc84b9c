import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contractDocuments, renderJsonSchema } from '../../shared/contract/documents';
import { breakingChanges } from '../../shared/contract/compatibility';
import { eventCatalog, isDetailType, READABLE_MAJORS } from '../../shared/contract/events';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe.each(contractDocuments.map((d) => [d.name, d] as const))('the %s JSON Schema', (_name, document) => {
  it('is what zod generates (run `npm run schemas` after changing the contract)', () => {
    expect(existsSync(new URL(`../../${document.path}`, import.meta.url)), `${document.path} is missing`).toBe(true);
    expect(read(document.path)).toBe(renderJsonSchema(document));
  });

  it('is compatible with its last released version of the same major', () => {
    const releasedPath = `${document.releasedDir}/v${document.major}.json`;
    // A new major has no released file yet: breaking changes are what a major is for.
    if (!existsSync(new URL(`../../${releasedPath}`, import.meta.url))) return;
    const problems = breakingChanges(JSON.parse(read(releasedPath)), JSON.parse(renderJsonSchema(document)));
    expect(problems, `breaking changes against ${releasedPath}`).toEqual([]);
  });

  it('declares draft 2020-12', () => {
    expect(JSON.parse(read(document.path)).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});

describe('the older majors consumers still read', () => {
  const events = contractDocuments.filter((d) => isDetailType(d.name));

  it('are the current major and major 1, whose events are still in the archive', () => {
    expect(READABLE_MAJORS).toEqual([1, 2]);
    for (const document of events) expect(document.major, document.name).toBe(2);
  });

  it.each(events.map((d) => [d.name, d] as const))(
    '%s: the major-1 reader accepts whatever the released v1 accepts',
    (name, document) => {
      if (!isDetailType(name)) throw new Error(`${name} is not an event`);
      const reader = JSON.parse(renderJsonSchema({ ...document, schema: eventCatalog[name].v1 }));
      expect(breakingChanges(JSON.parse(read(`${document.releasedDir}/v1.json`)), reader)).toEqual([]);
    },
  );

  it.each(events.map((d) => [d.name, d] as const))(
    '%s: major 2 breaks major 1 only by leaving the private details out',
    (_name, document) => {
      const problems = breakingChanges(
        JSON.parse(read(`${document.releasedDir}/v1.json`)),
        JSON.parse(read(`${document.releasedDir}/v2.json`)),
      );
      expect(problems.sort()).toEqual(
        [
          'data.booking.hasSpecialRequests: new required field',
          'data.booking.pricing: field removed or renamed',
          'data.booking.renter.email: field removed or renamed',
          'data.booking.renter.lastName: field removed or renamed',
          'data.booking.renter.phone: field removed or renamed',
          'data.booking.specialRequests: field removed or renamed',
        ].sort(),
      );
    },
  );
});

describe('drift detection', () => {
  it('notices a zod change that the committed file does not have', () => {
    const [document] = contractDocuments;
    const drifted = { ...document!, schema: (document!.schema as z.ZodObject).extend({ extra: z.string() }) };
    expect(renderJsonSchema(drifted)).not.toBe(read(document!.path));
  });
});

describe('the compatibility guard', () => {
  const releasedShape = (): Record<string, z.ZodType> => ({
    bookingId: z.string(),
    partySize: z.number().int(),
    status: z.enum(['confirmed', 'cancelled']),
    captain: z.object({ name: z.string() }).optional(),
    notes: z.string().optional(),
    tags: z.array(z.string()),
  });
  const released = z.toJSONSchema(z.object(releasedShape()));
  const change = (shape: Record<string, z.ZodType>) =>
    breakingChanges(released, z.toJSONSchema(z.object({ ...releasedShape(), ...shape })));
  const without = (field: string) => {
    const shape = releasedShape();
    delete shape[field];
    return breakingChanges(released, z.toJSONSchema(z.object(shape)));
  };

  it.each([
    ['a removed field', () => without('notes'), 'notes: field removed or renamed'],
    ['a renamed field', () => without('partySize'), 'partySize: field removed or renamed'],
    ['an optional field made required', () => change({ notes: z.string() }), 'notes: optional field made required'],
    ['a new required field', () => change({ marina: z.string() }), 'marina: new required field'],
    ['a narrowed type', () => change({ partySize: z.string() }), 'partySize: type narrowed'],
    ['a narrowed enum', () => change({ status: z.enum(['confirmed']) }), 'status: enum no longer accepts "cancelled"'],
    ['a nested removal', () => change({ captain: z.object({}).optional() }), 'captain.name: field removed or renamed'],
    ['a narrowed array item', () => change({ tags: z.array(z.number()) }), 'tags[]: type narrowed'],
  ])('fails on %s, naming the field', (_name, run, message) => {
    const problems = run();
    expect(
      problems.some((p) => p.startsWith(message)),
      problems.join('\n'),
    ).toBe(true);
  });

  it.each([
    ['a new optional field', () => change({ marina: z.string().optional() })],
    ['a required field made optional', () => change({ partySize: z.number().int().optional() })],
    ['a widened enum', () => change({ status: z.enum(['confirmed', 'cancelled', 'modified']) })],
    ['an integer widened to number', () => change({ partySize: z.number() })],
  ])('allows %s', (_name, run) => {
    expect(run()).toEqual([]);
  });
});
