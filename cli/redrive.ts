import { eventBridgeClient, sqsClient } from '../shared/aws';
import { redrive } from './operator/redrive';
import {
  applyTarget,
  AWS_ARCHIVE_LAG_MS,
  declaredConsumers,
  isLoopback,
  parseBookingId,
  parseCommandArgs,
  parseDuration,
  pickConsumer,
  processIo,
  targetHelp,
  targetOptions,
  type Io,
} from './args';
import { UsageError } from './usage-error';
import { Progress } from './progress';

export const redriveHelp = `Usage: npx charterflow redrive [--consumer NAME] [--booking ID] [--json]

Sends dead-lettered events back to the consumer that failed them, and to no other consumer: a replay from
the archive over the letters' time window with only that consumer's rule as destination (FilterArns).
A letter is deleted once the replay that re-sent its event COMPLETED; if the consumer fails again, the
event comes back to its dead-letter queue as a new letter. Letters whose event the archive no longer
holds are kept and listed.
  --consumer NAME  only that consumer's dead letters (default: every consumer's)
  --booking ID     only that booking's dead letters
  --archive-lag DUR  leave letters of events younger than this (default 10m against AWS, which archives
                   with a delay; 0 against the local stack, whose archive is written before PutEvents answers)
  --json           print the result as one JSON list
${targetHelp}`;

export async function runRedrive(argv: string[], io: Io = processIo()): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    ...targetOptions,
    consumer: { type: 'string' },
    booking: { type: 'string' },
    'archive-lag': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const archiveLagMs = values['archive-lag'] === undefined ? undefined : parseDuration(values['archive-lag']);
  if (values['archive-lag'] !== undefined && archiveLagMs === undefined) {
    throw new UsageError(`--archive-lag must be a duration such as 10m, got "${values['archive-lag']}"`);
  }
  if (values.booking !== undefined) parseBookingId(values.booking, '--booking');
  const consumers = await declaredConsumers();
  const only = pickConsumer(consumers, values.consumer);
  io.err(applyTarget(values));
  const events = eventBridgeClient();
  const sqs = sqsClient();
  const bars = new Map<string, Progress>();
  try {
    const results = await redrive(events, sqs, {
      consumers: (only ? [only] : consumers).map((c) => c.name),
      ...(values.booking ? { bookingId: values.booking } : {}),
      pollMs: 500,
      archiveLagMs: archiveLagMs ?? (isLoopback(process.env.AWS_ENDPOINT_URL) ? 0 : AWS_ARCHIVE_LAG_MS),
      onReplay: ({ consumer, replayName, window, letters }) => {
        bars.get(consumer)?.done();
        if (!values.json)
          io.out(
            `${consumer}: ${letters} letter(s) via replay ${replayName} (${window.from.toISOString()} .. ${window.to.toISOString()})`,
          );
        bars.set(consumer, new Progress(io, `redrive ${consumer}`, 0.5));
      },
      onProgress: (consumer, fraction) => (values.json ? undefined : bars.get(consumer)?.update(fraction)),
    });
    for (const bar of bars.values()) bar.done();
    const kept = results.flatMap((r) => r.kept);
    if (values.json) {
      io.out(
        JSON.stringify(
          results.map((r) => ({
            consumer: r.consumer,
            redriven: r.redriven,
            replayNames: r.replayNames,
            kept: r.kept.map((k) => ({
              messageId: k.letter.messageId,
              bookingId: k.letter.bookingId,
              reason: k.reason,
            })),
          })),
        ),
      );
    } else {
      if (results.length === 0) io.out('no dead letters to redrive');
      for (const r of results) io.out(`${r.consumer}: ${r.redriven} redriven and deleted, ${r.kept.length} kept`);
      for (const k of kept)
        io.out(`  kept ${k.letter.consumer} ${k.letter.bookingId ?? '?'} ${k.letter.messageId}: ${k.reason}`);
    }
    return kept.length > 0 ? 1 : 0;
  } finally {
    events.destroy();
    sqs.destroy();
  }
}
