import { listenOnLoopback } from '../listen';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand, PutCommand, paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { secretsManagerClient } from '../../shared/aws';
import { isConditionFailure } from '../../shared/errors';
import type { Contract } from './contract';

/**
 * The kit every stand-in is built from: the HTTP front (JSON in and out, a tiny router, calls counted per route,
 * and fault injection: errors, added latency, timeouts, set by env vars or start options and changeable at run
 * time through the admin route POST /__faults, so a test or the bench can take a downstream "down for a while"),
 * the credential a stand-in expects, and its Idempotency-Key rules for creates and updates.
 */

export interface Faults {
  /** Share of requests (0..1) answered with `errorStatus`. */
  errorRate: number;
  errorStatus: number;
  /** Latency added to every request, in ms. */
  latencyMs: number;
  /** Share of requests (0..1) that hang for `hangMs` before the answer comes (past the client's timeout). */
  timeoutRate: number;
  hangMs: number;
  /**
   * Share of injected errors and timeouts that strike after the request took effect (the write is done,
   * the answer is lost), the case only an Idempotency-Key protects against.
   */
  afterEffectShare: number;
}

export const noFaults: Faults = {
  errorRate: 0,
  errorStatus: 503,
  latencyMs: 0,
  timeoutRate: 0,
  hangMs: 10_000,
  afterEffectShare: 0.5,
};

const envNames: Record<keyof Faults, string> = {
  errorRate: 'FAULT_ERROR_RATE',
  errorStatus: 'FAULT_ERROR_STATUS',
  latencyMs: 'FAULT_LATENCY_MS',
  timeoutRate: 'FAULT_TIMEOUT_RATE',
  hangMs: 'FAULT_HANG_MS',
  afterEffectShare: 'FAULT_AFTER_EFFECT_SHARE',
};

/** Faults from `<PREFIX>_FAULT_ERROR_RATE`, `<PREFIX>_FAULT_LATENCY_MS`, ... (prefix JADA_CALENDAR or SCC). */
export function faultsFromEnv(prefix: string, env: NodeJS.ProcessEnv = process.env): Partial<Faults> {
  const faults: Partial<Faults> = {};
  for (const [key, suffix] of Object.entries(envNames) as [keyof Faults, string][]) {
    const raw = env[`${prefix}_${suffix}`];
    if (raw !== undefined && raw !== '') faults[key] = Number(raw);
  }
  return checkFaults(faults);
}

/** Rejects nonsense (rates outside 0..1, negative times) with a message naming the field. */
export function checkFaults(faults: Partial<Faults>): Partial<Faults> {
  for (const [key, value] of Object.entries(faults)) {
    if (!(key in noFaults)) throw new Error(`unknown fault setting ${key}`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`fault setting ${key} must be a non-negative number, got ${String(value)}`);
    }
    if (key.endsWith('Rate') || key.endsWith('Share')) {
      if (value > 1) throw new Error(`fault setting ${key} must be between 0 and 1, got ${value}`);
    }
  }
  return faults;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface StandInRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** Path parameters matched by the route (`:id`). */
  params: Record<string, string>;
}

export interface StandInResponse {
  status: number;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  /** Relative to the stand-in's base path; `:name` matches one segment. */
  path: string;
  handle(request: StandInRequest): Promise<StandInResponse>;
}

/** A route that works on the stand-in's tables: what it does once the caller's credential is checked. */
export interface TableRoute extends Pick<Route, 'method' | 'path'> {
  handle(documents: DynamoDBDocumentClient, request: StandInRequest): Promise<StandInResponse>;
  /**
   * A window the local stack's tests look through (the invitations SCC mailed, say), outside the contract:
   * charterflow never calls it, so it is not checked against the document.
   */
  inspection?: true;
}

/**
 * The routes as served: each checks the caller's credential first, as the real API does. With a contract, every
 * other route is an operation of it: the request is checked against the document (a 400 naming what is wrong,
 * so a client drifting from the contract fails at once) and so is the stand-in's own answer (a 500 naming it,
 * so a stand-in drifting from the contract fails too).
 */
