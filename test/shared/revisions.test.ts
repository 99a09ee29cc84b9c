import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startStack, type LocalStack } from '../../local/charterflow/stack';
import { documentClient } from '../../shared/aws';
import { RevisionLedger } from '../../shared/revisions';

/** The revision record every consumer keeps, on the local stack's DynamoDB. */

let stack: LocalStack;
let documents: DynamoDBDocumentClient;
let revisions: RevisionLedger;
/** The operations the ledger's client sent, in order (seen by a middleware on the real SDK client). */
const sent: string[] = [];

beforeAll(async () => {
  stack = await startStack({ ephemeral: true, ports: { aws: 0 }, consumers: false, standIns: false });
  documents = documentClient();
  documents.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  revisions = new RevisionLedger(documents);
});
afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
});

const applyRevision = (bookingId: string, revision: number, options?: { readFirst?: boolean }) => {
  let changed = false;
  const result = revisions.apply<{ status: string }>(
    { bookingId, consumer: 'calendar', revision },
    () => {
      changed = true;
      return Promise.resolve({ held: { status: `r${revision}` } });
    },
    undefined,
    options,
  );
  return result.then((outcome) => ({ ...outcome, changed }));
};

describe('a revision record', () => {
  it('says whether a revision is applied already, and which', async () => {
    await applyRevision('REV0001', 2);
    expect(await revisions.alreadyApplied({ bookingId: 'REV0001', consumer: 'calendar', revision: 2 })).toEqual({
      outcome: 'duplicate',
      held: { status: 'r2' },
    });
    expect(await revisions.alreadyApplied({ bookingId: 'REV0001', consumer: 'calendar', revision: 1 })).toEqual({
      outcome: 'stale',
      held: { status: 'r2' },
    });
    expect(await revisions.alreadyApplied({ bookingId: 'REV0001', consumer: 'calendar', revision: 3 })).toBeUndefined();
    expect(await revisions.alreadyApplied({ bookingId: 'REV0001', consumer: 'crew', revision: 1 })).toBeUndefined();
  });

  it('read first (a replay), skips a done revision with one read and no write', async () => {
    await applyRevision('REV0002', 1);
    sent.length = 0;
    const again = await applyRevision('REV0002', 1, { readFirst: true });
    expect(again).toMatchObject({ outcome: 'duplicate', changed: false });
    expect(sent).toEqual(['GetItemCommand']);
  });

  it('read first, still applies a revision that is new', async () => {
    await applyRevision('REV0003', 1);
    sent.length = 0;
    const newer = await applyRevision('REV0003', 2, { readFirst: true });
    expect(newer).toMatchObject({ outcome: 'acted', changed: true, held: { status: 'r2' } });
    expect(sent).toEqual(['GetItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    expect(await revisions.get('REV0003', 'calendar')).toMatchObject({ revision: 2, held: { status: 'r2' } });
  });

  it('without reading first, a done revision costs one refused conditional write', async () => {
    await applyRevision('REV0004', 1);
    sent.length = 0;
    expect(await applyRevision('REV0004', 1)).toMatchObject({ outcome: 'duplicate', changed: false });
    expect(sent).toEqual(['UpdateItemCommand']);
  });
});
