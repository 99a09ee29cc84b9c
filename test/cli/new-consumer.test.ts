import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { laidOut, parseNewConsumerArgs, scaffoldConsumer } from '../../cli/new-consumer';
import { UsageError } from '../../cli/usage-error';
import { detailTypes } from '../../shared/contract/events';

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe('new consumer: arguments', () => {
  it('takes a kebab-case name and the detail-types it consumes', () => {
    expect(parseNewConsumerArgs(['consumer', 'cabin-notes', '--on', 'CrewEventCreated'])).toEqual({
      name: 'cabin-notes',
      on: ['CrewEventCreated'],
    });
    expect(
      parseNewConsumerArgs(['cabin-notes', '--on', 'BookingReceived,CrewEventCreated', '--on', 'BookingReceived']),
    ).toEqual({
      name: 'cabin-notes',
      on: ['BookingReceived', 'CrewEventCreated'],
    });
    expect(parseNewConsumerArgs(['ledger', '--on', 'all'])).toEqual({ name: 'ledger', on: detailTypes });
  });

  it.each([
    [['Cabin_Notes', '--on', 'CrewEventCreated'], /kebab-case/],
    [['cabin-notes'], /missing --on/],
    [['cabin-notes', '--on', 'CrewCreated'], /unknown detail-type CrewCreated; one of BookingReceived/],
    [['--on', 'CrewEventCreated'], /missing the consumer name/],
    [['a-name-that-is-far-too-long-for-a-rule', '--on', 'CrewEventCreated'], /longer than/],
    [['cabin-notes', 'extra', '--on', 'CrewEventCreated'], /unexpected argument extra/],
  ])('rejects %j with a reason', (argv, reason) => {
    expect(() => parseNewConsumerArgs(argv)).toThrow(UsageError);
    expect(() => parseNewConsumerArgs(argv)).toThrow(reason);
  });
});

describe('new consumer: files', () => {
  it('writes the declaration, handler, domain stub and test, and never overwrites', () => {
    const dir = mkdtempSync(join(tmpdir(), 'charterflow-scaffold-'));
    temporary.push(dir);
    const written = scaffoldConsumer({ name: 'cabin-notes', on: ['CrewEventCreated', 'GuestPagePublished'] }, dir);
    expect(written).toEqual([
      'services/cabin-notes/declaration.ts',
      'services/cabin-notes/handler.ts',
      'services/cabin-notes/cabin-notes.ts',
      'test/services/cabin-notes/cabin-notes.test.ts',
    ]);
    const declaration = readFileSync(join(dir, 'services/cabin-notes/declaration.ts'), 'utf8');
    expect(declaration).toContain("name: 'cabin-notes'");
    expect(declaration).toContain("consumes: ['CrewEventCreated', 'GuestPagePublished']");
    expect(readFileSync(join(dir, 'services/cabin-notes/handler.ts'), 'utf8')).toContain('cabinNotesNote');
    // The example data comes from the contract's examples, not copied into the test as literals.
    expect(readFileSync(join(dir, 'test/services/cabin-notes/cabin-notes.test.ts'), 'utf8')).toContain(
      'data: { booking: bookingSnapshot(), ...exampleData.CrewEventCreated },',
    );
    expect(() => scaffoldConsumer({ name: 'cabin-notes', on: ['CrewEventCreated'] }, dir)).toThrow(/already exist/);
  });
});

describe('new consumer: laid out as Biome lays it out', () => {
  it('keeps a list on one line when it fits in 120 characters, else one item a line', () => {
    expect(laidOut('  ', 'consumes: [', ["'BookingReceived'", "'CrewEventCreated'"], '],')).toBe(
      "  consumes: ['BookingReceived', 'CrewEventCreated'],",
    );
    const many = detailTypes.slice(0, 8).map((type) => `'${type}'`);
    expect(laidOut('  ', 'consumes: [', many, '],')).toBe(
      ['  consumes: [', ...many.map((type) => `    ${type},`), '  ],'].join('\n'),
    );
    const fits = `a(${'x'.repeat(117)})`;
    expect(laidOut('', 'a(', ['x'.repeat(117)], ')')).toBe(fits);
    expect(laidOut('', 'a(', ['x'.repeat(118)], ')')).toBe(`a(\n  ${'x'.repeat(118)},\n)`);
  });

  it("breaks the longest name's note signature, and describes a consumer of everything in a few words", () => {
    const dir = mkdtempSync(join(tmpdir(), 'charterflow-scaffold-'));
    temporary.push(dir);
    const name = 'every-event-of-the-whole-charter';
    scaffoldConsumer({ name, on: [...detailTypes] }, dir);
    expect(readFileSync(join(dir, `services/${name}/${name}.ts`), 'utf8')).toContain(
      [
        'export function everyEventOfTheWholeCharterNote<T extends DetailType>(',
        '  event: ConsumedEvent<T>,',
        '): EveryEventOfTheWholeCharterNote {',
      ].join('\n'),
    );
    const declaration = readFileSync(join(dir, `services/${name}/declaration.ts`), 'utf8');
    expect(declaration).toContain(`description: '${name}: on every detail-type',`);
    expect(declaration).toContain(`  consumes: [\n    'BookingReceived',\n`);
    for (const line of declaration.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
  });
});