export function guardedRoutes(
  routes: readonly TableRoute[],
  authorize: (request: StandInRequest) => Promise<void>,
  documents: DynamoDBDocumentClient,
  contract?: Contract,
): Route[] {
  if (contract) checkRoutesAgainst(contract, routes);
  return routes.map(({ method, path, handle, inspection }) => ({
    method,
    path,
    handle: async (request) => {
      await authorize(request);
      if (!contract || inspection) return handle(documents, request);
      const operationId = contract.operationOf(request.method, request.path)!;
      const wrong = contract.requestProblems(request);
      if (wrong.length > 0)
        throw new HttpError(400, `request does not match ${operationId} in ${contract.file}: ${wrong.join('; ')}`);
      let answer: StandInResponse;
      try {
        answer = await handle(documents, request);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        answer = { status: error.status, body: { message: error.message } };
      }
      const off = contract.responseProblems(operationId, answer.status, answer.body);
      if (off.length > 0)
        throw new HttpError(500, `stand-in answered ${operationId} off ${contract.file}: ${off.join('; ')}`);
      return answer;
    },
  }));
}

/** The stand-in serves exactly the document's operations (besides its inspection routes): a mismatch stops its start. */
function checkRoutesAgainst(contract: Contract, routes: readonly TableRoute[]) {
  const template = (path: string) => path.replace(/:(\w+)/g, '{$1}');
  const served = routes.filter((route) => !route.inspection).map((route) => `${route.method} ${template(route.path)}`);
  const documented = contract.operations.map((operation) => `${operation.method} ${operation.path}`);
  const undocumented = served.filter((route) => !documented.includes(route));
  const unserved = documented.filter((operation) => !served.includes(operation));
  if (undocumented.length > 0 || unserved.length > 0) {
    throw new Error(
      `the ${contract.name} stand-in and ${contract.file} disagree: ` +
        [
          ...undocumented.map((route) => `${route} is served but not in the document`),
          ...unserved.map((operation) => `${operation} is in the document but not served`),
        ].join('; '),
    );
  }
}

export interface ServeOptions {
  name: string;
  port: number;
  /** A path prefix all routes live under (SCC's API Gateway stage, /prod). */
  basePath?: string;
  routes: Route[];
  /** Admin routes (`/__name`): outside the base path and never faulted. */
  adminRoutes?: Route[];
  faults?: Partial<Faults>;
  /** The contract its routes keep: served, unauthenticated, at GET /openapi.json (under the base path too). */
  contract?: Contract;
}

export interface RunningStandIn {
  url: string;
  /** Requests that reached a route (faulted or not), by "METHOD /route/:param": what tests count downstream calls by. */
  calls(): Record<string, number>;
  faults(): Faults;
  setFaults(faults: Partial<Faults>): void;
  stop(): Promise<void>;
}

export async function serveStandIn(options: ServeOptions): Promise<RunningStandIn> {
  let faults: Faults = { ...noFaults, ...checkFaults(options.faults ?? {}) };
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const timers = new Set<NodeJS.Timeout>();
  const calls: Record<string, number> = {};
  let stopped = false;
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || stopped) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    void handle(req, res).catch((error) => {
      if (!res.headersSent && !res.destroyed)
        send(res, 500, { message: `${options.name}: ${(error as Error).message}` });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const raw = await readBody(req);

    // The admin route is outside the stage path and never faulted: a test must always be able to heal it.
    if (url.pathname === '/__calls') {
      if (req.method === 'DELETE') for (const route of Object.keys(calls)) delete calls[route];
      return send(res, 200, calls);
    }
    if (url.pathname === '/__faults') {
      if (req.method === 'POST') {
        try {
          faults = { ...faults, ...checkFaults(JSON.parse(raw || '{}')) };
        } catch (error) {
          return send(res, 400, { message: (error as Error).message });
        }
      } else if (req.method === 'DELETE') faults = { ...noFaults };
      return send(res, 200, faults);
    }
    if (
      options.contract &&
      req.method === 'GET' &&
      (url.pathname === '/openapi.json' || url.pathname === `${basePath}/openapi.json`)
    ) {
      return send(res, 200, options.contract.document);
    }
    const admin = matchRoute(options.adminRoutes ?? [], req.method ?? 'GET', url.pathname);
    if (admin) {
      try {
        const answer = await admin.route.handle({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: raw === '' ? undefined : JSON.parse(raw),
          params: admin.params,
        });
        return send(res, answer.status, answer.body);
      } catch (error) {
        return send(res, error instanceof HttpError ? error.status : 400, { message: (error as Error).message });
      }
    }

    if (!url.pathname.startsWith(`${basePath}/`) && url.pathname !== basePath) {
      return send(res, 404, { message: `${options.name}: no route for ${url.pathname}` });
    }
    const path = url.pathname.slice(basePath.length) || '/';
    const match = matchRoute(options.routes, req.method ?? 'GET', path);
    if (!match) return send(res, 404, { message: `${options.name}: no route for ${req.method} ${path}` });
    const routeName = `${match.route.method} ${match.route.path}`;
    calls[routeName] = (calls[routeName] ?? 0) + 1;

    const current = faults;
    await wait(current.latencyMs);
    const roll = Math.random();
    const fault: 'error' | 'timeout' | undefined =
      roll < current.errorRate ? 'error' : roll < current.errorRate + current.timeoutRate ? 'timeout' : undefined;
    const afterEffect = fault !== undefined && Math.random() < current.afterEffectShare;

    if (fault && !afterEffect) return inject(res, fault, current);

    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      return send(res, 400, { message: 'request body is not JSON' });
    }
    let answer: StandInResponse;
    try {
      answer = await match.route.handle({
        method: req.method ?? 'GET',
        path,
        query: url.searchParams,
        headers: req.headers,
        body,
        params: match.params,
      });
    } catch (error) {
      if (error instanceof HttpError) answer = { status: error.status, body: { message: error.message } };
      else throw error;
    }
    if (fault) return inject(res, fault, current);
    send(res, answer.status, answer.body);
  }

  async function inject(res: ServerResponse, fault: 'error' | 'timeout', current: Faults) {
    if (fault === 'timeout') {
      await wait(current.hangMs);
      if (res.destroyed) return;
    }
    send(res, current.errorStatus, { message: `${options.name}: injected fault (${fault})` });
  }

  const listening = await listenOnLoopback(server, options.port);

  return {
    url: `${listening.url}${basePath}`,
    calls: () => ({ ...calls }),
    faults: () => faults,
    setFaults: (next) => {
      faults = { ...faults, ...checkFaults(next) };
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await listening.close();
    },
  };
}

