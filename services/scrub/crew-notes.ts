import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConsumedEvent } from '../../shared/consumer';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { sccEventsTable } from '../../shared/config';
import { isConditionFailure } from '../../shared/errors';
import { followUpOf, recordedCause, type RecordedCause } from '../../shared/lifecycle';
import type { Logger } from '../../shared/logger';
import type { Publisher } from '../../shared/publisher';
import type { Outbox, RevisionLedger } from '../../shared/revisions';
import { scrubNotes } from './notes';
import { type HeldRemoval, notesFingerprint, RemovedLinesStore } from './removed-lines';
import { CrewEventNotFound, ScrubConflict, scrubCrewEvent, type ScrubOptions } from './scrub-crew-event';

/** Every fact of a write to an SCC crew event: scrub follows each one. */
export type CrewEventFact = ConsumedEvent<'CrewEventCreated' | 'CrewEventUpdated' | 'CrewEventCancelled'>;

export interface ScrubDeps {
  documents: DynamoDBDocumentClient;
  revisions: RevisionLedger;
  publisher: Publisher;
  logger: Logger;
  options?: ScrubOptions;
  /** When, in ms after its scrub, an update's or a cancellation's crew event is read again (`recheckSchedule`). */
  rechecks?: readonly number[];
  /** Epoch ms when the invocation ends: the lease on the booking's scrub record ends then. */
  until?: number;
}

/** What scrub last left in SCC: the crew event it scrubbed, and how many lines are out of it so far. */
export interface ScrubHeld {
  sccEventId: string;
  linesRemoved: number;
  /**
   * Every removal made under a revision's lease, oldest first: the operator's (removedLinesOf), erased by forget.
   * Kept in this record because the write that settles the revision is the one that says the removal is done.
   */
  removedLines?: HeldRemoval[];
}

/**
 * Reads again 250 ms and 1 s after the scrub: a bound we chose, not one SCC states. It covers a write-back SCC
 * makes right around its answer, and adds about a second to an update's or a cancellation's invocation.
 */
export const DEFAULT_RECHECKS_MS: readonly number[] = [250, 1_000];

/**
 * The re-check times from CHARTERFLOW_SCRUB_RECHECK_MS ("250,1000": ms after the scrub, ascending; "" for none).
 * A malformed value is an error at cold start rather than a scrub that silently stops re-checking.
 */
export function recheckSchedule(value: string | undefined): readonly number[] {
  if (value === undefined) return DEFAULT_RECHECKS_MS;
  if (value.trim() === '') return [];
  const times = value.split(',').map((part) => Number(part.trim()));
  if (times.some((ms, i) => !Number.isInteger(ms) || ms < 0 || ms > 10_000 || ms < (times[i - 1] ?? 0))) {
    throw new Error(
      `CHARTERFLOW_SCRUB_RECHECK_MS must be ascending whole ms up to 10000, like "250,1000"; got "${value}"`,
    );
  }
  return times;
}

/**
 * On every crew event fact, CrewEventCreated, CrewEventUpdated or CrewEventCancelled: scrub the crew event's
 * notes, then announce CrewNotesScrubbed, once per booking revision. SCC writes the revenue lines into the notes
 * on every version, and its cancel writes back the whole item it read before, over notes scrub may have cleaned
 * in the meantime: so a cancellation is scrubbed like any version. A newer revision is scrubbed even when crew
 * changed nothing in SCC, because an earlier scrub that failed is then stale and would never run again. An older
 * revision, or an archive replay of one applied, reads and writes nothing; a live redelivery of the same revision
 * announces nothing again, and only re-checks.
 *
 * Record the decision, then act: the lines about to go are recorded with the revision's lease (for a booking's
 * first revision, in the very write that takes it) before SCC's item is written, and the write that settles the
 * revision keeps them for the operator. A retry after a crash anywhere finishes that recorded removal.
 *
 * Then, for an update or a cancellation, the notes are read again after a while and scrubbed if revenue is back
 * (`recheckCrewNotes`): SCC is not ours, and a write of its own may land after the fact that follows it.
 */
