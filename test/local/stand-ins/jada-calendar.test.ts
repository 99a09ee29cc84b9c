import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JADA_CALENDAR_TABLE,
  jadaCalendarTables,
  startJadaCalendar,
  type CalendarEntry,
} from '../../../local/stand-ins/jada-calendar';
import type { RunningStandIn } from '../../../local/stand-ins/http-kit';
import { getJson, postJson, startDynamo } from './support';

const TOKEN = 'jada_test_token_4f1c';
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let jada: RunningStandIn;

beforeAll(async () => {
  dynamo = await startDynamo(jadaCalendarTables);
  jada = await startJadaCalendar({ port: 0, dashboardToken: TOKEN, documents: dynamo.documents });
});
afterAll(async () => {
  await jada?.stop();
  await dynamo?.stop();
});

const entry = (bookingId: string) => ({
  bookingId,
  date: '2026-12-05',
  start: '2026-12-05T17:00:00-08:00',
  durationHours: 3,
  boat: 'JADA',
  partySize: 6,
  title: 'JADA charter, Dana R. (party of 6)',
});
const auth = { 'x-dashboard-token': TOKEN };
const entriesOf = async (bookingId: string) =>
  (await dynamo.scan<CalendarEntry>(JADA_CALENDAR_TABLE)).filter((e) => e.bookingId === bookingId);

describe('the JADA calendar stand-in', () => {
  it.each([
    ['no token', {}],
    ['a wrong token', { 'x-dashboard-token': 'jada_old_token' }],
  ])('answers 401 to %s and stores nothing', async (_, headers) => {
    const answer = await postJson(`${jada.url}/entries`, entry('AUTH401'), { ...headers, 'idempotency-key': 'k-401' });
    expect(answer.status).toBe(401);
    expect(answer.body.message).toContain('X-Dashboard-Token');
    expect(await entriesOf('AUTH401')).toEqual([]);
    expect((await getJson(`${jada.url}/entries`, headers)).status).toBe(401);
  });

  it('stores an entry in jada-calendar-entries and lists it with GET', async () => {
    const answer = await postJson(`${jada.url}/entries`, entry('XHQGMDH'), {
      ...auth,
      'idempotency-key': 'XHQGMDH:r1:BookingReceived',
    });
    expect(answer.status).toBe(201);
    expect(answer.body.entryId).toMatch(/^cal_/);
    const [stored, ...more] = await entriesOf('XHQGMDH');
    expect(more).toEqual([]);
    expect(stored).toMatchObject({
      entryId: answer.body.entryId,
      bookingId: 'XHQGMDH',
      start: '2026-12-05T17:00:00-08:00',
      durationHours: 3,
      date: '2026-12-05',
      boat: 'JADA',
      partySize: 6,
    });
    expect(stored!.idempotencyKey).toBe('XHQGMDH:r1:BookingReceived');

    const listed = await getJson(`${jada.url}/entries?bookingId=XHQGMDH`, auth);
    expect(listed.body.entries.map((e: CalendarEntry) => e.entryId)).toEqual([answer.body.entryId]);
    const one = await getJson(`${jada.url}/entries/${answer.body.entryId}`, auth);
    expect(one.body).toMatchObject({ bookingId: 'XHQGMDH' });
    expect((await getJson(`${jada.url}/entries/cal_missing`, auth)).status).toBe(404);
  });

  it('honours Idempotency-Key: a repeat, concurrent or after a restart, returns the first entry', async () => {
    const send = () =>
      postJson(`${jada.url}/entries`, entry('IDEMP01'), { ...auth, 'idempotency-key': 'IDEMP01:r1:BookingReceived' });
    const answers = await Promise.all([send(), send(), send(), send()]);
    const ids = new Set(answers.map((a) => a.body.entryId));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);

    await jada.stop();
    jada = await startJadaCalendar({ port: 0, dashboardToken: TOKEN, documents: dynamo.documents });
    const afterRestart = await send();
    expect(afterRestart.status).toBe(200);
    expect(afterRestart.body.entryId).toBe([...ids][0]);
    expect(await entriesOf('IDEMP01')).toHaveLength(1);
  });

  it('refuses an Idempotency-Key reused for a different entry', async () => {
    await postJson(`${jada.url}/entries`, entry('REUSE01'), { ...auth, 'idempotency-key': 'shared-key' });
    const other = await postJson(`${jada.url}/entries`, entry('REUSE02'), { ...auth, 'idempotency-key': 'shared-key' });
    expect(other.status).toBe(422);
    expect(await entriesOf('REUSE02')).toEqual([]);
  });

  it('without an Idempotency-Key, every POST is a new entry (why callers must send one)', async () => {
    await postJson(`${jada.url}/entries`, entry('NOKEY01'), auth);
    await postJson(`${jada.url}/entries`, entry('NOKEY01'), auth);
    expect(await entriesOf('NOKEY01')).toHaveLength(2);
  });

  it('answers 400 naming every bad field', async () => {
    const answer = await postJson(
      `${jada.url}/entries`,
      { bookingId: 'BAD0001', date: '12/05/2026', durationHours: -1 },
      { ...auth, 'idempotency-key': 'bad' },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('createCalendarEntry in schemas/openapi/jada-calendar.yaml');
    for (const field of ['requestBody.date', 'requestBody.start', 'durationHours', 'boat', 'partySize'])
      expect(answer.body.message).toContain(field);
    expect(await entriesOf('BAD0001')).toEqual([]);
  });

  it('accepts a rotated token set through its admin route, and only that one', async () => {
    const rotate = await postJson(new URL('/__credential', jada.url).href, { value: 'jada_rotated' });
    expect(rotate.status).toBe(204);
    expect((await getJson(`${jada.url}/entries?bookingId=ROT0001`, auth)).status).toBe(401);
    const rotated = await getJson(`${jada.url}/entries?bookingId=ROT0001`, { 'x-dashboard-token': 'jada_rotated' });
    expect(rotated).toEqual({ status: 200, body: { entries: [] } });
    await postJson(new URL('/__credential', jada.url).href, { value: TOKEN });
  });
});
