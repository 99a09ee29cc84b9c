import type { BookingSnapshot } from './contract/events';
import type { Logger } from './logger';
import type { Change, RevisionLedger, RevisionOutcome } from './revisions';

/** What a consumer keeps of its system's hold on a booking: live, or let go after a cancellation. */
export interface Hold {
  /** 'active' / 'published' while the system holds the booking; anything else once it was let go. */
  status: string;
}

export interface Lifecycle<H extends Hold> {
  consumer: string;
  /** The status of a hold the system still has (a calendar entry 'active', a guest page 'published'). */
  live: H['status'];
  /** Whether this event tells of a cancellation. */
  cancels: boolean;
  /** Whether the event is an archive replay, most likely of a revision already applied: checked by a read first. */
  replayed?: boolean;
  /** Brings the system to this revision when it holds the booking, or creates it when it does not. */
  keep: (live: H | undefined, held: H | undefined) => Promise<Change<H>>;
  /** Lets the booking go in the system (only called while the system holds it live). */
  cancel: (live: H) => Promise<Change<H>>;
}

/**
 * The booking lifecycle every consumer that keeps a system in step shares: latest revision wins (RevisionLedger),
 * a cancellation of a booking the system never held, or already let go, leaves a tombstone and calls nothing,
 * and everything else is the consumer's own keep or cancel.
 */
export function applyLatest<H extends Hold>(
  { revisions, logger }: { revisions: RevisionLedger; logger: Logger },
  booking: Pick<BookingSnapshot, 'bookingId' | 'revision'>,
  lifecycle: Lifecycle<H>,
): Promise<{ outcome: RevisionOutcome; held: H | undefined }> {
  return revisions.apply<H>(
    { bookingId: booking.bookingId, consumer: lifecycle.consumer, revision: booking.revision },
    (held) => {
      const live = held?.status === lifecycle.live ? held : undefined;
      if (!lifecycle.cancels) return lifecycle.keep(live, held);
      if (live) return lifecycle.cancel(live);
      logger.info(`cancellation of a booking ${lifecycle.consumer} does not hold; kept as a tombstone`, {
        revision: booking.revision,
      });
      return Promise.resolve({ held });
    },
    logger,
    { readFirst: lifecycle.replayed },
  );
}
