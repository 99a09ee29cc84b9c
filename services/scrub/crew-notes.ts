import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConsumedEvent } from '../../shared/consumer';
import { followUpMetadata } from '../../shared/contract/metadata';
import type { Logger } from '../../shared/logger';
import type { Publisher } from '../../shared/publisher';
import type { BookingSteps } from '../../shared/steps';
import { scrubCrewEvent, type ScrubOptions } from './scrub-crew-event';

export interface ScrubDeps {
  documents: DynamoDBDocumentClient;
  steps: BookingSteps;
  publisher: Publisher;
  logger: Logger;
  options?: ScrubOptions;
}

/**
 * On CrewEventCreated: scrub the crew event's notes, then announce CrewNotesScrubbed once per booking
 * revision. The scrub itself runs on every delivery, replays included: it writes nothing to clean notes,
 * and it catches revenue lines SCC may have put back since; only the event is not sent twice.
 */
export async function scrubCrewNotes(event: ConsumedEvent<'CrewEventCreated'>, deps: ScrubDeps): Promise<void> {
  const { data } = event.detail;
  const { booking, sccEventId } = data;
  const scrubbed = await scrubCrewEvent(
    deps.documents,
    { bookingId: booking.bookingId, sccEventId },
    { ...deps.options, logger: deps.logger },
  );
  deps.logger.info('crew notes scrubbed', { sccEventId, ...scrubbed });
  await deps.steps.runOnce(
    { bookingId: booking.bookingId, step: 'scrub', revision: booking.revision },
    async () => scrubbed,
    (result) =>
      deps.publisher.publishOne('CrewNotesScrubbed', {
        metadata: followUpMetadata(event, 'CrewNotesScrubbed'),
        data: { booking, sccEventId, linesRemoved: result.linesRemoved },
      }),
    deps.logger,
  );
}
