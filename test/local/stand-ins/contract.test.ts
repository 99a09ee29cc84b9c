import { createHash } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractDocument, loadContract, type ContractName } from '../../../local/stand-ins/contract';
import {
  HttpError,
  guardedRoutes,
  type RunningStandIn,
  type StandInRequest,
  type TableRoute,
} from '../../../local/stand-ins/http-kit';
import { jadaCalendarTables, startJadaCalendar } from '../../../local/stand-ins/jada-calendar';
import { sccTables, startScc } from '../../../local/stand-ins/scc';
import { getJson, postJson, startDynamo } from './support';

const TOKEN = 'jada_contract_token_0b7e';
const KEY = 'scc_contract_service_key_c44d';
const jadaAuth = { 'x-dashboard-token': TOKEN };
const sccAuth = { 'x-service-key': createHash('sha256').update(KEY).digest('hex') };
let jadaTables: Awaited<ReturnType<typeof startDynamo>>;
let sccTablesRunning: Awaited<ReturnType<typeof startDynamo>>;
let jada: RunningStandIn;
let scc: RunningStandIn;

beforeAll(async () => {
  jadaTables = await startDynamo(jadaCalendarTables);
  sccTablesRunning = await startDynamo(sccTables);
  jada = await startJadaCalendar({ port: 0, dashboardToken: TOKEN, documents: jadaTables.documents });
  scc = await startScc({ port: 0, serviceKey: KEY, documents: sccTablesRunning.documents });
});
afterAll(async () => {
  await jada?.stop();
  await scc?.stop();
  await jadaTables?.stop();
  await sccTablesRunning?.stop();
});

const entry = {
  bookingId: 'CONTRACT1',
  date: '2026-12-05',
  start: '2026-12-05T17:00:00-08:00',
  durationHours: 3,
  boat: 'JADA',
  partySize: 6,
  title: 'JADA charter, Dana R. (party of 6)',
};
const crewEvent = {
  bookingId: 'CONTRACT2',
  calendarEntryId: 'cal_5e1d',
  title: 'JADA charter CONTRACT2',
  start: '2026-12-05T17:00:00-08:00',
  durationHours: 3,
  boat: 'JADA',
  partySize: 6,
  notes: 'Boatsetter booking CONTRACT2, revision 1\nMeeting point: Shelter Island Marina',
  crew: [{ name: 'Sam Ortiz', role: 'captain' }],
  pricing: { currency: 'USD', bookingTotal: 1450, captainFee: 250, ownerPayout: 982.5 },
};

