import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sccApi } from '../../../services/crew/scc-api';
import type { RunningStandIn } from '../../../local/stand-ins/http-kit';
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
