import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '../../shared/logger';
import { scrubNotes } from './notes';
import { RemovedLinesStore } from './removed-lines';
import { sccEventsTable } from '../../shared/config';
import { isConditionFailure } from '../../shared/errors';

export { sccEventsTable };

export class CrewEventNotFound extends Error {
  override readonly name = 'CrewEventNotFound';
  constructor(
    readonly bookingId: string,
    readonly sccEventId: string,
    table: string,
  ) {
    super(`crew event ${sccEventId} of booking ${bookingId} is not in ${table}`);
  }
}

export class ScrubConflict extends Error {
  override readonly name = 'ScrubConflict';
  constructor(
    readonly bookingId: string,
    readonly sccEventId: string,
    attempts: number,
  ) {
    super(
      `the notes of crew event ${sccEventId} (booking ${bookingId}) changed under every one of ${attempts} ` +
        'scrub attempts; left as they are, the event will be retried',
    );
  }
}

export interface ScrubRequest {
  bookingId: string;
  sccEventId: string;
}

export interface ScrubOutcome {
  /** 'scrubbed': this run wrote clean notes; 'clean': nothing to remove, nothing written. */
  outcome: 'scrubbed' | 'clean';
  /** Lines removed from this crew event so far, by this run and any before it. */
  linesRemoved: number;
  attempts: number;
}

export interface ScrubOptions {
  sccTable?: string;
  /** Read-scrub-write rounds before giving up to a retry of the whole event. */
  maxAttempts?: number;
  logger?: Logger;
}

/**
 * Removes the revenue lines from a crew event's notes in SCC's table. The removed lines are stored in our
 * table first, so a crash after that leaves them both in SCC and with us, never nowhere. Notes with no
 * revenue line are not written at all (so a second run, or a replay, writes nothing to SCC). The write is
 * conditional on the notes being exactly what was read: if SCC or a person changed them in between, the
 * change is kept, the notes are read again and the scrub redone on them.
 */
export async function scrubCrewEvent(
  documents: DynamoDBDocumentClient,
  request: ScrubRequest,
  options: ScrubOptions = {},
): Promise<ScrubOutcome> {
  const table = options.sccTable ?? sccEventsTable();
  const maxAttempts = options.maxAttempts ?? 5;
  const removedLines = new RemovedLinesStore(documents);
  const { bookingId, sccEventId } = request;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const { Item } = await documents.send(
      new GetCommand({ TableName: table, Key: { eventId: sccEventId }, ConsistentRead: true }),
    );
    if (!Item) throw new CrewEventNotFound(bookingId, sccEventId, table);
    const notes: unknown = Item.notes;
    if (notes !== undefined && typeof notes !== 'string') {
      throw new TypeError(`crew event ${sccEventId} of booking ${bookingId}: notes is not a string`);
    }

    const scrubbed = scrubNotes(notes ?? '');
    if (scrubbed.removed.length === 0) {
      await removedLines.settle(bookingId, sccEventId, notes ?? '');
      const linesRemoved = await removedLines.countApplied(bookingId, sccEventId);
      return { outcome: 'clean', linesRemoved, attempts: attempt };
    }

    await removedLines.record(bookingId, sccEventId, notes!, scrubbed.notes, scrubbed.removed);
    try {
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: { eventId: sccEventId },
          UpdateExpression: 'SET notes = :clean',
          ConditionExpression: 'notes = :read',
          ExpressionAttributeValues: { ':clean': scrubbed.notes, ':read': notes },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      options.logger?.info('crew notes changed while scrubbing; reading them again', { sccEventId, attempt });
      continue;
    }
    await removedLines.markApplied(bookingId, sccEventId, notes!);
    const linesRemoved = await removedLines.countApplied(bookingId, sccEventId);
    return { outcome: 'scrubbed', linesRemoved, attempts: attempt };
  }
  throw new ScrubConflict(bookingId, sccEventId, maxAttempts);
}

/** The crew-facing notes of a crew event as SCC holds them now (what the crew dashboard shows; the demo prints it). */
export async function crewNotesOf(
  documents: DynamoDBDocumentClient,
  sccEventId: string,
  table = sccEventsTable(),
): Promise<string | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: table, Key: { eventId: sccEventId }, ConsistentRead: true }),
  );
  return typeof Item?.notes === 'string' ? Item.notes : undefined;
}
