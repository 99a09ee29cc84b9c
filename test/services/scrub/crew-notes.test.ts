import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { newReplayName, replayTarget, ruleArnOf, startReplay, waitForReplay } from '../../../cli/operator/replays';
import { type CrewEventFact, DEFAULT_RECHECKS_MS, scrubCrewNotes } from '../../../services/scrub/crew-notes';
import { declaration } from '../../../services/scrub/declaration';
import { removedLinesOf } from '../../../services/scrub/removed-lines';
import { documentClient } from '../../../shared/aws';
import { region } from '../../../shared/config';
import { eventPatternOf } from '../../../shared/declaration';
import { createLogger } from '../../../shared/logger';
import { RevisionLedger } from '../../../shared/revisions';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from '../calendar/support';
import { crewEventCancelled, crewEventCreated, crewEventUpdated } from '../guest-page/support';

/**
 * The scrub consumer subscribed to the local bus, as deployed: every crew event fact (CrewEventCreated,
 * CrewEventUpdated, CrewEventCancelled) in, CrewNotesScrubbed out.
 */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let documents: DynamoDBDocumentClient;
let events: EventBridgeClient;

const notes = (bookingId: string) =>
  [
    `Boatsetter booking ${bookingId}`,
    'Revenue: $1,450.00',
    'Captain Fee: $250.00',
    'Calendar entry: cal_1',
    'Party of 6',
    'Crew Costs: $120.00',
    'Port Fees: $35.00',
    'Your Net: $827.50',
    'Meet at Net Yard dock',
  ].join('\n');

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['scrub']);
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: region(), endpoint: env.stack.endpoints.aws }));
  events = new EventBridgeClient({ region: region(), endpoint: env.stack.endpoints.aws });
});
afterAll(async () => {
  documents?.destroy();
  events?.destroy();
  await env?.stop();
  logs?.restore();
});

/** Writes the whole crew event, as SCC does on every version and when its cancel writes back what it read. */
async function sccEventFor(bookingId: string, text: string, status: 'active' | 'cancelled' = 'active') {
  await documents.send(
    new PutCommand({
      TableName: 'scc-events',
      Item: {
        eventId: `scc_${bookingId}`,
        bookingId,
        calendarEntryId: `cal_${bookingId}`,
        notes: text,
        crew: [],
        status,
      },
    }),
  );
}

/** The revenue lines SCC writes for a bigger party at a higher price. */
const changedRevenue = [
  'Revenue: $1,890.00',
  'Captain Fee: $320.00',
  'Crew Costs: $320.00',
  'Port Fees: $35.00',
  'Your Net: $934.25',
];
const cleanNotes = (bookingId: string) =>
  `Boatsetter booking ${bookingId}\nCalendar entry: cal_1\nParty of 6\nMeet at Net Yard dock`;

const notesOf = async (bookingId: string) =>
  (
    await documents.send(
      new GetCommand({ TableName: 'scc-events', Key: { eventId: `scc_${bookingId}` }, ConsistentRead: true }),
    )
  ).Item!.notes as string;

