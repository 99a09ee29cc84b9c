import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Io } from '../../cli/args';
import { forgetHelp, runForget } from '../../cli/forget';
import { bookingsTable } from '../../shared/config';
import { PrivateRecords } from '../../shared/private-records';
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
    const argv = ['FRGTXY03', '--yes', '--force'];
    expect(await runForget(argv, { io: io(printed), documents: tables.documents })).toBe(0);
    expect(printed.join('\n')).not.toContain('SCC');
  });

  it('in its help', () => {
    expect(forgetHelp).toContain('--force');
    expect(forgetHelp).toContain("SCC's own request log");
  });
});

describe('forget of a booking id the stage never saw', () => {
  it('refuses it, names the id, says how to list recent ones, and records nothing', async () => {
    const printed: string[] = [];
    expect(await runForget(['FRGTTYPO', '--yes'], { io: io(printed), documents: tables.documents })).toBe(1);
    expect(printed.at(-1)).toBe(
      'booking FRGTTYPO was never seen on this stage (not in the bookings table or the ledger); run npx charterflow status without an id to list recent ones, or npx charterflow forget FRGTTYPO --force',
    );
    expect(await new PrivateRecords(tables.documents).isForgotten('FRGTTYPO')).toBe(false);
  });

  it('with --force, records it as forgotten as before', async () => {
    const printed: string[] = [];
    const argv = ['FRGTFORCE', '--yes', '--force'];
    expect(await runForget(argv, { io: io(printed), documents: tables.documents })).toBe(0);
    expect(printed).toContain('Forgot the renter of booking FRGTFORCE:');
    expect(await new PrivateRecords(tables.documents).isForgotten('FRGTFORCE')).toBe(true);
  });

  it('asks first for a booking it knows, and erases nothing on anything but yes', async () => {
    await crewHolds('FRGTASK1', 'scc_FRGTASK1', 'active');
    const lines: string[] = [];
    const questions: string[] = [];
    const ask = (question: string) => {
      questions.push(question);
      return Promise.resolve(false);
    };
    expect(await runForget(['FRGTASK1'], { io: io(lines), ask, documents: tables.documents })).toBe(1);
    expect(questions[0]).toMatch(
      /^Erase the renter's personal data of booking FRGTASK1 from stage \S+\? This cannot be undone\. \[y\/N\] $/,
    );
    expect(lines.at(-1)).toBe('Nothing erased.');
  });

  it('prints where it points first, on stderr', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const split: Io = { out: (l) => out.push(l), err: (l) => err.push(l), rewrite: () => undefined, isTTY: false };
    await runForget(['FRGTTYPO', '--yes'], { io: split, documents: tables.documents });
    expect(err[0]).toMatch(/^target: (local stack http:\/\/127\.0\.0\.1:\d+ \(stage \S+\)|stage \S+ in \S+)$/);
    expect(out).toEqual([]);
  });
});
