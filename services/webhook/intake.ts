import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { BoatsetterWebhookPayload } from '../../shared/contract-validators.generated';
import { issuesOf } from '../../shared/contract/validate';
import { secretNames } from '../../shared/config';
import { headerOf, rawBodyOf, type HttpEvent, type HttpResult } from '../../shared/http-api';
import type { Logger } from '../../shared/logger';
import type { PrivateRecords } from '../../shared/private-records';
import type { Publisher } from '../../shared/publisher';
import { SecretNotFound, type SecretCache } from '../../shared/secrets';
import { bookingDetailsOf, bookingEventOf, detailTypeOf, typeStatusIssues } from './booking';
import type { AcceptedDelivery, Deliveries, RevisionKey } from './deliveries';
import { answers, isJsonContentType, MAX_BODY_BYTES, toHttpResult, type Answer } from './responses';
import { parseSecrets, verifySignature } from './signature';

export interface WebhookDependencies {
  secrets: SecretCache;
  deliveries: Deliveries;
  publisher: Publisher;
  privateRecords: PrivateRecords;
  secretName?: string;
  now?: () => Date;
}

/** A failed signature re-reads a secret older than this, so a just-rotated secret works before the TTL ends. */
const RE_READ_SECRET_AFTER_MS = 30_000;
const WEBHOOK_ID = /^[\x21-\x7e]{1,256}$/;

/**
 * Answers one delivery. The checks run cheapest first and never parse what is not yet trusted (size and
 * content type need no secret and spare an HMAC over a huge body; JSON is parsed only once it is genuine):
 * size (413) -> content type (415) -> signature over the raw bytes (401) -> JSON (400) -> schema and
 * type/status agreement (400) -> the booking's correlation id and latest revision (one write) -> older than
 * a revision already arrived (200, nothing emitted; 202 if it is a redelivery of an accepted one) -> claim of
 * the booking revision (a duplicate, by webhook-id or by revision, is answered here) -> the private record (what the event must not carry) -> PutEvents
 * (503 if either fails) -> 202.
 * A concurrent duplicate (same webhook-id, or same booking revision) waits for the delivery that claimed the
 * revision: 202 with that delivery's event id once it is on the bus; if that delivery's PutEvents failed, the
 * duplicate takes the claim and publishes itself; still unsettled after the wait (5 s): 503 with Retry-After.
 */
export async function answerDelivery(
  event: HttpEvent,
  deps: WebhookDependencies,
  /** Epoch ms at which this invocation ends: a claim of the revision must not outlive it. */
  until?: number,
): Promise<Answer> {
  const raw = rawBodyOf(event);
  if (raw.length > MAX_BODY_BYTES) return answers.tooLarge(raw.length);
  const contentType = headerOf(event, 'content-type');
  if (!isJsonContentType(contentType)) return answers.unsupportedContentType(contentType);

  const body = raw.toString('utf8');
  const signed = {
    'webhook-id': headerOf(event, 'webhook-id'),
    'webhook-timestamp': headerOf(event, 'webhook-timestamp'),
    'webhook-signature': headerOf(event, 'webhook-signature'),
  };
  const secretName = deps.secretName ?? secretNames.webhookSecret;
  let check = verifySignature(body, signed, parseSecrets(await deps.secrets.get(secretName)));
  // Only a wrong signature (the package's message for it) can be cured by a newer secret; a stale timestamp cannot.
  if (!check.ok && check.reason === 'No matching signature found') {
    const fresher = await deps.secrets.get(secretName, { maxAgeMs: RE_READ_SECRET_AFTER_MS });
    check = verifySignature(body, signed, parseSecrets(fresher));
  }
  // Boatsetter's secret first: a delivery it signs is a real booking whatever it contains. Only one that the
  // smoke key signs, and Boatsetter's does not, is synthetic.
  const synthetic = !check.ok && (await signedWithSmokeKey(body, signed, deps));
  if (!check.ok && !synthetic) return answers.badSignature(check.reason);
  const webhookId = signed['webhook-id']!;
  if (!WEBHOOK_ID.test(webhookId)) return answers.badSignature('webhook-id is not 1 to 256 visible ASCII characters');

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return answers.malformedJson();
  }
  const parsed = BoatsetterWebhookPayload().safeParse(json);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    const bookingId = bookingIdOf(json);
    const summary = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    return answers.invalid(`invalid booking payload: ${summary}`.slice(0, 1000), issues, bookingId);
  }
  const payload = parsed.data;
  const mismatch = typeStatusIssues(payload);
  if (mismatch.length > 0) {
    const summary = mismatch.map((i) => `${i.path}: ${i.message}`).join('; ');
    return answers.invalid(`invalid booking payload: ${summary}`, mismatch, payload.data.booking_id);
  }
  if (synthetic && !payload.data.booking_id.startsWith(SYNTHETIC_ID_PREFIX)) {
    const issue = { path: 'data.booking_id', message: `a synthetic booking's id starts with ${SYNTHETIC_ID_PREFIX}` };
    return answers.invalid(
      `invalid booking payload: ${issue.path}: ${issue.message}`,
      [issue],
      payload.data.booking_id,
    );
  }
  const key: RevisionKey = {
    bookingId: payload.data.booking_id,
    revision: payload.data.revision,
    detailType: detailTypeOf(payload.type),
  };

  const booking = await deps.deliveries.arrive(key.bookingId, key.revision, webhookId);
  if (booking.latestRevision > key.revision) {
    // A redelivery of a revision accepted before the newer one is a duplicate, answered with its own event id.
    const accepted = await deps.deliveries.acceptedRevision(key);
    if (accepted) return answers.duplicate(accepted, duplicateReason(accepted, webhookId));
    return answers.stale(key.bookingId, key.revision, booking.latestRevision);
  }

  const claim = await deps.deliveries.claimRevision(key, webhookId, until);
  switch (claim.kind) {
    case 'accepted':
      return answers.duplicate(claim.delivery, duplicateReason(claim.delivery, webhookId));
    case 'conflict':
      return answers.conflict(key.bookingId, key.revision, claim.acceptedAs, key.detailType);
    case 'busy':
      return answers.busy(key.bookingId, key.revision);
  }

  let eventId: string;
  try {
    // Before the event: a consumer that reads the record by the event's key must find it.
    await deps.privateRecords.write(key.bookingId, key.revision, bookingDetailsOf(payload));
    const outgoing = bookingEventOf(payload, {
      webhookId,
      correlationId: booking.correlationId,
      occurredAt: (deps.now ?? nowDate)(),
      ...(synthetic ? { synthetic } : {}),
    });
    eventId = await deps.publisher.publishOne(outgoing.detailType, outgoing.detail);
  } catch (error) {
    // Nothing went out: give the claim back so Boatsetter's retry is accepted, not answered as a duplicate.
    await deps.deliveries.release(key, claim.token);
    return answers.publishFailed(key.bookingId, describe(error));
  }
  await deps.deliveries.markEmitted(key, eventId);
  return answers.accepted(key.bookingId, eventId, key.detailType);
}

