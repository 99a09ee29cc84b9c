import type { ContractIssue } from '../../shared/contract/validate';
import { jsonResponse, type HttpResult } from '../../shared/http-api';
import type { AcceptedDelivery } from './deliveries';

/** Every answer the webhook gives, and its status, in one place. Bad input is always a 4xx, never a 5xx. */

export type Outcome =
  | 'accepted'
  | 'duplicate'
  | 'stale'
  | 'rejected-too-large'
  | 'rejected-content-type'
  | 'rejected-signature'
  | 'rejected-json'
  | 'rejected-schema'
  | 'conflict'
  | 'busy'
  | 'publish-failed'
  | 'failed';

export interface Answer {
  outcome: Outcome;
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** For the log line only: why, in words an operator can act on (never a value from the body). */
  reason?: string;
  bookingId?: string;
  eventId?: string;
  detailType?: string;
}

export const MAX_BODY_BYTES = 256 * 1024;

export const answers = {
  accepted: (bookingId: string, eventId: string, detailType: string): Answer => ({
    outcome: 'accepted',
    status: 202,
    body: { bookingId, eventId },
    bookingId,
    eventId,
    detailType,
  }),
  /**
   * 202 as the original got: Boatsetter needs a 2xx to stop redelivering. The body says it is a duplicate, and
   * when the original was accepted, so a person re-sending a sample by hand sees why nothing runs.
   */
  duplicate: (original: AcceptedDelivery, reason: string): Answer => ({
    outcome: 'duplicate',
    status: 202,
    body: {
      bookingId: original.bookingId,
      eventId: original.eventId,
      duplicate: true,
      revision: original.revision,
      ...(original.acceptedAt ? { acceptedAt: original.acceptedAt } : {}),
      message:
        `duplicate: revision ${original.revision} of booking ${original.bookingId} was already accepted` +
        `${original.acceptedAt ? ` at ${original.acceptedAt}` : ''} (webhook-id ${original.webhookId}); nothing was emitted`,
    },
    bookingId: original.bookingId,
    eventId: original.eventId,
    reason,
  }),
  /** 2xx on purpose: the fact is outdated, not wrong, and any other status would only make Boatsetter retry it. */
  stale: (bookingId: string, revision: number, acceptedRevision: number): Answer => ({
    outcome: 'stale',
    status: 200,
    body: {
      bookingId,
      stale: true,
      acceptedRevision,
      message: `revision ${revision} is older than revision ${acceptedRevision}, already received; nothing was emitted`,
    },
    bookingId,
    reason: `revision ${revision} older than received revision ${acceptedRevision}`,
  }),
  tooLarge: (bytes: number): Answer => ({
    outcome: 'rejected-too-large',
    status: 413,
    body: { error: `body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES} bytes (256 KB)` },
  }),
  unsupportedContentType: (contentType: string | undefined): Answer => ({
    outcome: 'rejected-content-type',
    status: 415,
    body: { error: 'content-type must be application/json' },
    reason: `content-type ${contentType === undefined ? 'missing' : JSON.stringify(contentType.slice(0, 100))}`,
  }),
  badSignature: (reason: string): Answer => ({
    outcome: 'rejected-signature',
    status: 401,
    body: { error: 'webhook signature verification failed' },
    reason,
  }),
  malformedJson: (): Answer => ({
    outcome: 'rejected-json',
    status: 400,
    body: { error: 'body is not valid JSON', issues: [{ path: '', message: 'not valid JSON' }] },
    reason: 'body is not valid JSON',
  }),
  invalid: (error: string, issues: ContractIssue[], bookingId?: string): Answer => ({
    outcome: 'rejected-schema',
    status: 400,
    body: { error, issues },
    reason: `invalid fields: ${issues.map((i) => i.path || '(root)').join(', ')}`,
    bookingId,
  }),
  conflict: (bookingId: string, revision: number, acceptedAs: string, detailType: string): Answer => ({
    outcome: 'conflict',
    status: 409,
    body: {
      error: `revision ${revision} of booking ${bookingId} was already accepted as ${acceptedAs}; a ${detailType} needs a new revision`,
    },
    bookingId,
  }),
  busy: (bookingId: string, revision: number): Answer => ({
    outcome: 'busy',
    status: 503,
    headers: { 'retry-after': '2' },
    body: { error: `revision ${revision} of booking ${bookingId} is being accepted by a concurrent delivery; retry` },
    bookingId,
  }),
  publishFailed: (bookingId: string, reason: string): Answer => ({
    outcome: 'publish-failed',
    status: 503,
    headers: { 'retry-after': '5' },
    body: { error: `booking ${bookingId} could not be put on the event bus; retry` },
    bookingId,
    reason,
  }),
  failed: (reason: string, bookingId?: string): Answer => ({
    outcome: 'failed',
    status: 503,
    headers: { 'retry-after': '5' },
    body: { error: 'the delivery could not be accepted now; retry' },
    bookingId,
    reason,
  }),
};

export function toHttpResult(answer: Answer): HttpResult {
  return jsonResponse(answer.status, answer.body, answer.headers);
}

/** application/json or any +json type, with or without parameters such as charset. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const mediaType = value.split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType);
}
