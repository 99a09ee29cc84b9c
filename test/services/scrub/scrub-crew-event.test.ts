import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  crewNotesOf,
  CrewEventNotFound,
  ScrubConflict,
  scrubCrewEvent,
} from '../../../services/scrub/scrub-crew-event';
import { removedLinesOf } from '../../../services/scrub/removed-lines';
import { startScrubTables, type ScrubTables } from './dynamodb';

const ordinaryLines = [
  'Boatsetter booking XHQGMDH',
  'Calendar entry: cal_7f3a9c',
  'Party of 6, birthday (bringing a cake)',
  'Meet at Shelter Island Marina, dock B, 4:30 PM',
];
const revenueLines = [
  'Revenue: $1,450.00',
  'Captain Fee: $250.00',
  'Crew Costs: $120.00',
  'Port Fees: $35.00',
  'Your Net: $827.50',
];
const sccNotes = [ordinaryLines[0], ordinaryLines[1], ordinaryLines[2], ...revenueLines, ordinaryLines[3]].join('\n');
const cleanNotes = ordinaryLines.join('\n');

let tables: ScrubTables;
let n = 0;
let booking: { bookingId: string; sccEventId: string };

/** Hooks run before a DynamoDB write command reaches the server; a hook may throw to simulate a crash. */
let beforeWrite: ((command: string, input: Record<string, unknown>) => Promise<void>) | undefined;
const writes: { command: string; table: string }[] = [];

function watchWrites(client: DynamoDBClient) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (/^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)Command$/.test(command)) {
        const input = args.input as Record<string, unknown>;
        writes.push({ command, table: String(input.TableName) });
        await beforeWrite?.(command, input);
      }
      return next(args);
    },
    { step: 'initialize', name: 'watchWrites' },
  );
}

async function putSccEvent(notes: string | undefined) {
  await tables.other.send(
    new PutCommand({
      TableName: tables.sccTable,
      Item: {
        eventId: booking.sccEventId,
        bookingId: booking.bookingId,
        calendarEntryId: 'cal_7f3a9c',
        crew: ['sam@example.com'],
        ...(notes === undefined ? {} : { notes }),
      },
    }),
  );
}

async function sccItem() {
  const { Item } = await tables.other.send(
    new GetCommand({ TableName: tables.sccTable, Key: { eventId: booking.sccEventId }, ConsistentRead: true }),
  );
  return Item!;
}

beforeAll(async () => {
  tables = await startScrubTables();
  watchWrites(tables.client);
  process.env.CHARTERFLOW_BOOKINGS_TABLE = 'charterflow-local-bookings';
});
afterAll(async () => tables.stop());
beforeEach(() => {
  n += 1;
  booking = { bookingId: `SCRUB${String(n).padStart(3, '0')}`, sccEventId: `scc_evt_${n}` };
  beforeWrite = undefined;
  writes.length = 0;
});

const scrub = (options: { maxAttempts?: number } = {}) =>
  scrubCrewEvent(tables.documents, booking, { sccTable: tables.sccTable, ...options });

