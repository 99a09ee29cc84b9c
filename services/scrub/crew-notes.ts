import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConsumedEvent } from '../../shared/consumer';
import { followUpMetadata } from '../../shared/contract/metadata';
import type { Logger } from '../../shared/logger';
import type { Publisher } from '../../shared/publisher';
import type { RevisionLedger } from '../../shared/revisions';
import { scrubCrewEvent, type ScrubOptions } from './scrub-crew-event';

export interface ScrubDeps {
  documents: DynamoDBDocumentClient;
  revisions: RevisionLedger;
  publisher: Publisher;
  logger: Logger;
  options?: ScrubOptions;
}

/** What scrub last left in SCC: the crew event it scrubbed, and how many lines are out of it so far. */
export interface ScrubHeld {
  sccEventId: string;
  linesRemoved: number;
}

/**
 * On CrewEventCreated or CrewEventUpdated (SCC writes the revenue lines into the notes on every version):
 * scrub the crew event's notes, then announce CrewNotesScrubbed, once per booking revision. A newer revision
 * is scrubbed even when crew changed nothing in SCC, because an earlier scrub that failed is then stale and
 * would never run again. An older or equal revision reads and writes nothing.
 */
export function scrubCrewNotes(event: ConsumedEvent<'CrewEventCreated' | 'CrewEventUpdated'>, deps: ScrubDeps) {
  const { booking, sccEventId } = event.detail.data;
  return deps.revisions.apply<ScrubHeld>(
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
    { readFirst: event.replayName !== undefined },
  );
}