/** The calls a running stand-in has served, by route (see RunningStandIn.calls); `reset` zeroes them. */
export async function callsAt(standInUrl: string, reset = false): Promise<Record<string, number>> {
  const response = await fetch(new URL('/__calls', standInUrl), { method: reset ? 'DELETE' : 'GET' });
  if (!response.ok) throw new Error(`stand-in at ${standInUrl}: /__calls answered ${response.status}`);
  return (await response.json()) as Record<string, number>;
}

/** Changes a running stand-in's faults through its admin route (from a test or the bench, by URL). */
export async function setFaultsAt(standInUrl: string, faults: Partial<Faults> | 'reset'): Promise<Faults> {
  const url = new URL('/__faults', standInUrl);
  const response = await fetch(url, {
    method: faults === 'reset' ? 'DELETE' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: faults === 'reset' ? undefined : JSON.stringify(faults),
  });
  if (!response.ok)
    throw new Error(`setting faults at ${url.pathname} failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as Faults;
}

function matchRoute(routes: Route[], method: string, path: string) {
  const segments = path.split('/').filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((part, i) => {
      if (part.startsWith(':')) {
        params[part.slice(1)] = decodeURIComponent(segments[i]!);
        return true;
      }
      return part === segments[i];
    });
    if (ok) return { route, params };
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown) {
  if (res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A header's single value (Node gives string[] for repeated headers). */
export function header(request: StandInRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export interface CredentialOptions {
  /** Given at start: wins over everything. */
  value?: string;
  /** Env var holding it (JADA_DASHBOARD_TOKEN, SCC_SERVICE_KEY). */
  envVar: string;
  /** Else the same local Secrets Manager the stack seeds, read once on first use (like a Lambda env var). */
  secretName: string;
  /** How the secret is read; the local Secrets Manager through the SDK unless given. */
  readSecret?: (name: string) => Promise<string>;
}

async function readFromSecretsManager(name: string): Promise<string> {
  const secrets = secretsManagerClient();
  try {
    return (await secrets.send(new GetSecretValueCommand({ SecretId: name }))).SecretString ?? '';
  } finally {
    secrets.destroy();
  }
}

/**
 * The credential a stand-in expects. Read once and kept, like the real services keep theirs in their
 * environment; `set` changes it at run time (admin route POST /__credential) to play a rotation.
 */
export function expectedCredential(options: CredentialOptions) {
  let current: Promise<string> | undefined = options.value !== undefined ? Promise.resolve(options.value) : undefined;
  return {
    get(): Promise<string> {
      const fromEnv = process.env[options.envVar];
      if (!current && fromEnv) current = Promise.resolve(fromEnv);
      if (!current) {
        current = (options.readSecret ?? readFromSecretsManager)(options.secretName).catch((error) => {
          current = undefined;
          throw new HttpError(500, `cannot read ${options.secretName}: ${(error as Error).message}`);
        });
      }
      return current;
    },
    set(value: string) {
      current = Promise.resolve(value);
    },
    adminRoute(): Route {
      return {
        method: 'POST',
        path: '/__credential',
        handle: (request) => {
          const value = (request.body as { value?: unknown } | undefined)?.value;
          if (typeof value !== 'string' || value === '')
            throw new HttpError(400, 'body must be {"value": "<new credential>"}');
          current = Promise.resolve(value);
          return Promise.resolve({ status: 204, body: undefined });
        },
      };
    },
  };
}

/** Constant-time comparison of a presented credential with the expected one. */
export function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * A resource id derived from the Idempotency-Key, so "one resource per key" is a conditional put on the
 * table's own key: race-free between concurrent retries, and durable across a stand-in restart.
 */
export function idFromIdempotencyKey(prefix: string, key: string): string {
  return `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
}

/** A fingerprint of the request, to refuse an Idempotency-Key reused for a different request (as Stripe does). */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** The table where a stand-in keeps the answers to keyed update requests (key: idempotencyKey). */
export const requestsTable = (name: string): CreateTableCommandInput => ({
  TableName: name,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: 'idempotencyKey', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'idempotencyKey', KeyType: 'HASH' }],
});

