import { sqsClient } from '../shared/aws';
import { deployedNames } from '../shared/declaration';
import { consumersWithDeadLetterQueues, listDeadLetters, type DeadLetter } from './operator/dead-letters';
import {
  alignColumns,
  applyTarget,
  declaredConsumers,
  formatAge,
  parseBookingId,
  parseCommandArgs,
  pickConsumer,
  processIo,
  targetHelp,
  targetOptions,
  type Io,
} from './args';

export const dlqHelp = `Usage: npx charterflow dlq [--consumer NAME] [--booking ID] [--json]

Lists the dead letters of every consumer (every queue ${deployedNames('<name>', '<stage>').deadLetterQueueName} of the stage): consumer,
booking id, detail-type, age, and the error recorded: by EventBridge when it could not deliver (ERROR_CODE,
ERROR_MESSAGE), by Lambda when the function failed the event (ErrorCode, whose 200 means "the function
returned an error", and ErrorMessage). Letters are looked at and left in place; \`npx charterflow redrive\`
sends them back.
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
  const booking = values.booking === undefined ? undefined : parseBookingId(values.booking, '--booking');
  const consumers = await declaredConsumers();
  const only = pickConsumer(consumers, values.consumer);
  io.err(applyTarget(values));
  const sqs = sqsClient();
  try {
    const names = only
      ? [only.name]
      : await consumersWithDeadLetterQueues(
          sqs,
          consumers.map((c) => c.name),
        );
    const letters = (await listDeadLetters(sqs, names)).filter((l) => !booking || l.bookingId === booking);
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
    const rows = views.map((v) => [
      v.consumer,
      v.bookingId ?? '?',
      v.detailType ?? '(not an event)',
      formatAge(now - Date.parse(v.deadAt)),
      errorCodeText(v.errorCode),
      v.errorMessage ?? '',
    ]);
    for (const line of alignColumns([
      ['CONSUMER', 'BOOKING', 'DETAIL-TYPE', 'DEAD FOR', 'ERROR CODE', 'ERROR'],
      ...rows,
    ]))
      io.out(line);
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

/**
 * The letter's code in words: Lambda writes ErrorCode 200 (the invoke succeeded, the function returned an
 * error); EventBridge writes its own codes (ERROR_FROM_TARGET, ...), shown as they are.
 */
export function errorCodeText(code: string | undefined): string {
  if (code === undefined) return '-';
  return code === '200' ? '200 (function error)' : code;
}