describe('scrubCrewEvent', () => {
  it('removes the revenue lines, keeps every other line and attribute, and stores the removed lines', async () => {
    await putSccEvent(sccNotes);

    const result = await scrub();

    expect(result).toEqual({ outcome: 'scrubbed', linesRemoved: 5, attempts: 1 });
    const item = await sccItem();
    expect(item.notes).toBe(cleanNotes);
    expect(await crewNotesOf(tables.documents, booking.sccEventId, tables.sccTable)).toBe(cleanNotes);
    expect(item.crew).toEqual(['sam@example.com']);
    expect(item.calendarEntryId).toBe('cal_7f3a9c');
    expect(await removedLinesOf(tables.documents, booking.bookingId)).toEqual([
      { bookingId: booking.bookingId, sccEventId: booking.sccEventId, lines: revenueLines },
    ]);
  });

  it('stores the removed lines before it changes the SCC item', async () => {
    await putSccEvent(sccNotes);
    const order: string[] = [];
    beforeWrite = async (_command, input) => void order.push(String(input.TableName));

    await scrub();

    expect(order.indexOf(tables.sccTable)).toBeGreaterThan(order.indexOf('charterflow-local-bookings'));
  });

  it('scrubbing already-scrubbed notes writes nothing and reports the lines removed before', async () => {
    await putSccEvent(sccNotes);
    await scrub();
    writes.length = 0;

    const again = await scrub();

    expect(again).toEqual({ outcome: 'clean', linesRemoved: 5, attempts: 1 });
    expect(writes).toEqual([]);
    expect((await sccItem()).notes).toBe(cleanNotes);
    expect((await removedLinesOf(tables.documents, booking.bookingId))[0]!.lines).toEqual(revenueLines);
  });

  it('notes without revenue lines are not written', async () => {
    await putSccEvent(cleanNotes);

    expect(await scrub()).toEqual({ outcome: 'clean', linesRemoved: 0, attempts: 1 });
    expect(writes).toEqual([]);
    expect(await removedLinesOf(tables.documents, booking.bookingId)).toEqual([]);
  });

  it('a crew event without notes is left alone', async () => {
    await putSccEvent(undefined);

    expect(await scrub()).toEqual({ outcome: 'clean', linesRemoved: 0, attempts: 1 });
    expect(writes).toEqual([]);
    expect((await sccItem()).notes).toBeUndefined();
  });

  it('keeps a change made to the SCC item between the read and the write, and scrubs the changed notes', async () => {
    await putSccEvent(sccNotes);
    const concurrent = `${sccNotes.replace('dock B', 'dock C (moved by Sam)')}\r\nCaptain: bring the spare VHF`;
    let raced = false;
    beforeWrite = async (_command, input) => {
      if (input.TableName !== tables.sccTable || raced) return;
      raced = true;
      // Someone at the SCC dashboard saves the notes while the scrub is in flight.
      await tables.other.send(
        new UpdateCommand({
          TableName: tables.sccTable,
          Key: { eventId: booking.sccEventId },
          UpdateExpression: 'SET notes = :n',
          ExpressionAttributeValues: { ':n': concurrent },
        }),
      );
    };

    const result = await scrub();

    expect(raced).toBe(true);
    expect(result).toEqual({ outcome: 'scrubbed', linesRemoved: 5, attempts: 2 });
    expect((await sccItem()).notes).toBe(
      `${cleanNotes.replace('dock B', 'dock C (moved by Sam)')}\r\nCaptain: bring the spare VHF`,
    );
    expect((await removedLinesOf(tables.documents, booking.bookingId))[0]!.lines).toEqual(revenueLines);
  });

  it('never overwrites a writer that keeps changing the notes: gives up with ScrubConflict', async () => {
    await putSccEvent(sccNotes);
    let round = 0;
    beforeWrite = async (_command, input) => {
      if (input.TableName !== tables.sccTable) return;
      round += 1;
      await tables.other.send(
        new UpdateCommand({
          TableName: tables.sccTable,
          Key: { eventId: booking.sccEventId },
          UpdateExpression: 'SET notes = :n',
          ExpressionAttributeValues: { ':n': `${sccNotes}\nedit ${round}` },
        }),
      );
    };

    await expect(scrub({ maxAttempts: 3 })).rejects.toBeInstanceOf(ScrubConflict);

    expect(round).toBe(3);
    expect((await sccItem()).notes).toBe(`${sccNotes}\nedit 3`);
    expect(await removedLinesOf(tables.documents, booking.bookingId)).toEqual([]);
  });

  it('after a crash between the SCC write and marking it done, the next run counts the lines removed', async () => {
    await putSccEvent(sccNotes);
    beforeWrite = (command, input) => {
      if (command === 'UpdateItemCommand' && input.TableName === 'charterflow-local-bookings') {
        return Promise.reject(new Error('simulated crash'));
      }
      return Promise.resolve();
    };
    await expect(scrub()).rejects.toThrow('simulated crash');
    expect((await sccItem()).notes).toBe(cleanNotes);
    beforeWrite = undefined;

    expect(await scrub()).toEqual({ outcome: 'clean', linesRemoved: 5, attempts: 1 });
    expect((await removedLinesOf(tables.documents, booking.bookingId))[0]!.lines).toEqual(revenueLines);
  });

  it('a crew event that is not in SCC is an error naming it', async () => {
    await expect(scrub()).rejects.toThrow(CrewEventNotFound);
    await expect(scrub()).rejects.toThrow(`crew event ${booking.sccEventId} of booking ${booking.bookingId}`);
  });
});
