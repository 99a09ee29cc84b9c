import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNewConsumerArgs, scaffoldConsumer } from '../../cli/new-consumer';
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
    expect(readFileSync(join(dir, 'test/services/cabin-notes/cabin-notes.test.ts'), 'utf8')).toContain(
      'sccEventId: "scc_7f3a9c"',
    );
    expect(() => scaffoldConsumer({ name: 'cabin-notes', on: ['CrewEventCreated'] }, dir)).toThrow(/already exist/);
  });
});
