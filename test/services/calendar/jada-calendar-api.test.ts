import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jadaCalendarApi,
  type CalendarEntryRequest,
  type JadaCalendarApi,
} from '../../../services/calendar/jada-calendar-api';
import { createLogger } from '../../../shared/logger';
import { loadContract } from '../../../local/stand-ins/contract';
import { callsAt, type RunningStandIn } from '../../../local/stand-ins/http-kit';
import { jadaCalendarTables, startJadaCalendar } from '../../../local/stand-ins/jada-calendar';
import { getJson, startDynamo } from '../../local/stand-ins/support';

const TOKEN = 'jada_probe_token_7d21';
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

/** The client as a consumer builds it, its dashboard token from a secret source that holds `token`. */
const client = (token: string) =>
  jadaCalendarApi(
    { get: () => Promise.resolve(token), invalidate: () => undefined },
    { baseUrl: () => jada.url, retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } },
  );

describe('the JADA calendar probe', () => {
  it('answers 200 {"service":"jada-calendar","ok":true} to the right dashboard token', async () => {
    await expect(client(TOKEN).probe()).resolves.toEqual({ service: 'jada-calendar', ok: true });
    const answer = await getJson(`${jada.url}/probe`, { 'x-dashboard-token': TOKEN });
    expect(answer).toEqual({ status: 200, body: { service: 'jada-calendar', ok: true } });
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { 'x-dashboard-token': 'jada_old_token' }],
  ])('answers 401 to %s, naming the header', async (_, headers) => {
    const answer = await getJson(`${jada.url}/probe`, headers);
    expect(answer.status).toBe(401);
    expect(answer.body.message).toContain('X-Dashboard-Token');
  });

  it('fails in the client with an error naming jada-calendar and the 401 when the token is wrong', async () => {
    await expect(client('jada_old_token').probe()).rejects.toThrow(
      /^jada-calendar probe failed: HTTP 401 .*X-Dashboard-Token/,
    );
  });

  it('changes nothing: no entry is stored by any number of probes', async () => {
    for (let i = 0; i < 3; i++) await client(TOKEN).probe();
    expect(await dynamo.scan('jada-calendar-entries')).toEqual([]);
    expect(await dynamo.scan('jada-calendar-requests')).toEqual([]);
  });
});

describe('jadaCalendarApi against schemas/openapi/jada-calendar.yaml', () => {
  const logger = createLogger('contract-test');
  const bookingId = 'XCONTRACT1';
  const context = (step: string) => ({ idempotencyKey: `${bookingId}:${step}`, bookingId, logger });
  const request: CalendarEntryRequest = {
    bookingId,
    date: '2026-12-05',
    start: '2026-12-05T17:00:00-08:00',
    durationHours: 3,
    boat: 'JADA',
    partySize: 6,
    title: 'JADA charter, Dana R. (party of 6)',
  };

  it('makes only calls the document has, each answered 2xx, and calls every operation it has', async () => {
    const api = client(TOKEN);
    let entryId = '';
    // Typed by the client's own methods: a new method does not compile until it is driven here too.
    const drive: Record<keyof JadaCalendarApi, () => Promise<unknown>> = {
      probe: () => api.probe({ logger }),
      createEntry: async () => {
        entryId = (await api.createEntry(request, context('r1:BookingReceived'))).entryId;
      },
      findEntries: async () => expect(await api.findEntries(bookingId, { bookingId, logger })).toHaveLength(1),
      listEntries: async () => expect(await api.listEntries({ logger })).toHaveLength(1),
      updateEntry: () => api.updateEntry(entryId, { ...request, partySize: 8 }, context('r2:BookingModified')),
      markConflicts: () => api.markConflicts(entryId, ['XOTHER0001'], context('r2:CalendarConflictDetected')),
      cancelEntry: () => api.cancelEntry(entryId, context('r3:BookingCancelled')),
    };
    await callsAt(jada.url, true);
    for (const call of Object.values(drive)) await call();
    expect(Object.keys(drive).sort()).toEqual(Object.keys(api).sort());

    const contract = await loadContract('jada-calendar');
    const template = (route: string) => route.replace(/:(\w+)/g, '{$1}');
    expect(new Set(Object.keys(jada.calls()).map(template))).toEqual(
      new Set(contract.operations.map((operation) => `${operation.method} ${operation.path}`)),
    );
  });
});