describe('scrub consumer on the local stack', () => {
  it('scrubs the crew notes on CrewEventCreated and announces CrewNotesScrubbed with the lines removed', async () => {
    const bookingId = uniqueBookingId('S');
    await sccEventFor(bookingId, notes(bookingId));

    await env.publisher.publishOne('CrewEventCreated', crewEventCreated({ bookingId }));
    const scrubbed = await env.eventsOf(bookingId, 'CrewNotesScrubbed');

    expect(await notesOf(bookingId)).toBe(
      `Boatsetter booking ${bookingId}\nCalendar entry: cal_1\nParty of 6\nMeet at Net Yard dock`,
    );
    expect(scrubbed).toHaveLength(1);
    expect(scrubbed[0]!.source).toBe('charterflow.scrub');
    expect(scrubbed[0]!.detail.data).toMatchObject({ sccEventId: `scc_${bookingId}`, linesRemoved: 5 });
    expect(await removedLinesOf(documents, bookingId)).toEqual([
      {
        bookingId,
        sccEventId: `scc_${bookingId}`,
        lines: [
          'Revenue: $1,450.00',
          'Captain Fee: $250.00',
          'Crew Costs: $120.00',
          'Port Fees: $35.00',
          'Your Net: $827.50',
        ],
      },
    ]);
  });

  it('a replayed CrewEventCreated does not scrub twice nor announce twice', async () => {
    const bookingId = uniqueBookingId('S');
    await sccEventFor(bookingId, notes(bookingId));
    const detail = crewEventCreated({ bookingId });
    await env.publisher.publishOne('CrewEventCreated', detail);
    await env.busEvents();
    const clean = await notesOf(bookingId);

    await env.publisher.publishOne('CrewEventCreated', detail);
    await env.busEvents();

    expect(await notesOf(bookingId)).toBe(clean);
    expect(await env.eventsOf(bookingId, 'CrewNotesScrubbed')).toHaveLength(1);
    expect((await removedLinesOf(documents, bookingId))[0]!.lines).toHaveLength(5);
  });

  it('a crash right after the write to SCC is finished by the retry: one announcement, the removed lines kept', async () => {
    const bookingId = uniqueBookingId('S');
    await sccEventFor(bookingId, notes(bookingId));
    // Scrub's own clients, as in its Lambda, dying once right after SCC took the clean notes.
    const client = new DynamoDBClient({ region: region(), endpoint: env.stack.endpoints.aws });
    let crashed = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const input = args.input as { TableName?: string };
        if (!crashed && context.commandName === 'UpdateItemCommand' && input.TableName === 'scc-events') {
          crashed = true;
          throw new Error('the invocation died here');
        }
        return out;
      },
      { step: 'initialize', name: 'crashAfterSccWrite' },
    );
    const ours = documentClient(client);
    const deps = {
      documents: ours,
      revisions: new RevisionLedger(ours),
      publisher: env.publisher,
      logger: createLogger('scrub'),
      rechecks: [],
    };
    const event: CrewEventFact = {
      id: `evt-${bookingId}`,
      detailType: 'CrewEventCreated',
      source: 'charterflow.crew',
      time: new Date().toISOString(),
      detail: crewEventCreated({ bookingId }),
    };

    await expect(scrubCrewNotes(event, deps)).rejects.toThrow('the invocation died here');
    expect(await notesOf(bookingId)).toBe(cleanNotes(bookingId));
    // The decision recorded before the write holds the lines: the notes SCC has now no longer do.
    const pending = await deps.revisions.pendingOf<{ removal?: { lines: string[] } }>(bookingId, 'scrub');
    expect(pending?.plan.removal?.lines).toHaveLength(5);

    expect((await scrubCrewNotes(event, deps)).outcome).toBe('acted');
    client.destroy();
    const scrubbed = await env.eventsOf(bookingId, 'CrewNotesScrubbed');
    expect(scrubbed).toHaveLength(1);
    expect(scrubbed[0]!.detail.data.linesRemoved).toBe(5);
    expect(await deps.revisions.pendingOf(bookingId, 'scrub')).toBeUndefined();
    expect(await removedLinesOf(documents, bookingId)).toEqual([
      { bookingId, sccEventId: `scc_${bookingId}`, lines: expect.arrayContaining(['Revenue: $1,450.00']) },
    ]);
    expect((await removedLinesOf(documents, bookingId))[0]!.lines).toHaveLength(5);
  });

  it('a crew event missing from SCC ends in the dead-letter queue with the reason', async () => {
    const bookingId = uniqueBookingId('S');
    await env.publisher.publishOne('CrewEventCreated', crewEventCreated({ bookingId }));
    await env.busEvents();

    const dead = await env.deadLetters('scrub');
    expect(dead).toHaveLength(1);
    expect(JSON.stringify(dead[0]!.MessageAttributes)).toContain(`crew event scc_${bookingId} of booking ${bookingId}`);
    expect(await env.eventsOf(bookingId, 'CrewNotesScrubbed')).toEqual([]);
  });
});

