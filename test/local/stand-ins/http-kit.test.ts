import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  checkFaults,
  faultsFromEnv,
  guardedRoutes,
  HttpError,
  noFaults,
  setFaultsAt,
  type RunningStandIn,
  type StandInRequest,
} from '../../../local/stand-ins/http-kit';
import { JADA_CALENDAR_TABLE, jadaCalendarTables, startJadaCalendar } from '../../../local/stand-ins/jada-calendar';
import { postJson, startDynamo } from './support';

const TOKEN = 'jada_fault_token';
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let jada: RunningStandIn;

beforeAll(async () => {
  dynamo = await startDynamo(jadaCalendarTables);
  jada = await startJadaCalendar({
    port: 0,
    dashboardToken: TOKEN,
    documents: dynamo.documents,
    faults: { hangMs: 2_000 },
  });
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
});
const post = (bookingId: string, key = `${bookingId}:r1:BookingReceived`) =>
  postJson(`${jada.url}/entries`, entry(bookingId), { 'x-dashboard-token': TOKEN, 'idempotency-key': key });
const stored = async (bookingId: string) =>
  (await dynamo.scan<{ bookingId: string }>(JADA_CALENDAR_TABLE)).filter((e) => e.bookingId === bookingId);

describe('fault injection on a stand-in', () => {
  it('reads its settings from env vars, per stand-in', () => {
    expect(
      faultsFromEnv('SCC', {
        SCC_FAULT_ERROR_RATE: '0.3',
        SCC_FAULT_TIMEOUT_RATE: '0.05',
        SCC_FAULT_LATENCY_MS: '20',
        JADA_CALENDAR_FAULT_ERROR_RATE: '1',
      }),
    ).toEqual({
      errorRate: 0.3,
      timeoutRate: 0.05,
      latencyMs: 20,
    });
  });

  it.each([
    [{ errorRate: 1.5 }, 'errorRate must be between 0 and 1'],
    [{ latencyMs: -5 }, 'latencyMs must be a non-negative number'],
    [{ errorRatio: 0.1 }, 'unknown fault setting errorRatio'],
  ])('rejects %j with a message naming the setting', (faults, message) => {
    expect(() => checkFaults(faults as never)).toThrow(message);
  });

  it('takes the stand-in down and up again at run time through POST /__faults', async () => {
    const down = await setFaultsAt(jada.url, { errorRate: 1, afterEffectShare: 0 });
    expect(down.errorRate).toBe(1);
    const failed = await post('DOWN001');
    expect(failed.status).toBe(503);
    expect(await stored('DOWN001')).toEqual([]);

    expect(await setFaultsAt(jada.url, 'reset')).toEqual(noFaults);
    expect((await post('DOWN001')).status).toBe(201);
    expect(await stored('DOWN001')).toHaveLength(1);
  });

  it('an error after the effect loses the answer but keeps the write: only the Idempotency-Key saves the retry', async () => {
    await setFaultsAt(jada.url, { errorRate: 1, afterEffectShare: 1 });
    expect((await post('AFTER01')).status).toBe(503);
    expect(await stored('AFTER01')).toHaveLength(1);
    await setFaultsAt(jada.url, 'reset');
    const retried = await post('AFTER01');
    expect(retried.status).toBe(200);
    expect(await stored('AFTER01')).toHaveLength(1);
  });

  it('a timeout holds the answer past the caller’s patience', async () => {
    await setFaultsAt(jada.url, { timeoutRate: 1, afterEffectShare: 0 });
    const error = await fetch(`${jada.url}/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-dashboard-token': TOKEN, 'idempotency-key': 'HANG001' },
      body: JSON.stringify(entry('HANG001')),
      signal: AbortSignal.timeout(200),
    }).catch((e: Error) => e);
    expect((error as Error).name).toBe('TimeoutError');
    await setFaultsAt(jada.url, 'reset');
  });

  it('refuses bad settings on the admin route with a 400', async () => {
    const answer = await postJson(new URL('/__faults', jada.url).href, { timeoutRate: 2 });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('timeoutRate');
  });
});

describe('guarded routes', () => {
  const documents = {} as DynamoDBDocumentClient;
  const request = (token?: string): StandInRequest => ({
    method: 'POST',
    path: '/entries',
    query: new URLSearchParams(),
    headers: token ? { 'x-token': token } : {},
    body: 'not what the route reads',
    params: {},
  });
  const authorize = (r: StandInRequest) =>
    r.headers['x-token'] === 'right' ? Promise.resolve() : Promise.reject(new HttpError(401, 'wrong token'));

  it('check the credential before the route reads anything, and hand the route the tables and the request', async () => {
    const seen: unknown[] = [];
    const [route] = guardedRoutes(
      [
        {
          method: 'POST',
          path: '/entries',
          handle: (docs, r) => {
            seen.push([docs, r.body]);
            return Promise.resolve({ status: 201, body: {} });
          },
        },
      ],
      authorize,
      documents,
    );
    await expect(route!.handle(request('wrong'))).rejects.toMatchObject({ status: 401 });
    expect(seen).toEqual([]);
    expect(await route!.handle(request('right'))).toEqual({ status: 201, body: {} });
    expect(seen).toEqual([[documents, 'not what the route reads']]);
    expect(route).toMatchObject({ method: 'POST', path: '/entries' });
  });
});
