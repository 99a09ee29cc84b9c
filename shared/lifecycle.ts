import type { BookingSnapshot, DetailType, EventMetadata } from './contract/events';
import { followUpMetadata, type Cause } from './contract/metadata';
import type { Logger } from './logger';
import type { Decision, Outbox, RevisionLedger, RevisionOutcome } from './revisions';
import { gateShut } from './shadow';

/** What a consumer keeps of its system's hold on a booking: live, or let go after a cancellation. */
export interface Hold {
  /** 'active' / 'published' while the system holds the booking; anything else once it was let go. */
  status: string;
  /**
   * Set when the hold was decided behind a shut shadow gate: the system never got those writes (a `shadow-` id,
   * an entry believed updated), so once the gate opens the hold is not believed.
   */
  keptBack?: boolean;
}

export interface Lifecycle<H extends Hold, P> {
  consumer: string;
  /** The status of a hold the system still has (a calendar entry 'active', a guest page 'published'). */
  live: H['status'];
  /** Whether this event tells of a cancellation. */
  cancels: boolean;
  /** Whether the event is an archive replay, most likely of a revision already applied: checked by a read first. */
  replayed?: boolean;
  /** Epoch ms when the invocation ends: the lease on the booking ends then. */
  until?: number;
  /** Decides how to bring the system to this revision when it holds the booking, or to create it when it does not. */
  keep: (live: H | undefined, held: H | undefined) => Promise<Decision<H, P>>;
  /** Decides how to let the booking go in the system (only asked while the system holds it live). */
  cancel: (live: H) => Promise<Decision<H, P>>;
  /** Carries out a recorded decision, this revision's or one a crashed delivery left (RevisionLedger's Outbox). */
  perform: Outbox<H, P>['perform'];
  /**
   * What the system already holds for a booking this consumer never held (made by the hand-made Lambdas before
   * charterflow took over), taken on as live: kept or cancelled in place instead of created again. A read, so a
   * retry after a crash anywhere before the decision is recorded looks again and finds the same.
   */
  adopt?: () => Promise<H | undefined>;
}

/**
 * The booking lifecycle every consumer that keeps a system in step shares: latest revision wins (RevisionLedger),
 * a decision is recorded before it is acted on, a cancellation of a booking the system never held, or already
 * let go, leaves a tombstone and calls nothing, and everything else is the consumer's own keep or cancel.
 */
export function applyLatest<H extends Hold, P>(
  { revisions, logger }: { revisions: RevisionLedger; logger: Logger },
  booking: Pick<BookingSnapshot, 'bookingId' | 'revision'>,
  lifecycle: Lifecycle<H, P>,
): Promise<{ outcome: RevisionOutcome; held: H | undefined }> {
  return revisions.applyDecided<H, P>(
    { bookingId: booking.bookingId, consumer: lifecycle.consumer, revision: booking.revision },
    {
      decide: async (recorded) => {
        const shut = gateShut() !== undefined;
        // A stage going live after shadow: what the gate kept back never reached the system, so the booking is
        // looked for there again (the hand-made Lambdas' entry, found and adopted) instead of trusting the hold.
        const held = recorded?.keptBack && !shut ? undefined : recorded;
        // Behind a shut gate nothing is looked for either: shadow makes no call at all to the systems we do not
        // own, and its holds are looked for again when the gate opens.
        const live =
          held?.status === lifecycle.live ? held : held === undefined && !shut ? await lifecycle.adopt?.() : undefined;
        const tombstone = (): Decision<H, P> => {
          logger.info(`cancellation of a booking ${lifecycle.consumer} does not hold; kept as a tombstone`, {
            revision: booking.revision,
          });
          return { held };
        };
        const decision: Decision<H, P> = !lifecycle.cancels
          ? await lifecycle.keep(live, held)
          : live
            ? await lifecycle.cancel(live)
            : tombstone();
        return 'held' in decision && shut && decision.held ? { held: keptBack(decision.held) } : decision;
      },
      perform: async (plan, progress) => {
        const done = await lifecycle.perform(plan, progress);
        return gateShut() !== undefined && done.held ? { ...done, held: keptBack(done.held) } : done;
      },
    },
    logger,
    // A booking's first revision, live, is most likely the first this consumer hears of it.
    { readFirst: lifecycle.replayed, decideFirst: booking.revision === 1, until: lifecycle.until },
  );
}

const keptBack = <H extends Hold>(held: H): H => ({ ...held, keptBack: true });

/**
 * The event a decision follows from, as recorded with it: the events the decision emits take their metadata
 * from it, so the same decision finished after a crash emits the same metadata (idempotency key, causation,
 * time), and consumers downstream see a duplicate, not a new fact.
 */
export interface RecordedCause {
  id: string;
  detail: { metadata: EventMetadata; data: { booking: BookingSnapshot } };
  /** When the decision was made: the occurredAt of every event it emits. */
  occurredAt: string;
}

export function recordedCause(event: Cause, now = new Date()): RecordedCause {
  const { metadata, data } = event.detail;
  return { id: event.id, detail: { metadata, data: { booking: data.booking } }, occurredAt: now.toISOString() };
}

/** The metadata of an event a recorded decision emits. */
export const followUpOf = (cause: RecordedCause, detailType: DetailType): EventMetadata =>
  followUpMetadata(cause, detailType, new Date(cause.occurredAt));

/** The call context of a downstream call a recorded decision makes: the key is the decision's, not the delivery's. */
export function recordedCallContext(
  cause: RecordedCause,
  invocation: { logger: Logger; deadline?: number },
  idempotencyKey = cause.detail.metadata.idempotencyKey,
) {
  return {
    idempotencyKey,
    bookingId: cause.detail.data.booking.bookingId,
    logger: invocation.logger,
    deadline: invocation.deadline,
  };
}
