import { SCHEMA_VERSION } from '../contract-validators.generated';
import type { BookingSnapshot, DetailType, EventMetadata } from './events';

/** Stable across Boatsetter's retries and our replays of the same fact: one key per booking revision and type. */
export function idempotencyKeyOf(bookingId: string, revision: number, detailType: DetailType): string {
  return `${bookingId}:r${revision}:${detailType}`;
}

/** The event a consumer reacts to, as far as the metadata of what it emits next depends on it. */
export interface Cause {
  /** EventBridge event id of the cause. */
  id: string;
  detail: { metadata: EventMetadata; data: { booking: BookingSnapshot } };
}

/** Metadata of the event a consumer emits in reaction to `cause`: same booking and correlation, caused by it. */
export function followUpMetadata(cause: Cause, detailType: DetailType, now = new Date()): EventMetadata {
  const { metadata, data } = cause.detail;
  return {
    bookingId: metadata.bookingId,
    correlationId: metadata.correlationId,
    causationId: cause.id,
    schemaVersion: SCHEMA_VERSION,
    occurredAt: now.toISOString(),
    idempotencyKey: idempotencyKeyOf(data.booking.bookingId, data.booking.revision, detailType),
    ...(metadata.receivedAt ? { receivedAt: metadata.receivedAt } : {}),
    ...(metadata.synthetic ? { synthetic: true } : {}),
  };
}