describe('the contract documents', () => {
  it.each(['jada-calendar', 'scc'] as ContractName[])('%s is a valid OpenAPI 3.1 document', async (name) => {
    const validator = new Validator();
    const result = await validator.validate(contractDocument(name) as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(validator.version).toBe('3.1');
  });

  it('are served, unauthenticated, at GET /openapi.json (SCC under its stage path too)', async () => {
    expect(await getJson(`${jada.url}/openapi.json`)).toEqual({ status: 200, body: contractDocument('jada-calendar') });
    expect(await getJson(`${scc.url}/openapi.json`)).toEqual({ status: 200, body: contractDocument('scc') });
    expect((await getJson(new URL('/openapi.json', scc.url).href)).body).toEqual(contractDocument('scc'));
    expect(jada.calls()).toEqual({});
  });
});

describe('a request off the contract', () => {
  it.each([
    ['a field the contract does not have', { ...entry, notes: 'drift' }, 'requestBody.notes is not in the contract'],
    ['a field of the wrong type', { ...entry, partySize: '6' }, 'requestBody.partySize must be number'],
    ['a start without its offset', { ...entry, start: '5 pm' }, 'requestBody.start must match format "date-time"'],
    ['a missing field', { ...entry, boat: undefined }, 'requestBody.boat is required'],
  ])('is a 400 from JADA naming it, and stores nothing: %s', async (_, body, problem) => {
    const answer = await postJson(`${jada.url}/entries`, body, { ...jadaAuth, 'idempotency-key': `k-${problem}` });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe(
      `request does not match createCalendarEntry in schemas/openapi/jada-calendar.yaml: ${problem}`,
    );
    expect(await jadaTables.scan('jada-calendar-entries')).toEqual([]);
  });

  it('is a 400 from JADA for a find by an empty booking id', async () => {
    const answer = await getJson(`${jada.url}/entries?bookingId=`, jadaAuth);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe(
      'request does not match findCalendarEntries in schemas/openapi/jada-calendar.yaml: query.bookingId must NOT have fewer than 1 characters',
    );
  });

  it('is a 400 from SCC naming it: a crew notice on a create, a crew member of no known role', async () => {
    const answer = await postJson(
      `${scc.url}/events`,
      { ...crewEvent, crew: [{ name: 'Sam Ortiz', role: 'cook' }], crewNotice: { changes: [] } },
      { ...sccAuth, 'idempotency-key': 'k-notice-on-create' },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('createCrewEvent in schemas/openapi/scc.yaml');
    expect(answer.body.message).toContain('requestBody.crewNotice is not in the contract');
    expect(answer.body.message).toContain('requestBody.crew.0.role must be one of captain, deckhand');
    expect(await sccTablesRunning.scan('scc-events')).toEqual([]);
  });

  it('is checked after the credential, as the real API does: a wrong token is a 401 whatever the body', async () => {
    const answer = await postJson(`${jada.url}/entries`, { nonsense: true }, { 'x-dashboard-token': 'wrong' });
    expect(answer.status).toBe(401);
  });

  it('answers 200 when it matches, and the stand-in’s answer matches the contract too', async () => {
    const created = await postJson(`${scc.url}/events`, crewEvent, { ...sccAuth, 'idempotency-key': 'k-good' });
    expect(created.status).toBe(201);
    const found = await getJson(`${jada.url}/entries?bookingId=NONE`, jadaAuth);
    expect(found).toEqual({ status: 200, body: { entries: [] } });
  });
});

describe('a stand-in off the contract', () => {
  const documents = {} as DynamoDBDocumentClient;
  const allowed = () => Promise.resolve();
  const request = (method: string, path: string, body?: unknown): StandInRequest => ({
    method,
    path,
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/json' },
    body,
    params: {},
  });
  /** The JADA routes with one of them answering `answer`; the others are never called here. */
  const jadaRoutesWith = (path: string, answer: () => Promise<{ status: number; body: unknown }>): TableRoute[] => [
    { method: 'GET', path: '/probe', handle: path === '/probe' ? answer : allowedAnswer },
    { method: 'POST', path: '/entries', handle: path === '/entries' ? answer : allowedAnswer },
    { method: 'GET', path: '/entries', handle: allowedAnswer },
    { method: 'PUT', path: '/entries/:entryId', handle: allowedAnswer },
    { method: 'POST', path: '/entries/:entryId/cancel', handle: allowedAnswer },
    { method: 'PUT', path: '/entries/:entryId/conflicts', handle: allowedAnswer },
  ];
  const allowedAnswer = () => Promise.resolve({ status: 200, body: {} });

  it('fails with a 500 naming the field when its answer leaves out what the contract requires', async () => {
    const contract = await loadContract('jada-calendar');
    const routes = guardedRoutes(
      jadaRoutesWith('/entries', () => Promise.resolve({ status: 201, body: { ...entry, status: 'active' } })),
      allowed,
      documents,
      contract,
    );
    const create = routes.find((r) => r.method === 'POST' && r.path === '/entries')!;
    const failure = await create.handle(request('POST', '/entries', entry)).catch((e: HttpError) => e);
    expect(failure).toBeInstanceOf(HttpError);
    expect((failure as HttpError).status).toBe(500);
    expect((failure as HttpError).message).toBe(
      'stand-in answered createCalendarEntry off schemas/openapi/jada-calendar.yaml: response 201.entryId is required',
    );
  });

  it('fails with a 500 when it answers a status the operation does not list', async () => {
    const contract = await loadContract('jada-calendar');
    const routes = guardedRoutes(
      jadaRoutesWith('/probe', () => Promise.reject(new HttpError(409, 'busy'))),
      allowed,
      documents,
      contract,
    );
    const probe = routes.find((r) => r.path === '/probe')!;
    await expect(probe.handle(request('GET', '/probe'))).rejects.toThrow(
      'stand-in answered probe off schemas/openapi/jada-calendar.yaml: status 409 is not one it lists (200, 401, 5XX)',
    );
  });

  it('does not start when it serves a route the document lacks, or lacks one the document has', async () => {
    const contract = await loadContract('jada-calendar');
    const routes = jadaRoutesWith('', allowedAnswer).filter((r) => r.path !== '/entries/:entryId/conflicts');
    routes.push({ method: 'POST', path: '/entries/:entryId/notes', handle: allowedAnswer });
    expect(() => guardedRoutes(routes, allowed, documents, contract)).toThrow(
      'the jada-calendar stand-in and schemas/openapi/jada-calendar.yaml disagree: ' +
        'POST /entries/{entryId}/notes is served but not in the document; ' +
        'PUT /entries/{entryId}/conflicts is in the document but not served',
    );
  });
});