export async function scrubCrewNotes(event: CrewEventFact, deps: ScrubDeps) {
  const { booking } = event.detail.data;
  const result = await deps.revisions.applyDecided<ScrubHeld, ScrubPlan>(
    { bookingId: booking.bookingId, consumer: 'scrub', revision: booking.revision },
    scrubOutbox(event, deps),
    deps.logger,
    // A booking's first revision, live, is most likely the first scrub hears of it: decided before the lease.
    { readFirst: event.replayName !== undefined, decideFirst: booking.revision === 1, until: deps.until },
  );
  // A stale fact's write came before the newer fact, whose own scrub and re-checks cover it; an archive replay
  // comes long after any write SCC could still make.
  if (event.detailType !== 'CrewEventCreated' && result.outcome !== 'stale' && event.replayName === undefined) {
    await recheckCrewNotes(event, deps);
  }
  return result;
}

/** A revision's scrub as recorded before it is carried out. */
interface ScrubPlan {
  /** The fact the decision follows from: CrewNotesScrubbed takes its metadata from it, the same on a retry. */
  cause: RecordedCause;
  sccEventId: string;
  /** The removals of earlier revisions, carried on into what is held. */
  before: HeldRemoval[];
  /** The removals re-checks made of this crew event (SCRUB# items): counted in linesRemoved, and not kept twice. */
  byRechecks: { read: string; lines: number }[];
  /** What this revision removes from the notes it read (by fingerprint), and the fingerprint of what they become. */
  removal?: { read: string; clean: string; lines: string[]; decidedAt: string };
}

const removalOf = (notes: string, scrubbed: { notes: string; removed: string[] }): ScrubPlan['removal'] =>
  scrubbed.removed.length === 0
    ? undefined
    : {
        read: notesFingerprint(notes),
        clean: notesFingerprint(scrubbed.notes),
        lines: scrubbed.removed,
        decidedAt: new Date().toISOString(),
      };

/**
 * Decide reads SCC's notes and plans their removal; perform writes them, conditional on what was read, and
 * announces. The notes decide read are kept for the perform of that same plan, so a delivery with no crash
 * reads SCC once; a plan finished after a crash reads SCC again, and finds its removal done (the clean notes),
 * still to do (the notes it read), or overtaken (anything else: scrubbed anew, the new lines recorded first).
 */
