import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { text as readText } from 'node:stream/consumers';
import { createLogger, type Logger } from './logger';
import { recordDownstreamLatency } from './metrics';
import { setTimeout as sleep } from 'node:timers/promises';
import { fullJitter } from './backoff';
import { atCrashPoint } from './crash-points';

/**
 * The one way our consumers call a downstream HTTP API (JADA calendar, ShipCaptainCrew). Own code over a
 * library because the rules are ours: which failures are retried, the Idempotency-Key on every POST, one
 * log line per call in the operator's words, and a credential re-read on 401/403.
 */

/** Where a credential comes from: SecretCache fits (get + invalidate). */
export interface CredentialSource {
  get(name: string): Promise<string>;
  invalidate(name: string): void;
}

/** The headers that authenticate us to one service, and a way to re-read them after a rejection. */
export interface AuthProvider {
  headers(): Promise<Record<string, string>>;
  /** Forget the cached credential (it may have been rotated), so the next headers() re-reads it. */
  refresh(): Promise<void> | void;
}

/**
 * One secret sent in one header, optionally transformed first (SCC wants the hex SHA-256 of its key).
 * Each service gets its own provider and secret, on purpose: rotating one never touches the other.
 */
export function secretHeaderAuth(
  secrets: CredentialSource,
  secretName: string,
  header: string,
  transform: (secret: string) => string = (secret) => secret,
): AuthProvider {
  return {
    headers: async () => ({ [header]: transform(await secrets.get(secretName)) }),
    refresh: () => secrets.invalidate(secretName),
  };
}

export const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

export interface RetrySettings {
  /** Attempts per call, counting the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  /** A Retry-After longer than this is not waited for here: the event-level retry comes back later. */
  maxRetryAfterMs: number;
}

export const defaultRetrySettings: RetrySettings = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  timeoutMs: 5_000,
  maxRetryAfterMs: 20_000,
};

/** Retry settings from the environment (the local stack and tests shorten them; Lambda keeps the defaults). */
export function retrySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RetrySettings {
  const num = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`configuration ${name} must be a non-negative number, got ${raw}`);
    return value;
  };
  return {
    maxAttempts: Math.max(1, num('CHARTERFLOW_HTTP_MAX_ATTEMPTS', defaultRetrySettings.maxAttempts)),
    baseDelayMs: num('CHARTERFLOW_HTTP_BASE_DELAY_MS', defaultRetrySettings.baseDelayMs),
    maxDelayMs: num('CHARTERFLOW_HTTP_MAX_DELAY_MS', defaultRetrySettings.maxDelayMs),
    timeoutMs: num('CHARTERFLOW_HTTP_TIMEOUT_MS', defaultRetrySettings.timeoutMs),
    maxRetryAfterMs: num('CHARTERFLOW_HTTP_MAX_RETRY_AFTER_MS', defaultRetrySettings.maxRetryAfterMs),
  };
}

