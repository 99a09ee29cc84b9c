import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { removedLinesOf } from '../../../services/scrub/removed-lines';
import { region } from '../../../shared/config';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from '../calendar/support';
import { crewEventCreated } from '../guest-page/support';

/** The scrub consumer subscribed to the local bus, as deployed: CrewEventCreated in, CrewNotesScrubbed out. */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let documents: DynamoDBDocumentClient;

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
});
afterAll(async () => {
  documents?.destroy();
  await env?.stop();
  logs?.restore();
});

async function sccEventFor(bookingId: string, text: string) {
  await documents.send(
    new PutCommand({
      TableName: 'scc-events',
      Item: { eventId: `scc_${bookingId}`, bookingId, calendarEntryId: `cal_${bookingId}`, notes: text, crew: [] },
    }),
  );
}

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