/**
 * Idempotency-Key for a request that changes an existing resource: the first answer is kept and replayed
 * to a retry with the same key and body; the same key with another body is a 422. Without a key, `run` runs.
 */
export async function onceForKey(
  documents: DynamoDBDocumentClient,
  table: string,
  request: StandInRequest,
  run: () => Promise<StandInResponse>,
): Promise<StandInResponse> {
  const idempotencyKey = header(request, 'idempotency-key');
  if (!idempotencyKey) return run();
  const scope = `${request.method} ${request.path}`;
  const hash = requestHash({ scope, body: request.body });
  const { Item } = await documents.send(
    new GetCommand({ TableName: table, Key: { idempotencyKey }, ConsistentRead: true }),
  );
  if (Item) {
    if (Item.requestHash !== hash) throw new HttpError(422, 'Idempotency-Key was already used for a different request');
    return Item.response as StandInResponse;
  }
  const response = await run();
  if (response.status < 300) {
    await documents.send(new PutCommand({ TableName: table, Item: { idempotencyKey, requestHash: hash, response } }));
  }
  return response;
}

/** Every item of a stand-in's table, or those whose attributes equal `equals` (a scan: stand-in tables are small). */
export async function scanWhere<T>(
  documents: DynamoDBDocumentClient,
  table: string,
  equals: Record<string, string> = {},
): Promise<T[]> {
  const names = Object.keys(equals);
  const items: T[] = [];
  const pages = paginateScan(
    { client: documents },
    {
      TableName: table,
      ...(names.length > 0
        ? {
            FilterExpression: names.map((_, i) => `#k${i} = :v${i}`).join(' AND '),
            ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#k${i}`, n])),
            ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, equals[n]])),
          }
        : {}),
    },
  );
  for await (const page of pages) items.push(...((page.Items ?? []) as T[]));
  return items;
}

/**
 * One resource per Idempotency-Key: a conditional put on the resource's id (derived from the key), so concurrent
 * retries create one. A retry gets the stored resource back (created: false); the same key with another request
 * is a 422, as the real APIs answer.
 */
export async function createOnce<T extends { requestHash: string }>(
  documents: DynamoDBDocumentClient,
  table: string,
  idAttribute: keyof T & string,
  item: T,
  what: string,
): Promise<{ stored: T; created: boolean }> {
  try {
    await documents.send(
      new PutCommand({ TableName: table, Item: item, ConditionExpression: `attribute_not_exists(${idAttribute})` }),
    );
    return { stored: item, created: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const { Item } = await documents.send(
    new GetCommand({ TableName: table, Key: { [idAttribute]: item[idAttribute] }, ConsistentRead: true }),
  );
  const stored = Item as T;
  if (stored.requestHash !== item.requestHash)
    throw new HttpError(422, `Idempotency-Key was already used for a different ${what}`);
  return { stored, created: false };
}