/** A downstream call failed for good. Says which service, which operation, which booking and what came back. */
export class DownstreamError extends Error {
  override readonly name = 'DownstreamError';
  constructor(
    readonly service: string,
    readonly operation: string,
    /** HTTP status, or undefined when no response came (network error, timeout). */
    readonly status: number | undefined,
    readonly bookingId: string | undefined,
    readonly attempts: number,
    readonly reason: string,
    /** True when a later event-level retry may succeed (5xx, 429, timeouts); false for 4xx. */
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(
      `${service} ${operation} failed${bookingId ? ` for booking ${bookingId}` : ''}: ` +
        `${status === undefined ? reason : `HTTP ${status} ${reason}`} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
      options,
    );
  }
}

export interface HttpClientOptions {
  /** The target service as the operator names it: 'jada-calendar', 'scc'. */
  service: string;
  /** Read on every call, so configuration set after module load (local stack, tests) is seen. */
  baseUrl: () => string;
  auth?: AuthProvider;
  retry?: Partial<RetrySettings> | (() => RetrySettings);
  logger?: Logger;
  /** Injected by tests of the backoff only; waits for real otherwise. */
  sleep?: (ms: number) => Promise<void>;
}

/** What a service's API call carries from the event it serves: the key a retry reuses, whose booking, its time. */
export interface CallContext {
  idempotencyKey: string;
  bookingId: string;
  logger: Logger;
  /** Epoch ms by which the call must be over. */
  deadline?: number;
}

/** The call context of a downstream call made for an event: its idempotency key and booking, the invocation's logger and time. */
export function callContextOf(
  event: { detail: { metadata: { idempotencyKey: string }; data: { booking: { bookingId: string } } } },
  invocation: { logger: Logger; deadline?: number },
): CallContext {
  return {
    idempotencyKey: event.detail.metadata.idempotencyKey,
    bookingId: event.detail.data.booking.bookingId,
    logger: invocation.logger,
    deadline: invocation.deadline,
  };
}

export interface CallOptions {
  /** What we are doing, in the operator's words: 'createCalendarEntry', 'createCrewEvent'. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT';
  /** Path relative to the base URL (the base may carry a stage path such as /prod). */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Required on POST: the event's metadata.idempotencyKey, so a retry cannot create a second resource. */
  idempotencyKey?: string;
  bookingId?: string;
  /** The invocation's logger (it carries the booking id on every line). */
  logger?: Logger;
  /**
   * Epoch ms by which the call must be over (the Lambda's remaining time less a margin): no attempt or wait
   * runs past it, so the invocation fails with a DownstreamError (and is retried) instead of being killed.
   */
  deadline?: number;
}

export interface CallResult<T> {
  status: number;
  body: T;
  attempts: number;
}

type AttemptOutcome =
  | { kind: 'response'; response: IncomingMessage; text: string }
  | { kind: 'failure'; reason: string; cause?: unknown };

/**
 * node:http and node:https rather than fetch: the AWS SDK has loaded them already, while the first fetch
 * loads undici, about 17 ms of a Lambda's first event. One keep-alive agent per protocol, made on first use,
 * as the SDK's NodeHttpHandler does.
 */
const agents: { http?: HttpAgent; https?: HttpsAgent } = {};
function transportFor(url: URL) {
  if (url.protocol === 'https:') {
    agents.https ??= new HttpsAgent({ keepAlive: true });
    return { send: httpsRequest, agent: agents.https };
  }
  agents.http ??= new HttpAgent({ keepAlive: true });
  return { send: httpRequest, agent: agents.http };
}

export class HttpClient {
  private readonly logger: Logger;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: HttpClientOptions) {
    this.logger = options.logger ?? createLogger('http-client');
    this.sleep = options.sleep ?? ((ms) => sleep(ms));
  }

  private settings(): RetrySettings {
    const retry = this.options.retry;
    if (typeof retry === 'function') return retry();
    return { ...retrySettingsFromEnv(), ...retry };
  }

  /** One call, retries included; a crash point before and after it when a test plans crashes. */
  call<T = unknown>(call: CallOptions): Promise<CallResult<T>> {
    return atCrashPoint(`${this.options.service} ${call.operation}`, () => this.callWithRetries<T>(call));
  }

  private async callWithRetries<T>(call: CallOptions): Promise<CallResult<T>> {
    if (call.method !== 'GET' && !call.idempotencyKey) {
      throw new Error(`${this.options.service} ${call.operation}: a ${call.method} needs an Idempotency-Key`);
    }
    const settings = this.settings();
    const url = joinUrl(this.options.baseUrl(), call.path, call.query);
    const logger = call.logger ?? this.logger;
    const fail = (status: number | undefined, attempts: number, reason: string, retryable: boolean, cause?: unknown) =>
      new DownstreamError(this.options.service, call.operation, status, call.bookingId, attempts, reason, retryable, {
        cause,
      });

    let credentialsReRead = false;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const timeoutMs = Math.min(
        settings.timeoutMs,
        call.deadline === undefined ? Infinity : call.deadline - Date.now(),
      );
      if (timeoutMs <= 0) throw fail(undefined, attempt - 1, 'no time left in this invocation', true);
      const outcome = await this.attempt(call, url, timeoutMs);
      const latencyMs = performance.now() - started;
      // Each attempt is time the invocation waited downstream: the running invocation's downstreamLatency.
      recordDownstreamLatency(latencyMs);
      const line = {
        operation: call.operation,
        targetService: this.options.service,
        method: call.method,
        path: url.pathname,
        attempt,
        latencyMs: Math.round(latencyMs),
      };

      if (outcome.kind === 'failure') {
        const last = attempt >= settings.maxAttempts;
        logger[last ? 'error' : 'warn'](`${this.options.service} ${call.operation}: ${outcome.reason}`, {
          ...line,
          status: 0,
          outcome: last ? 'failed' : 'retrying',
        });
        if (last) throw fail(undefined, attempt, outcome.reason, true, outcome.cause);
        await this.sleep(this.within(call, backoffDelay(settings, attempt)));
        continue;
      }

      const { response, text } = outcome;
      const status = response.statusCode!;
      if (status >= 200 && status < 300) {
        logger.info(`${this.options.service} ${call.operation}: ${status}`, { ...line, status, outcome: 'ok' });
        return {
          status,
          body: parseBody<T>(text, () => fail(status, attempt, 'response is not JSON', false)),
          attempts: attempt,
        };
      }

      const reason = `${response.statusMessage || 'error'}${errorDetail(text)}`;
      if ((status === 401 || status === 403) && this.options.auth && !credentialsReRead) {
        // The secret may have been rotated since we cached it: re-read it once, then give up for good.
        logger.warn(`${this.options.service} ${call.operation}: ${status}; re-reading credentials once`, {
          ...line,
          status,
          outcome: 'credentials-rejected',
        });
        credentialsReRead = true;
        await this.options.auth.refresh();
        continue;
      }

      const retryable = status === 429 || status >= 500;
      const retryAfterMs = parseRetryAfter(response.headers['retry-after'] ?? null);
      const waitTooLong = retryAfterMs !== undefined && retryAfterMs > settings.maxRetryAfterMs;
      const last = !retryable || attempt >= settings.maxAttempts || waitTooLong;
      if (last) {
        const message =
          status === 401 || status === 403
            ? `${this.options.service} rejected our credentials (HTTP ${status}) even after re-reading the secret; check that the secret matches what ${this.options.service} expects`
            : `${this.options.service} ${call.operation}: HTTP ${status}`;
        logger.error(message, { ...line, status, outcome: 'failed', reason });
        throw fail(status, attempt, reason, retryable);
      }
      logger.warn(`${this.options.service} ${call.operation}: ${status}; retrying`, {
        ...line,
        status,
        outcome: 'retrying',
      });
      await this.sleep(this.within(call, Math.max(retryAfterMs ?? 0, backoffDelay(settings, attempt))));
    }
  }

  /** A wait cut short at the deadline (the next attempt then finds no time left and fails cleanly). */
  private within(call: CallOptions, delayMs: number): number {
    return call.deadline === undefined ? delayMs : Math.max(0, Math.min(delayMs, call.deadline - Date.now()));
  }

  private async attempt(call: CallOptions, url: URL, timeoutMs: number): Promise<AttemptOutcome> {
    const headers: Record<string, string> = { accept: 'application/json', ...(await this.options.auth?.headers()) };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    // A length, as fetch sent one: not every API gateway takes a chunked request body.
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const signal = AbortSignal.timeout(timeoutMs);
    const { send, agent } = transportFor(url);
    try {
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const request = send(url, { method: call.method, headers, agent, signal }, resolve);
        request.on('error', reject);
        request.end(body);
      });
      // Reading the body is part of the call (the request's signal covers it until the response ends): a
      // response that stalls mid-body is a timeout too.
      return { kind: 'response', response, text: await readText(response) };
    } catch (error) {
      // Whichever error the abort surfaced as (the request's or the response's), the time was up.
      if (signal.aborted) return { kind: 'failure', reason: `timed out after ${timeoutMs} ms`, cause: error };
      const { code, message } = error as NodeJS.ErrnoException;
      return { kind: 'failure', reason: `network error: ${code ?? message}`, cause: error };
    }
  }
}

/** The wait after attempt number `attempt` (from 1): full jitter (shared/backoff.ts) within the call's settings. */
export function backoffDelay(settings: Pick<RetrySettings, 'baseDelayMs' | 'maxDelayMs'>, attempt: number): number {
  return fullJitter(settings.baseDelayMs, attempt - 1, settings.maxDelayMs);
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Joins a path onto a base that may carry its own path (API Gateway's /prod stage), keeping both. */
export function joinUrl(base: string, path: string, query?: Record<string, string>): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
  return url;
}

function parseBody<T>(text: string, onError: () => Error): T {
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw onError();
  }
}

/** The downstream's own error message, if it sent one, so the DLQ entry says what it said. */
function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    const message = body.message ?? body.error;
    return typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

/** What a downstream's GET /probe answers: its name and that it is up (the contract in schemas/openapi/). */
export interface ProbeAnswer {
  service: string;
  ok: true;
}

/**
 * The harmless authenticated call both JADA and SCC answer (GET /probe): the credential is good and the service
 * answers. Changes nothing.
 */
export async function probeOf(
  client: HttpClient,
  service: string,
  context: Partial<CallContext> = {},
): Promise<ProbeAnswer> {
  const { body } = await client.call<Partial<ProbeAnswer>>({
    operation: 'probe',
    method: 'GET',
    path: '/probe',
    ...context,
  });
  return probeAnswerOf(service, body);
}

/** The probe's answer, checked: a clear error naming the service when it is not the one expected, or not ok. */
export function probeAnswerOf(service: string, body: Partial<ProbeAnswer> | undefined): ProbeAnswer {
  if (body?.service !== service || body.ok !== true) {
    throw new Error(`${service} probe: expected {"service":"${service}","ok":true}, got ${JSON.stringify(body)}`);
  }
  return { service, ok: true };
}
