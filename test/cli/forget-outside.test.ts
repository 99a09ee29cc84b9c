import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Io } from '../../cli/args';
import { forgetHelp, runForget } from '../../cli/forget';
import { bookingsTable } from '../../shared/config';
import { bookingKey, consumerStateKey } from '../../shared/tables';
import { startScrubTables, type ScrubTables } from '../services/scrub/dynamodb';

/**
 * What forget names as still held in systems we do not own. SCC keeps its own log of the requests we sent it
 * (the notes as sent, the renter's note in them, and the prices) and of its answers (the notes with its revenue
 * lines): scrub cleans the crew event's notes, never that log, so the operator is told to ask SCC.
 */

let tables: ScrubTables;

beforeAll(async () => {
  tables = await startScrubTables();
});
afterAll(() => tables?.stop());

const io = (lines: string[]): Io => ({
  out: (l) => lines.push(l),
  err: (l) => lines.push(l),
  rewrite: () => undefined,
  isTTY: false,
});

async function crewHolds(bookingId: string, sccEventId: string, status: 'active' | 'cancelled') {
  await tables.documents.send(
    new PutCommand({
      TableName: bookingsTable(),
      Item: {
        pk: bookingKey(bookingId),
        sk: consumerStateKey('crew'),
        bookingId,
        consumer: 'crew',
        revision: 2,
        held: { sccEventId, calendarEntryId: 'cal_7f3a9c', status, request: { notes: 'Dock B' } },
      },
    }),
  );
}

describe('forget names SCC’s request log among what remains elsewhere', () => {
  it('in its output, for the crew event crew holds, active or cancelled', async () => {
    for (const [bookingId, status] of [
      ['FRGTXY01', 'active'],
      ['FRGTXY02', 'cancelled'],
    ] as const) {
      await crewHolds(bookingId, `scc_${bookingId}`, status);
      const printed: string[] = [];
      expect(await runForget([bookingId, '--yes'], { io: io(printed), documents: tables.documents })).toBe(0);
      const outside = printed.slice(printed.indexOf('Still held outside our tables (ask there, or remove it there):'));
      expect(outside).toContain(
        `  SCC's request log for crew event scc_${bookingId}: every create, update and cancel we sent, with the ` +
          "notes (the renter's note, if any) and the prices, and SCC's answers with the revenue lines",
      );
      expect(outside.some((line) => line.startsWith(`  SCC crew event scc_${bookingId} (${status})`))).toBe(true);
    }
  });

  it('not for a booking SCC never heard of', async () => {
    const printed: string[] = [];
    expect(await runForget(['FRGTXY03', '--yes'], { io: io(printed), documents: tables.documents })).toBe(0);
    expect(printed.join('\n')).not.toContain('SCC');
  });

  it('in its help', () => {
    expect(forgetHelp).toContain("SCC's own request log");
  });
});
