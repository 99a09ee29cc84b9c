import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConsumedEvent } from '../../shared/consumer';
import { followUpMetadata } from '../../shared/contract/metadata';
import type { Logger } from '../../shared/logger';
import type { Publisher } from '../../shared/publisher';
import type { RevisionLedger } from '../../shared/revisions';
import { scrubCrewEvent, type ScrubOptions } from './scrub-crew-event';

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
 * Then, for an update or a cancellation, the notes are read again after a while and scrubbed if revenue is back
 * (`recheckCrewNotes`): SCC is not ours, and a write of its own may land after the fact that follows it.
 */
export async function scrubCrewNotes(event: CrewEventFact, deps: ScrubDeps) {
  const { booking, sccEventId } = event.detail.data;
  const result = await deps.revisions.apply<ScrubHeld>(
    { bookingId: booking.bookingId, consumer: 'scrub', revision: booking.revision },
    async () => {
      const scrubbed = await scrubCrewEvent(
        deps.documents,
        { bookingId: booking.bookingId, sccEventId },
        { ...deps.options, logger: deps.logger },
      );
      deps.logger.info('crew notes scrubbed', { sccEventId, ...scrubbed });
      return {
        held: { sccEventId, linesRemoved: scrubbed.linesRemoved },
        emit: () =>
          deps.publisher.publishOne('CrewNotesScrubbed', {
            metadata: followUpMetadata(event, 'CrewNotesScrubbed'),
            data: { booking, sccEventId, linesRemoved: scrubbed.linesRemoved },
          }),
      };
    },
    deps.logger,
    { readFirst: event.replayName !== undefined, until: deps.until },
  );
  // A stale fact's write came before the newer fact, whose own scrub and re-checks cover it; an archive replay
  // comes long after any write SCC could still make.
  if (event.detailType !== 'CrewEventCreated' && result.outcome !== 'stale' && event.replayName === undefined) {
    await recheckCrewNotes(event, deps);
  }
  return result;
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
