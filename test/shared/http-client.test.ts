import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  DownstreamError,
  HttpClient,
  backoffDelay,
  joinUrl,
  parseRetryAfter,
  secretHeaderAuth,
  sha256Hex,
  type CredentialSource,
  type RetrySettings,
} from '../../shared/http-client';
import { createLogger } from '../../shared/logger';

/**
 * The downstream is a real HTTP server on 127.0.0.1 answering from a script, so the client's requests, timeouts
 * and headers are exercised for real; only the backoff sleep is recorded instead of waited.
 */

/** 'stall': headers and half a body, then nothing. */
type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang' | 'stall';
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The client's end of the connection: the same port twice is a kept-alive connection. */
  clientPort: number;
}

let server: Server;
let baseUrl: string;
let script: Answer[];
let seen: Seen[];
let sleeps: number[];
let logs: Record<string, unknown>[];

beforeEach(async () => {
  script = [];
  seen = [];
  sleeps = [];
  logs = [];
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        clientPort: req.socket.remotePort!,
      });
      const answer = script.shift() ?? { status: 200, body: { ok: true } };
      if (answer === 'hang') return;
      if (answer === 'stall') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"entryId":');
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
  // Powertools writes INFO to stdout and WARN/ERROR to stderr: one log, in order, from both.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: any) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      return true;
    });
  }
});

