import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sccApi, type CrewEventRequest, type SccApi } from '../../../services/crew/scc-api';
import { createLogger } from '../../../shared/logger';
import { loadContract } from '../../../local/stand-ins/contract';
import { callsAt, type RunningStandIn } from '../../../local/stand-ins/http-kit';
import { sccTables, startScc } from '../../../local/stand-ins/scc';
import { getJson, startDynamo } from '../../local/stand-ins/support';

const KEY = 'scc_probe_service_key_52c0';
const hashed = (v: string) => createHash('sha256').update(v).digest('hex');
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let scc: RunningStandIn;

beforeAll(async () => {
  dynamo = await startDynamo(sccTables);
  scc = await startScc({ port: 0, serviceKey: KEY, documents: dynamo.documents });
});
afterAll(async () => {
  await scc?.stop();
  await dynamo?.stop();
});

/** The client as a consumer builds it, its service key from a secret source that holds `key`. */
const client = (key: string) =>
  sccApi(
    { get: () => Promise.resolve(key), invalidate: () => undefined },
    { baseUrl: () => scc.url, retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } },
  );

describe('the SCC probe', () => {
  it('answers 200 {"service":"scc","ok":true} to the hashed service key', async () => {
    await expect(client(KEY).probe()).resolves.toEqual({ service: 'scc', ok: true });
    const answer = await getJson(`${scc.url}/probe`, { 'x-service-key': hashed(KEY) });
    expect(answer).toEqual({ status: 200, body: { service: 'scc', ok: true } });
  });

  it.each([
    ['no key', {}],
    ['the raw key instead of its SHA-256', { 'x-service-key': KEY }],
    ['the hash of another key', { 'x-service-key': hashed('scc_old_key') }],
  ])('answers 401 to %s, naming the header', async (_, headers) => {
    const answer = await getJson(`${scc.url}/probe`, headers);
    expect(answer.status).toBe(401);
    expect(answer.body.message).toContain('X-Service-Key');
  });

  it('fails in the client with an error naming scc and the 401 when the key is wrong', async () => {
    await expect(client('scc_old_key').probe()).rejects.toThrow(/^scc probe failed: HTTP 401 .*X-Service-Key/);
  });

  it('changes nothing: no event, invitation or notice is stored by any number of probes', async () => {
    for (let i = 0; i < 3; i++) await client(KEY).probe();
    for (const { TableName } of sccTables) expect(await dynamo.scan(TableName!)).toEqual([]);
  });
});

describe('sccApi against schemas/openapi/scc.yaml', () => {
  const logger = createLogger('contract-test');
  const bookingId = 'XCONTRACT2';
  const context = (step: string) => ({ idempotencyKey: `${bookingId}:${step}`, bookingId, logger });
  const request: CrewEventRequest = {
    bookingId,
    calendarEntryId: 'cal_contract2',
    title: 'JADA charter, Dana R. (party of 6)',
    start: '2026-12-05T17:00:00-08:00',
    durationHours: 3,
    boat: 'JADA',
    partySize: 6,
    notes: 'Boatsetter booking XCONTRACT2, revision 1\nMeeting point: Shelter Island Marina',
    crew: [
      { name: 'Sam Ortiz', role: 'captain' },
      { name: 'Tess Quinn', role: 'deckhand' },
    ],
    pricing: { currency: 'USD', bookingTotal: 1450, captainFee: 250, ownerPayout: 982.5 },
  };

  it('makes only calls the document has, each answered 2xx, and calls every operation it has', async () => {
    const api = client(KEY);
    let eventId = '';
    // Typed by the client's own methods: a new method does not compile until it is driven here too.
    const drive: Record<keyof SccApi, () => Promise<unknown>> = {
      probe: () => api.probe({ logger }),
      createEvent: async () => {
        eventId = (await api.createEvent(request, context('r1:CalendarEntryCreated'))).eventId;
      },
      updateEvent: async () => {
        const changed = { ...request, partySize: 8 };
        const notice = { changes: [{ field: 'partySize', before: '6', after: '8' }] };
        await api.updateEvent(eventId, changed, notice, context('r2:CalendarEntryUpdated'));
        await api.updateEvent(eventId, { ...changed, notes: `${changed.notes}\nNo alcohol` }, undefined, context('r3'));
      },
      cancelEvent: () => api.cancelEvent(eventId, context('r4:CalendarEntryCancelled')),
    };
    await callsAt(scc.url, true);
    for (const call of Object.values(drive)) await call();
    expect(Object.keys(drive).sort()).toEqual(Object.keys(api).sort());

    const contract = await loadContract('scc');
    const template = (route: string) => route.replace(/:(\w+)/g, '{$1}');
    expect(new Set(Object.keys(scc.calls()).map(template))).toEqual(
      new Set(contract.operations.map((operation) => `${operation.method} ${operation.path}`)),
    );
  });
});
