import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startStack, type LocalStack } from '../../local/charterflow/stack';
import { documentClient } from '../../shared/aws';
import { bookingsTable } from '../../shared/config';
import { BookingBusy, RevisionLedger, type Outbox } from '../../shared/revisions';

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

describe('a decision recorded before acting', () => {
  /** A consumer whose plan is "hold r<n>", and whose perform can be made to crash once after the plan was recorded. */
  function recordingConsumer(revision: number, crash = false) {
    const performed: string[] = [];
    const decided: number[] = [];
    let crashes = crash ? 1 : 0;
    const outbox: Outbox<{ status: string }, { hold: string }> = {
      decide: (held) => {
        decided.push(revision);
        return Promise.resolve({ plan: { hold: `r${revision} after ${held?.status ?? 'nothing'}` } });
      },
      perform: (plan) => {
        performed.push(plan.hold);
        if (crashes-- > 0) return Promise.reject(new Error('crashed after the decision was recorded'));
        return Promise.resolve({ held: { status: plan.hold } });
      },
    };
    return { outbox, performed, decided };
  }
  const apply = (bookingId: string, revision: number, outbox: Outbox<{ status: string }, { hold: string }>) =>
    revisions.applyDecided({ bookingId, consumer: 'calendar', revision }, outbox);

  it('a retry of the same revision finishes the recorded plan and decides nothing anew', async () => {
    const first = recordingConsumer(1, true);
    await expect(apply('REV0101', 1, first.outbox)).rejects.toThrow('crashed');
    expect(await revisions.pendingOf('REV0101', 'calendar')).toMatchObject({
      revision: 1,
      plan: { hold: 'r1 after nothing' },
    });
    const again = recordingConsumer(1);
    expect(await apply('REV0101', 1, again.outbox)).toMatchObject({ outcome: 'acted' });
    expect(again).toMatchObject({ decided: [], performed: ['r1 after nothing'] });
    expect(await revisions.get('REV0101', 'calendar')).toMatchObject({
      revision: 1,
      held: { status: 'r1 after nothing' },
    });
    expect(await revisions.pendingOf('REV0101', 'calendar')).toBeUndefined();
  });

  it('a newer revision finishes the recorded plan first, then decides from what it left', async () => {
    await expect(apply('REV0102', 1, recordingConsumer(1, true).outbox)).rejects.toThrow('crashed');
    const newer = recordingConsumer(2);
    expect(await apply('REV0102', 2, newer.outbox)).toMatchObject({ outcome: 'acted' });
    expect(newer.performed).toEqual(['r1 after nothing', 'r2 after r1 after nothing']);
    expect(await revisions.get('REV0102', 'calendar')).toMatchObject({
      revision: 2,
      held: { status: 'r2 after r1 after nothing' },
    });
  });

  it('an older revision finishes a newer recorded plan and is stale', async () => {
    await expect(apply('REV0103', 3, recordingConsumer(3, true).outbox)).rejects.toThrow('crashed');
    const older = recordingConsumer(2);
    expect(await apply('REV0103', 2, older.outbox)).toMatchObject({ outcome: 'stale' });
    expect(older).toMatchObject({ decided: [], performed: ['r3 after nothing'] });
    expect(await revisions.get('REV0103', 'calendar')).toMatchObject({ revision: 3 });
  });
});

