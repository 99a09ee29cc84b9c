import type { ConsumedEvent } from '../../shared/consumer';
import type { DetailType } from '../../shared/contract/events';

/** What guest-mail notes about one event: the booking, the step, and the ids that tie the chain together. */
export interface GuestMailNote {
  bookingId: string;
  revision: number;
  detailType: DetailType;
  eventId: string;
  correlationId: string;
  causationId: string;
  occurredAt: string;
  replayed: boolean;
}

export function guestMailNote<T extends DetailType>(event: ConsumedEvent<T>): GuestMailNote {
  const { metadata, data } = event.detail;
  return {
    bookingId: metadata.bookingId,
    revision: data.booking.revision,
    detailType: event.detailType,
    eventId: event.id,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    occurredAt: metadata.occurredAt,
    replayed: event.replayName !== undefined,
  };
}