afterEach(async () => {
  vi.restoreAllMocks();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// A timeout far above what the local server takes, even on a loaded machine; the timeout test sets its own.
const settings: RetrySettings = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  timeoutMs: 5_000,
  maxRetryAfterMs: 5_000,
};

class FakeSecrets implements CredentialSource {
  reads = 0;
  invalidations = 0;
  constructor(private readonly values: string[]) {}
  private cached?: string;
  get() {
    if (this.cached === undefined) this.cached = this.values[Math.min(this.reads++, this.values.length - 1)]!;
    return Promise.resolve(this.cached);
  }
  invalidate() {
    this.invalidations++;
    this.cached = undefined;
  }
}

function client(overrides: Partial<RetrySettings> = {}, secrets = new FakeSecrets(['tok-1'])) {
  return new HttpClient({
    service: 'jada-calendar',
    baseUrl: () => baseUrl,
    auth: secretHeaderAuth(secrets, 'charterflow/jada/dashboard-token', 'X-Dashboard-Token'),
    retry: { ...settings, ...overrides },
    logger: createLogger('calendar'),
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
}

const post = {
  operation: 'createCalendarEntry',
  method: 'POST' as const,
  path: '/entries',
  body: { bookingId: 'XHQGMDH' },
  idempotencyKey: 'XHQGMDH:r1:BookingReceived',
  bookingId: 'XHQGMDH',
};

describe('the shared HTTP client', () => {
  it('retries a 5xx with the same Idempotency-Key until it succeeds, logging one line per call', async () => {
    script = [{ status: 503 }, { status: 502 }, { status: 201, body: { entryId: 'cal_1' } }];
    const result = await client().call(post);
    expect(result).toEqual({ status: 201, body: { entryId: 'cal_1' }, attempts: 3 });
    expect(seen.map((s) => s.headers['idempotency-key'])).toEqual(Array(3).fill('XHQGMDH:r1:BookingReceived'));
    expect(seen.every((s) => s.url === '/prod/entries' && s.headers['x-dashboard-token'] === 'tok-1')).toBe(true);
    expect(JSON.parse(seen[0]!.body)).toEqual({ bookingId: 'XHQGMDH' });
    expect(seen[0]!.headers['content-length']).toBe(String(Buffer.byteLength(seen[0]!.body)));
    expect(seen[0]!.headers['transfer-encoding']).toBeUndefined();
    expect(logs.map((l) => [l.attempt, l.status, l.outcome])).toEqual([
      [1, 503, 'retrying'],
      [2, 502, 'retrying'],
      [3, 201, 'ok'],
    ]);
    expect(logs[2]).toMatchObject({
      operation: 'createCalendarEntry',
      targetService: 'jada-calendar',
      method: 'POST',
      path: '/prod/entries',
    });
    expect(typeof logs[2]!.latencyMs).toBe('number');
    expect(sleeps).toHaveLength(2);
  });

  it('gives up after maxAttempts with a DownstreamError naming service, operation, status and booking', async () => {
    script = Array(4).fill({ status: 500, body: { message: 'calendar database unavailable' } });
    const error = await client()
      .call(post)
      .catch((e) => e);
    expect(error).toBeInstanceOf(DownstreamError);
    expect(error).toMatchObject({
      service: 'jada-calendar',
      operation: 'createCalendarEntry',
      status: 500,
      bookingId: 'XHQGMDH',
      attempts: 4,
      retryable: true,
    });
    expect(error.message).toContain('calendar database unavailable');
    expect(seen).toHaveLength(4);
  });

  it.each([400, 404, 409, 422])('never retries a %i', async (status) => {
    script = [{ status, body: { message: 'bad field date' } }];
    const error = await client()
      .call(post)
      .catch((e) => e);
    expect(error).toMatchObject({ name: 'DownstreamError', status, attempts: 1, retryable: false });
    expect(seen).toHaveLength(1);
  });

  it('retries a 429 and waits at least what Retry-After asks', async () => {
    script = [
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 201, body: { entryId: 'cal_2' } },
    ];
    await client().call(post);
    expect(seen).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(2_000);
  });

  it('does not sit out a Retry-After longer than it may wait: the event-level retry comes back later', async () => {
    script = [{ status: 503, headers: { 'retry-after': '3600' } }];
    const error = await client()
      .call(post)
      .catch((e) => e);
    expect(error).toMatchObject({ status: 503, attempts: 1, retryable: true });
    expect(sleeps).toEqual([]);
  });

  it('times a call out and retries it', async () => {
    script = ['hang', { status: 201, body: { entryId: 'cal_3' } }];
    const result = await client({ timeoutMs: 1_000 }).call(post);
    expect(result.attempts).toBe(2);
    expect(logs[0]).toMatchObject({ attempt: 1, status: 0, outcome: 'retrying' });
    expect(String(logs[0]!.message)).toContain('timed out after 1000 ms');
  });

  it('times out a response whose body stalls halfway, and retries it', async () => {
    script = ['stall', { status: 201, body: { entryId: 'cal_6' } }];
    const result = await client({ timeoutMs: 1_000 }).call(post);
    expect(result).toEqual({ status: 201, body: { entryId: 'cal_6' }, attempts: 2 });
    expect(String(logs[0]!.message)).toContain('timed out after 1000 ms');
  });

  it('keeps the connection alive from one call to the next', async () => {
    const c = client();
    await c.call(post);
    await c.call(post);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.clientPort).toBe(seen[0]!.clientPort);
  });

  it('retries network errors and reports them without a status', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const c = new HttpClient({
      service: 'scc',
      baseUrl: () => `http://127.0.0.1:${closed}/prod`,
      retry: { ...settings, maxAttempts: 2 },
      sleep: async () => {},
    });
    const error = await c.call(post).catch((e) => e);
    expect(error).toMatchObject({
      name: 'DownstreamError',
      service: 'scc',
      status: undefined,
      attempts: 2,
      retryable: true,
    });
    expect(error.message).toContain('network error');
  });

  it('on a 401 re-reads its secret once (it may have been rotated) and succeeds with the new one', async () => {
    const secrets = new FakeSecrets(['old-token', 'new-token']);
    script = [{ status: 401 }, { status: 201, body: { entryId: 'cal_4' } }];
    await client({}, secrets).call(post);
    expect(seen.map((s) => s.headers['x-dashboard-token'])).toEqual(['old-token', 'new-token']);
    expect(secrets.invalidations).toBe(1);
  });

  it.each([401, 403])('on a second %i fails for good with a clear error, without backoff retries', async (status) => {
    const secrets = new FakeSecrets(['wrong']);
    script = [{ status }, { status }, { status: 201 }];
    const error = await client({}, secrets)
      .call(post)
      .catch((e) => e);
    expect(error).toMatchObject({ name: 'DownstreamError', status, attempts: 2, retryable: false });
    expect(seen).toHaveLength(2);
    expect(secrets.invalidations).toBe(1);
    const last = logs.at(-1)!;
    expect(last).toMatchObject({ level: 'ERROR', status, outcome: 'failed' });
    expect(String(last.message)).toContain('rejected our credentials');
  });

  it('never logs the credential or the query string', async () => {
    script = [{ status: 200, body: { entries: [] } }];
    const c = new HttpClient({
      service: 'scc',
      baseUrl: () => baseUrl,
      auth: secretHeaderAuth(
        new FakeSecrets(['scc-key-value']),
        'charterflow/scc/service-key',
        'X-Service-Key',
        sha256Hex,
      ),
      retry: settings,
      logger: createLogger('crew'),
    });
    await c.call({
      operation: 'listCrewEvents',
      method: 'GET',
      path: '/events',
      query: { bookingId: 'XHQGMDH', sig: 'abc123' },
    });
    expect(seen[0]!.url).toBe('/prod/events?bookingId=XHQGMDH&sig=abc123');
    expect(seen[0]!.headers['x-service-key']).toBe(sha256Hex('scc-key-value'));
    const out = JSON.stringify(logs);
    expect(out).not.toContain('abc123');
    expect(out).not.toContain('scc-key-value');
    expect(out).not.toContain(sha256Hex('scc-key-value'));
    expect(logs[0]).toMatchObject({ path: '/prod/events' });
  });

  it('stops before the invocation’s deadline with a retryable error instead of being killed mid-call', async () => {
    script = ['hang', 'hang', 'hang'];
    const error = await client({ timeoutMs: 5_000 })
      .call({ ...post, deadline: Date.now() + 150 })
      .catch((e) => e);
    expect(error).toMatchObject({ name: 'DownstreamError', status: undefined, retryable: true });
    expect(error.message).toContain('no time left');
    expect(seen).toHaveLength(1);
  });

  it('never waits a Retry-After past the deadline', async () => {
    script = [
      { status: 503, headers: { 'retry-after': '3' } },
      { status: 201, body: { entryId: 'cal_5' } },
    ];
    await client().call({ ...post, deadline: Date.now() + 2_000 });
    expect(sleeps[0]).toBeLessThanOrEqual(2_000);
  });

  it('refuses a POST without an Idempotency-Key before sending anything', async () => {
    await expect(client().call({ ...post, idempotencyKey: undefined })).rejects.toThrow(/Idempotency-Key/);
    expect(seen).toHaveLength(0);
  });
});

describe('backoff and headers', () => {
  it('full jitter stays between 0 and the capped exponential', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 30 }),
        (base, cap, attempt) => {
          const delay = backoffDelay({ baseDelayMs: base, maxDelayMs: cap }, attempt);
          return delay >= 0 && delay <= Math.min(cap, base * 2 ** (attempt - 1));
        },
      ),
    );
  });

  it.each([
    ['5', 5_000],
    ['0', 0],
    ['Tue, 24 Nov 2026 05:00:10 GMT', 10_000],
    ['soon', undefined],
    [null, undefined],
  ])('reads Retry-After %s as %s ms', (value, expected) => {
    expect(parseRetryAfter(value, Date.parse('2026-11-24T05:00:00Z'))).toBe(expected);
  });

  it.each([
    ['https://abc123.execute-api.us-west-2.amazonaws.com/prod', '/events', '/prod/events'],
    ['https://abc123.execute-api.us-west-2.amazonaws.com/prod/', 'events', '/prod/events'],
    ['http://127.0.0.1:4000', '/entries', '/entries'],
  ])('joins %s and %s keeping the stage path', (base, path, expected) => {
    expect(joinUrl(base, path).pathname).toBe(expected);
  });
});
