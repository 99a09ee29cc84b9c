import { afterEach, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  gatedClient,
  gatedSends,
  gateShut,
  ShadowRecords,
  stageMode,
  underShadowGate,
  type GateInvocation,
} from '../../shared/shadow';

/**
 * The shadow gate's decisions, without AWS: when it is shut, what a gated client does with a write and with a
 * read. The records' own table is a boundary here (a fake `send` that keeps what it is given); the chain tests
 * (test/chain/shadow.test.ts, smoke.test.ts) run the gate against the local stack.
 */

const invocation = (over: Partial<GateInvocation> = {}): GateInvocation => ({
  consumer: 'calendar',
  bookingId: 'XHQGMDH',
  revision: 2,
  synthetic: false,
  ...over,
});

function recordingTable() {
  const sent: { input: Record<string, unknown> }[] = [];
  const documents = {
    send: (command: { input: Record<string, unknown> }) => {
      sent.push(command);
      return Promise.resolve({});
    },
  } as unknown as DynamoDBDocumentClient;
  return { sent, records: new ShadowRecords(documents, () => 'bookings') };
}

/** A client of a system we do not own: counts the calls that reach it. */
function jada() {
  const reached: string[] = [];
  return {
    reached,
    client: {
      createEntry: (request: { bookingId: string }, _context: { bookingId: string; idempotencyKey: string }) => {
        reached.push(`create ${request.bookingId}`);
        return Promise.resolve({ entryId: 'cal_real' });
      },
      findEntries: (bookingId: string) => {
        reached.push(`find ${bookingId}`);
        return Promise.resolve([]);
      },
    },
  };
}

const context = { bookingId: 'XHQGMDH', idempotencyKey: 'XHQGMDH:r2:CalendarEntryCreated' };

afterEach(() => {
  delete process.env.CHARTERFLOW_MODE;
});

describe('the stage mode', () => {
  it('is live unless CHARTERFLOW_MODE says shadow, and anything else is an error naming it', () => {
    expect(stageMode({})).toBe('live');
    expect(stageMode({ CHARTERFLOW_MODE: 'live' })).toBe('live');
    expect(stageMode({ CHARTERFLOW_MODE: 'shadow' })).toBe('shadow');
    expect(() => stageMode({ CHARTERFLOW_MODE: 'dry-run' })).toThrow(
      'CHARTERFLOW_MODE must be live or shadow, not "dry-run"',
    );
  });
});

describe('the gate', () => {
  it('is open for a real booking on a live stage, and outside any consumer', async () => {
    expect(gateShut()).toBeUndefined();
    expect(await underShadowGate(invocation(), () => Promise.resolve(gateShut()))).toBeUndefined();
  });

  it('is shut for a synthetic booking on a live stage, and for every booking on a shadow stage', async () => {
    expect(await underShadowGate(invocation({ synthetic: true }), () => Promise.resolve(gateShut()))).toBe(
      'synthetic-booking',
    );
    process.env.CHARTERFLOW_MODE = 'shadow';
    expect(await underShadowGate(invocation(), () => Promise.resolve(gateShut()))).toBe('shadow-stage');
  });
});

describe('a gated client', () => {
  it('sends writes and reads through while the gate is open', async () => {
    const { reached, client } = jada();
    const { sent, records } = recordingTable();
    const gated = gatedClient('jada-calendar', client, records, { createEntry: () => ({ entryId: 'shadow-x' }) });
    const answer = await underShadowGate(invocation(), () => gated.createEntry({ bookingId: 'XHQGMDH' }, context));
    expect(answer).toEqual({ entryId: 'cal_real' });
    expect(reached).toEqual(['create XHQGMDH']);
    expect(sent).toEqual([]);
  });

  it('keeps a write back while shut, records what it would have sent, and lets reads through', async () => {
    const { reached, client } = jada();
    const { sent, records } = recordingTable();
    const gated = gatedClient('jada-calendar', client, records, {
      createEntry: (request) => ({ entryId: `shadow-${request.bookingId}` }),
    });
    const answers = await underShadowGate(invocation({ synthetic: true }), async () => [
      await gated.createEntry({ bookingId: 'XHQGMDH' }, context),
      await gated.findEntries('XHQGMDH'),
    ]);
    expect(answers).toEqual([{ entryId: 'shadow-XHQGMDH' }, []]);
    expect(reached).toEqual(['find XHQGMDH']);
    expect(sent).toHaveLength(1);
    const { Key, ExpressionAttributeValues } = sent[0]!.input as {
      Key: unknown;
      ExpressionAttributeValues: Record<string, unknown>;
    };
    // The key is the write's place in the revision: a retry writes the same record over itself.
    expect(Key).toEqual({ pk: 'BOOKING#XHQGMDH', sk: 'SHADOW#calendar#r000002#001' });
    const values = Object.values(ExpressionAttributeValues);
    expect(values).toContain('createEntry');
    expect(values).toContainEqual({ bookingId: 'XHQGMDH' });
    expect(values).toContain('synthetic-booking');
  });
});

describe('gated SDK sends', () => {
  it('record a kept-back command by its operation, answer for it, and send a replacement through when asked', async () => {
    const reached: unknown[] = [];
    const client = {
      send: (command: { input: unknown }) => {
        reached.push(command.input);
        return Promise.resolve({ MessageId: 'real' });
      },
    };
    // Named as the deployed, minified bundle names it: the gate knows the command by its class, not its name.
    class Yi {
      constructor(readonly input: unknown) {}
    }
    const SendEmailCommand = Yi;
    const { sent, records } = recordingTable();
    const digestOnly = gatedSends(client, records, { SendEmail: SendEmailCommand }, () => ({
      pass: false,
      record: { target: 'ses:renter', digestOnly: true },
      answer: { MessageId: 'shadow-1' },
    }));
    const rerouted = gatedSends(client, records, { SendEmail: SendEmailCommand }, () => ({
      pass: true,
      instead: new SendEmailCommand({ to: 'success@simulator.amazonses.com' }),
    }));
    const mail = new SendEmailCommand({ to: 'dana@example.com' });
    expect(await underShadowGate(invocation({ synthetic: true }), () => digestOnly.send(mail))).toEqual({
      MessageId: 'shadow-1',
    });
    expect(await underShadowGate(invocation({ synthetic: true }), () => rerouted.send(mail))).toEqual({
      MessageId: 'real',
    });
    expect(reached).toEqual([{ to: 'success@simulator.amazonses.com' }]);
    const values = Object.values((sent[0]!.input as { ExpressionAttributeValues: object }).ExpressionAttributeValues);
    expect(values).toContain('SendEmail');
    // The address is never kept: only the digest of what would have been sent.
    expect(JSON.stringify(sent)).not.toContain('dana@example.com');
  });
});