const nowDate = () => new Date();

const duplicateReason = (original: AcceptedDelivery, webhookId: string) =>
  original.webhookId === webhookId
    ? 'webhook-id already accepted'
    : `revision already accepted from ${original.webhookId}`;

/**
 * The smoke key signs only synthetic bookings, and those only under ids of their own, so that even the key's
 * holder cannot make a real booking's change look synthetic.
 */
export const SYNTHETIC_ID_PREFIX = 'SMOKE';

/** Whether the smoke key signed this delivery. A stage without the key (not deployed yet) has no synthetic bookings. */
async function signedWithSmokeKey(
  body: string,
  signed: Record<string, string | undefined>,
  deps: WebhookDependencies,
): Promise<boolean> {
  let key: string;
  try {
    key = (await deps.secrets.get(secretNames.smokeSigningKey)).trim();
  } catch (error) {
    if (error instanceof SecretNotFound || (error as Error)?.name === 'ResourceNotFoundException') return false;
    throw error;
  }
  return key !== '' && verifySignature(body, signed, [key], 'raw').ok;
}

function bookingIdOf(json: unknown): string | undefined {
  const id = (json as { data?: { booking_id?: unknown } } | null)?.data?.booking_id;
  return typeof id === 'string' && /^[A-Z0-9]{1,32}$/.test(id) ? id : undefined;
}

function describe(error: unknown): string {
  const e = error as Error;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`.slice(0, 500);
}

/**
 * The one log line per request (status, outcome, ids, latency), and the mapping of an Answer to the HTTP
 * result. An unexpected failure (Secrets Manager or DynamoDB down) is a 503, so Boatsetter retries.
 */
function answerAndLog(logger: Logger): MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  const started = new WeakMap<object, number>();
  const log = (event: HttpEvent, answer: Answer, startedAt: number) => {
    const fields = {
      outcome: answer.outcome,
      status: answer.status,
      bookingId: answer.bookingId,
      webhookId: headerOf(event, 'webhook-id')?.slice(0, 256),
      eventId: answer.eventId,
      detailType: answer.detailType,
      reason: answer.reason,
      latencyMs: Math.round(performance.now() - startedAt),
    };
    const message = `webhook delivery ${answer.outcome}`;
    if (answer.status >= 500) logger.error(message, fields);
    else if (answer.status >= 400) logger.warn(message, fields);
    else logger.info(message, fields);
  };
  return {
    before: (request) => {
      started.set(request, performance.now());
    },
    after: (request) => {
      const answer = answerOf(request.context);
      if (answer) log(request.event, answer, started.get(request) ?? performance.now());
    },
    onError: (request) => {
      const answer = answers.failed(describe(request.error));
      log(request.event, answer, started.get(request) ?? performance.now());
      request.response = toHttpResult(answer);
    },
  };
}

/** Each invocation's Answer, for the middlewares that log and count it: the handler returns its HTTP form. */
const answered = new WeakMap<Context, Answer>();
export const answerOf = (context: Context): Answer | undefined => answered.get(context);

export function createWebhookHandler(deps: WebhookDependencies, logger: Logger) {
  return middy<HttpEvent, HttpResult, Error, Context>()
    .use(answerAndLog(logger))
    .handler(async (event, context) => {
      const answer = await answerDelivery(event, deps, Date.now() + context.getRemainingTimeInMillis());
      answered.set(context, answer);
      return toHttpResult(answer);
    });
}
