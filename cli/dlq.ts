import { sqsClient } from '../shared/aws';
import { deployedNames } from '../shared/declaration';
import { listDeadLetters, type DeadLetter } from './operator/dead-letters';
import {
  applyTarget,
  declaredConsumers,
  formatAge,
  parseCommandArgs,
  pickConsumer,
  processIo,
  targetHelp,
  targetOptions,
  type Io,
} from './args';

export const dlqHelp = `Usage: npx charterflow dlq [--consumer NAME] [--booking ID] [--json]

Lists the dead letters of every consumer (its queue ${deployedNames('<name>', '<stage>').deadLetterQueueName}): consumer, booking id,
detail-type, age, and the error EventBridge recorded (ERROR_CODE, ERROR_MESSAGE). Letters are looked at
and left in place; \`npx charterflow redrive\` sends them back.
  --consumer NAME  only that consumer's queue
  --booking ID     only letters of that booking
  --json           one JSON list for scripts
${targetHelp}`;

export interface DeadLetterView {
  consumer: string;
  bookingId?: string;
  detailType?: string;
  eventId?: string;
  eventTime?: string;
  errorCode?: string;
  errorMessage?: string;
  retryAttempts?: number;
  deadAt: string;
  messageId: string;
}

export const viewOf = (l: DeadLetter): DeadLetterView => ({
  consumer: l.consumer,
  ...(l.bookingId ? { bookingId: l.bookingId } : {}),
  ...(l.event ? { detailType: l.event['detail-type'], eventId: l.event.id, eventTime: l.event.time } : {}),
  ...(l.errorCode ? { errorCode: l.errorCode } : {}),
  ...(l.errorMessage ? { errorMessage: l.errorMessage } : {}),
  ...(l.retryAttempts !== undefined ? { retryAttempts: l.retryAttempts } : {}),
  deadAt: l.deadAt.toISOString(),
  messageId: l.messageId,
});

export async function runDlq(argv: string[], io: Io = processIo()): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    ...targetOptions,
    consumer: { type: 'string' },
    booking: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const consumers = await declaredConsumers();
  const only = pickConsumer(consumers, values.consumer);
  applyTarget(values);
  const sqs = sqsClient();
  try {
    const letters = (
      await listDeadLetters(
        sqs,
        (only ? [only] : consumers).map((c) => c.name),
      )
    ).filter((l) => !values.booking || l.bookingId === values.booking);
    const views = letters.map(viewOf);
    if (values.json) {
      io.out(JSON.stringify(views));
      return 0;
    }
    if (views.length === 0) {
      io.out('no dead letters');
      return 0;
    }
    const now = Date.now();
    for (const v of views) {
      io.out(
        [
          v.consumer,
          v.bookingId ?? '?',
          v.detailType ?? '(not an event)',
          `${formatAge(now - Date.parse(v.deadAt))} ago`,
          v.errorCode ?? '',
          v.errorMessage ?? '',
        ]
          .join('  ')
          .trimEnd(),
      );
    }
    const perConsumer = new Map<string, number>();
    for (const v of views) perConsumer.set(v.consumer, (perConsumer.get(v.consumer) ?? 0) + 1);
    io.out(
      `${views.length} dead letter(s): ${[...perConsumer]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([c, n]) => `${c} ${n}`)
        .join(', ')}`,
    );
    return 0;
  } finally {
    sqs.destroy();
  }
}