describe('a first revision decided before the lease', () => {
  function firstConsumer(bookingId: string, crash = false) {
    const seen: { pendingWhilePerforming?: unknown } = {};
    let crashes = crash ? 1 : 0;
    const decided: string[] = [];
    const outbox: Outbox<{ status: string }, { hold: string }> = {
      decide: (held) => {
        decided.push(held?.status ?? 'nothing');
        return Promise.resolve({ plan: { hold: `r1 after ${held?.status ?? 'nothing'}` } });
      },
      perform: async (plan) => {
        seen.pendingWhilePerforming = await revisions.pendingOf(bookingId, 'calendar');
        if (crashes-- > 0) throw new Error('crashed after the decision was recorded');
        return { held: { status: plan.hold } };
      },
    };
    return { outbox, seen, decided };
  }
  const applyFirst = (bookingId: string, outbox: Outbox<{ status: string }, { hold: string }>) =>
    revisions.applyDecided({ bookingId, consumer: 'calendar', revision: 1 }, outbox, undefined, {
      decideFirst: true,
    });

  it('records the decision in the write that takes the lease: two writes in all, the decision before acting', async () => {
    const consumer = firstConsumer('REV0301');
    sent.length = 0;
    expect(await applyFirst('REV0301', consumer.outbox)).toMatchObject({
      outcome: 'acted',
      held: { status: 'r1 after nothing' },
    });
    // The lease and the decision in one write, then only the settle: the read is this test's own look.
    expect(sent.filter((command) => command !== 'GetItemCommand')).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
    expect(consumer.seen.pendingWhilePerforming).toMatchObject({ revision: 1, plan: { hold: 'r1 after nothing' } });
    expect(await revisions.get('REV0301', 'calendar')).toMatchObject({
      revision: 1,
      held: { status: 'r1 after nothing' },
    });
    expect(await revisions.pendingOf('REV0301', 'calendar')).toBeUndefined();
  });

  it('after a crash, the retry finds the record, decides nothing anew and finishes the recorded plan', async () => {
    await expect(applyFirst('REV0302', firstConsumer('REV0302', true).outbox)).rejects.toThrow('crashed');
    expect(await revisions.pendingOf('REV0302', 'calendar')).toMatchObject({ plan: { hold: 'r1 after nothing' } });
    const retry = firstConsumer('REV0302');
    expect(await applyFirst('REV0302', retry.outbox)).toMatchObject({ outcome: 'acted' });
    // The retry decided once before the lease (refused by the record) and never again under it.
    expect(retry.decided).toEqual(['nothing']);
    expect(await revisions.get('REV0302', 'calendar')).toMatchObject({
      revision: 1,
      held: { status: 'r1 after nothing' },
    });
  });

  it('a redelivery of an applied first revision is refused by the record and is a duplicate', async () => {
    await applyFirst('REV0303', firstConsumer('REV0303').outbox);
    const again = firstConsumer('REV0303');
    expect(await applyFirst('REV0303', again.outbox)).toMatchObject({ outcome: 'duplicate' });
    expect(again.seen.pendingWhilePerforming).toBeUndefined();
  });

  it('concurrent deliveries of a first revision act once', async () => {
    const consumers = Array.from({ length: 4 }, () => firstConsumer('REV0304'));
    const outcomes = await Promise.all(consumers.map((c) => applyFirst('REV0304', c.outbox)));
    expect(outcomes.filter((o) => o.outcome === 'acted')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'duplicate')).toHaveLength(3);
  });
});

describe('a lease', () => {
  it('ends when the invocation that took it ends', async () => {
    const until = Date.now() + 12_345;
    let leaseUntil: unknown;
    await revisions.apply(
      { bookingId: 'REV0201', consumer: 'calendar', revision: 1 },
      async () => {
        leaseUntil = (
          await documents.send(
            new GetCommand({ TableName: bookingsTable(), Key: { pk: 'BOOKING#REV0201', sk: 'STATE#calendar' } }),
          )
        ).Item?.leaseUntil;
        return { held: { status: 'r1' } };
      },
      undefined,
      { until },
    );
    expect(leaseUntil).toBe(until);
  });

  it('is waited for within the invocation’s own time, then the delivery fails saying when the lease ends', async () => {
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    const holderEnds = Date.now() + 20_000;
    const holder = revisions.apply(
      { bookingId: 'REV0202', consumer: 'calendar', revision: 1 },
      async () => {
        await holding;
        return { held: { status: 'r1' } };
      },
      undefined,
      { until: holderEnds },
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Ten seconds are kept for the work: an invocation ending in 10.2 s waits about 200 ms.
    const started = Date.now();
    const error = await revisions
      .apply(
        { bookingId: 'REV0202', consumer: 'calendar', revision: 2 },
        () => Promise.resolve({ held: { status: 'r2' } }),
        undefined,
        {
          until: Date.now() + 10_200,
        },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BookingBusy);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect((error as BookingBusy).retryAfterMs).toBeGreaterThan(19_000);
    expect((error as BookingBusy).retryAfterMs).toBeLessThanOrEqual(holderEnds - started);
    // A holder that finishes within the waiter's time lets it through.
    const waiter = revisions.apply(
      { bookingId: 'REV0202', consumer: 'calendar', revision: 2 },
      () => Promise.resolve({ held: { status: 'r2' } }),
      undefined,
      {
        until: Date.now() + 15_000,
      },
    );
    release();
    await holder;
    expect(await waiter).toMatchObject({ outcome: 'acted', held: { status: 'r2' } });
  });
});