function scrubOutbox(event: CrewEventFact, deps: ScrubDeps): Outbox<ScrubHeld, ScrubPlan> {
  const table = deps.options?.sccTable ?? sccEventsTable();
  const maxAttempts = deps.options?.maxAttempts ?? 5;
  const { booking, sccEventId } = event.detail.data;
  let decided: { plan: ScrubPlan; notes: string } | undefined;

  const readNotes = async (bookingId: string, eventId: string): Promise<string> => {
    const { Item } = await deps.documents.send(
      new GetCommand({ TableName: table, Key: { eventId }, ConsistentRead: true }),
    );
    if (!Item) throw new CrewEventNotFound(bookingId, eventId, table);
    if (Item.notes !== undefined && typeof Item.notes !== 'string') {
      throw new TypeError(`crew event ${eventId} of booking ${bookingId}: notes is not a string`);
    }
    return Item.notes ?? '';
  };

  return {
    decide: async (held, applied) => {
      const notes = await readNotes(booking.bookingId, sccEventId);
      // Re-checks run only after a revision was applied: with none applied there are no SCRUB# items to count.
      const byRechecks = applied
        ? await new RemovedLinesStore(deps.documents).appliedOf(booking.bookingId, sccEventId)
        : [];
      const plan: ScrubPlan = {
        cause: recordedCause(event),
        sccEventId,
        before: held?.removedLines ?? [],
        byRechecks,
        removal: removalOf(notes, scrubNotes(notes)),
      };
      decided = { plan, notes };
      return { plan };
    },
    perform: async (recorded, progress) => {
      const { bookingId } = recorded.cause.detail.data.booking;
      let plan = recorded;
      let applied = false;
      for (let attempt = 1; ; attempt++) {
        if (attempt > maxAttempts) throw new ScrubConflict(bookingId, plan.sccEventId, maxAttempts);
        const notes =
          attempt === 1 && decided?.plan === recorded ? decided.notes : await readNotes(bookingId, plan.sccEventId);
        const scrubbed = scrubNotes(notes);
        if (scrubbed.removed.length === 0) {
          // Clean notes: the recorded removal's own (a crash after its write), or SCC's doing, which overtook it.
          applied = plan.removal !== undefined && notesFingerprint(notes) === plan.removal.clean;
          break;
        }
        const removal = removalOf(notes, scrubbed)!;
        if (plan.removal?.read !== removal.read) {
          plan = { ...plan, removal };
          await progress(plan);
        }
        try {
          await deps.documents.send(
            new UpdateCommand({
              TableName: table,
              Key: { eventId: plan.sccEventId },
              UpdateExpression: 'SET notes = :clean',
              ConditionExpression: 'notes = :read',
              ExpressionAttributeValues: { ':clean': scrubbed.notes, ':read': notes },
            }),
          );
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          deps.logger.info('crew notes changed while scrubbing; reading them again', {
            sccEventId: plan.sccEventId,
            attempt,
          });
          continue;
        }
        applied = true;
        break;
      }
      const { removal } = plan;
      // The same notes read again (SCC wrote back what it held before the scrub) are the removal made of them.
      const madeBefore = [...plan.before.filter((r) => r.sccEventId === plan.sccEventId), ...plan.byRechecks].map(
        (r) => r.read,
      );
      const nothingNew = !applied || !removal || madeBefore.includes(removal.read);
      const removedLines = [
        ...plan.before,
        ...(nothingNew
          ? []
          : [{ sccEventId: plan.sccEventId, read: removal.read, lines: removal.lines, removedAt: removal.decidedAt }]),
      ];
      const linesRemoved =
        plan.byRechecks.reduce((sum, r) => sum + r.lines, 0) +
        removedLines.filter((r) => r.sccEventId === plan.sccEventId).reduce((sum, r) => sum + r.lines.length, 0);
      deps.logger.info('crew notes scrubbed', {
        sccEventId: plan.sccEventId,
        outcome: applied ? 'scrubbed' : 'clean',
        linesRemoved,
      });
      const emittedEventId = await deps.publisher.publishOne('CrewNotesScrubbed', {
        metadata: followUpOf(plan.cause, 'CrewNotesScrubbed'),
        data: { booking: plan.cause.detail.data.booking, sccEventId: plan.sccEventId, linesRemoved },
      });
      return { held: { sccEventId: plan.sccEventId, linesRemoved, removedLines }, emittedEventId };
    },
  };
}

/**
 * Verify after write: SCC's item is read again at each re-check time and scrubbed if it holds revenue lines
 * again. SCC may write asynchronously, or answer a cancel before its write-back lands, so a write can follow the
 * very fact that tells of it, and no later fact would bring scrub back. We cannot follow SCC's table itself (a
 * DynamoDB stream on a table we do not own, and none on the local stack), so scrub looks again, bounded.
 *
 * Outside the revision's lease, after CrewNotesScrubbed: the waits hold up no other delivery, and a scrub needs
 * no order between deliveries, since each writes what SCC holds now without its revenue lines, conditional on
 * what it read, with the lines recorded in our store before SCC's item is written. A crash here fails the
 * invocation; Lambda's retry is a duplicate for the revision, and re-checks again.
 */
async function recheckCrewNotes(event: CrewEventFact, deps: ScrubDeps): Promise<void> {
  const { booking, sccEventId } = event.detail.data;
  let waited = 0;
  for (const at of deps.rechecks ?? DEFAULT_RECHECKS_MS) {
    await sleep(at - waited);
    waited = at;
    const again = await scrubCrewEvent(
      deps.documents,
      { bookingId: booking.bookingId, sccEventId },
      { ...deps.options, logger: deps.logger },
    );
    if (again.outcome === 'scrubbed') {
      deps.logger.warn('SCC wrote revenue lines into the crew notes after they were scrubbed; scrubbed them again', {
        sccEventId,
        recheckAfterMs: at,
        linesRemoved: again.linesRemoved,
      });
    }
  }
}