describe("scrub on every crew event fact, and after SCC's late writes", () => {
  it('is subscribed to CrewEventCreated, CrewEventUpdated and CrewEventCancelled', () => {
    expect(eventPatternOf(declaration)['detail-type']).toEqual([
      'CrewEventCancelled',
      'CrewEventCreated',
      'CrewEventUpdated',
    ]);
  });

  it("scrubs the notes SCC's cancel wrote back, over the ones scrub had cleaned", async () => {
    const bookingId = uniqueBookingId('S');
    await sccEventFor(bookingId, notes(bookingId));
    await env.publisher.publishOne('CrewEventCreated', crewEventCreated({ bookingId }));
    await env.busEvents();
    expect(await notesOf(bookingId)).toBe(cleanNotes(bookingId));

    // SCC's cancel read the item before the scrub, and writes it back whole, marked cancelled.
    await sccEventFor(bookingId, notes(bookingId), 'cancelled');
    await env.publisher.publishOne('CrewEventCancelled', crewEventCancelled({ bookingId, revision: 2 }));
    const scrubbed = await env.eventsOf(bookingId, 'CrewNotesScrubbed');

    expect(await notesOf(bookingId)).toBe(cleanNotes(bookingId));
    expect(scrubbed.map((e) => e.detail.data.booking.revision)).toEqual([1, 2]);
    // The same lines read twice are one removal: kept once, counted once.
    expect(scrubbed[1]!.detail.data.linesRemoved).toBe(5);
    expect((await removedLinesOf(documents, bookingId))[0]!.lines).toHaveLength(5);
  });

  it('re-checks after an update or a cancellation: a write SCC makes after the fact is scrubbed too', async () => {
    const bookingId = uniqueBookingId('S');
    await sccEventFor(bookingId, notes(bookingId));
    await env.publisher.publishOne('CrewEventCreated', crewEventCreated({ bookingId }));
    await env.busEvents();

    // SCC answered the cancel, and writes the item back only now, a moment after CrewEventCancelled.
    await env.publisher.publishOne('CrewEventCancelled', crewEventCancelled({ bookingId, revision: 2 }));
    await sleep(DEFAULT_RECHECKS_MS[0]! / 2);
    const late = [
      `Boatsetter booking ${bookingId}`,
      changedRevenue[0]!,
      changedRevenue[1]!,
      'Calendar entry: cal_1',
      'Party of 6',
      ...changedRevenue.slice(2),
      'Meet at Net Yard dock',
    ].join('\n');
    await sccEventFor(bookingId, late, 'cancelled');
    await env.busEvents();

    expect(await notesOf(bookingId)).toBe(cleanNotes(bookingId));
    const stored = (await removedLinesOf(documents, bookingId)).flatMap((r) => r.lines);
    expect(stored).toEqual(expect.arrayContaining(changedRevenue));
    expect(
      logs.lines.some(
        (line) =>
          line.bookingId === bookingId &&
          line.message === 'SCC wrote revenue lines into the crew notes after they were scrubbed; scrubbed them again',
      ),
    ).toBe(true);
  });

  it('a CrewEventUpdated is re-checked as well', async () => {
    const bookingId = uniqueBookingId('S');
    await sccEventFor(bookingId, cleanNotes(bookingId));
    await env.publisher.publishOne('CrewEventUpdated', crewEventUpdated({ bookingId, revision: 2 }));
    await sleep(DEFAULT_RECHECKS_MS[0]! / 2);
    await sccEventFor(bookingId, notes(bookingId));
    await env.busEvents();

    expect(await notesOf(bookingId)).toBe(cleanNotes(bookingId));
    expect((await removedLinesOf(documents, bookingId))[0]!.lines).toHaveLength(5);
  });

  it('a CrewEventCancelled delivered twice scrubs once and announces once', async () => {
    const bookingId = uniqueBookingId('S');
    await sccEventFor(bookingId, notes(bookingId), 'cancelled');
    const detail = crewEventCancelled({ bookingId, revision: 2 });
    await env.publisher.publishOne('CrewEventCancelled', detail);
    await env.busEvents();
    await env.publisher.publishOne('CrewEventCancelled', detail);
    await env.busEvents();

    expect(await notesOf(bookingId)).toBe(cleanNotes(bookingId));
    expect(await env.eventsOf(bookingId, 'CrewNotesScrubbed')).toHaveLength(1);
    expect((await removedLinesOf(documents, bookingId))[0]!.lines).toHaveLength(5);
    expect(await env.deadLetters('scrub')).toEqual([]);
  });

  it('an archive replay of a scrubbed cancellation reads nothing again and writes nothing', async () => {
    const from = new Date(Date.now() - 1000);
    const bookingId = uniqueBookingId('S');
    await sccEventFor(bookingId, notes(bookingId), 'cancelled');
    await env.publisher.publishOne('CrewEventCancelled', crewEventCancelled({ bookingId, revision: 2 }));
    await env.busEvents();
    // Put back by hand after the scrub: a replay that scrubbed or re-checked would take it out again.
    await sccEventFor(bookingId, notes(bookingId), 'cancelled');

    const name = newReplayName('replay', 'scrub');
    const window = { from, to: new Date() };
    await startReplay(events, await replayTarget(events), {
      name,
      window,
      ruleArns: [await ruleArnOf(events, 'scrub')],
    });
    expect((await waitForReplay(events, name, { window, intervalMs: 25 })).State).toBe('COMPLETED');
    await env.busEvents();

    expect(await notesOf(bookingId)).toBe(notes(bookingId));
    expect(await env.eventsOf(bookingId, 'CrewNotesScrubbed')).toHaveLength(1);
  });
});
