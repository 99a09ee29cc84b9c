import { documentClient, sqsClient } from '../shared/aws';
import { bookingStatus, DEFAULT_STUCK_AFTER_MS, recentStatuses, type BookingStatus } from './operator/status';
import {
  applyTarget,
  declaredConsumers,
  alignColumns,
  formatAge,
  parseBookingId,
  parseCommandArgs,
  parseDuration,
  parsePositiveInt,
  processIo,
  targetHelp,
  targetOptions,
  type Io,
} from './args';
import { UsageError } from './usage-error';
import { deployedNames } from '../shared/declaration';
import { neverSeen } from './operator/bookings';
import { describeRefusal } from './operator/refused-call';

export const statusHelp = `Usage: npx charterflow status [BOOKING_ID] [--json] [--limit N] [--stuck-after DUR] [--force]

With a booking id: its timeline across the chain (webhook received, calendar entry, SCC event, scrub,
guest page) with times, ids, outcome, and the last error from the dead-letter queues; when that error is a
call AWS refused (AccessDenied), the permission the consumer's role is missing.
Without: the most recently active bookings, one line each, the stuck ones flagged.
A booking is stuck when the dead-letter queue of any consumer holds an event of it (every queue
${deployedNames('<name>', '<stage>').deadLetterQueueName} of the stage: the chain's, booking-ledger's, guest-mail's and any consumer added
since), or when it is not complete --stuck-after (default ${DEFAULT_STUCK_AFTER_MS / 60_000}m) after it was received.
A booking id the stage never saw is refused (a typo, most likely).
  --json            print JSON (one object, or a list) for scripts
  --limit N         how many recent bookings to list (default 20)
  --stuck-after DUR e.g. 10m, 1h
  --force           show a booking id even if the stage never saw it
${targetHelp}
Reads the booking-ledger's table, the bookings table and the consumers' dead-letter queues (letters are
looked at, not removed).`;

export async function runStatus(argv: string[], io: Io = processIo()): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      ...targetOptions,
      json: { type: 'boolean', default: false },
      limit: { type: 'string' },
      'stuck-after': { type: 'string' },
      force: { type: 'boolean', default: false },
    },
    1,
  );
  const bookingId = positionals[0] === undefined ? undefined : parseBookingId(positionals[0], 'booking id');
  const limit = parsePositiveInt(values.limit, '--limit', 20);
  const stuckAfterMs =
    values['stuck-after'] === undefined ? DEFAULT_STUCK_AFTER_MS : parseDuration(values['stuck-after']);
  if (stuckAfterMs === undefined)
    throw new UsageError(`--stuck-after must be a duration such as 10m, got "${values['stuck-after']}"`);
  io.err(applyTarget(values));

  const documents = documentClient();
  const sqs = sqsClient();
  try {
    const reader = { documents, sqs, consumers: await declaredConsumers(), stuckAfterMs };
    if (bookingId) {
      const status = await bookingStatus(reader, bookingId, { force: values.force ?? false });
      if (!status) {
        io.err(neverSeen(bookingId, `npx charterflow status ${bookingId}`));
        return 1;
      }
      if (values.json) io.out(JSON.stringify(status));
      else printTimeline(io, status);
      return 0;
    }
    const statuses = await recentStatuses(reader, limit);
    if (values.json) io.out(JSON.stringify(statuses));
    else printList(io, statuses);
    return 0;
  } finally {
    documents.destroy();
    sqs.destroy();
  }
}

const idsText = (ids: Record<string, string>) =>
  Object.entries(ids)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

export function printTimeline(io: Io, status: BookingStatus): void {
  io.out(
    `booking ${status.bookingId}${status.revision !== undefined ? ` (revision ${status.revision})` : ''}: ${status.state}${status.stuckBecause ? `, ${status.stuckBecause}` : ''}`,
  );
  const width = Math.max(...status.steps.map((s) => s.label.length));
  for (const step of status.steps) {
    const when = step.at ?? '-'.padEnd(24);
    const outcome = step.state === 'done' ? (step.outcome ?? 'done') : step.state;
    const holds = step.holdsRevision === undefined ? 'r-' : `r${step.holdsRevision}`;
    const extra = [idsText(step.ids), step.replayName ? `(via ${step.replayName})` : ''].filter(Boolean).join(' ');
    io.out(`  ${step.label.padEnd(width)}  ${holds.padEnd(4)}  ${when}  ${outcome}${extra ? `  ${extra}` : ''}`);
  }
  if (status.doubleBookedWith.length > 0) {
    io.out(`  DOUBLE BOOKED: the trip overlaps ${status.doubleBookedWith.join(', ')} on the same boat`);
  }
  for (const other of status.otherEvents)
    io.out(`  ${other.detailType} r${other.revision}  ${other.at}  ${other.outcome}`);
  for (const mail of status.refusedMails ?? []) {
    io.out(
      `  guest mail: the ${mail.kind} mail of r${mail.revision} was refused by SES ${mail.at} (${mail.code}: ${mail.message}); not retried, check the renter's address`,
    );
  }
  if (status.lastError) {
    const e = status.lastError;
    const when = `(dead-lettered ${e.at}${e.retryAttempts !== undefined ? ` after ${e.retryAttempts} retries` : ''})`;
    io.out(`  last error: ${[e.consumer, e.errorCode, e.errorMessage, when].filter(Boolean).join(' ')}`);
    if (e.refusedCall) io.out(`  stuck at ${e.consumer}, ${describeRefusal(e.refusedCall)}`);
    io.out(`  ${status.deadLetters} dead letter(s): npx charterflow redrive --booking ${status.bookingId}`);
  }
}

export function printList(io: Io, statuses: readonly BookingStatus[], now = Date.now()): void {
  if (statuses.length === 0) {
    io.out('no bookings in the ledger');
    return;
  }
  const rows = statuses.map((s) => {
    const age = s.lastEventAt ? `${formatAge(now - Date.parse(s.lastEventAt))} ago` : '';
    const refused = s.lastError?.refusedCall ? `, ${describeRefusal(s.lastError.refusedCall)}` : '';
    const flag = s.state === 'stuck' ? `STUCK: ${s.stuckBecause}${refused}` : s.state;
    const doubled = s.doubleBookedWith.length > 0 ? `DOUBLE BOOKED with ${s.doubleBookedWith.join(', ')}` : '';
    const mail = s.refusedMails?.length ? 'MAIL REFUSED: check the address' : '';
    return [
      s.bookingId,
      `r${s.revision ?? '-'}`,
      flag,
      `last: ${s.lastEventLabel ?? 'nothing yet'} ${age}`.trimEnd(),
      [doubled, mail].filter(Boolean).join('  '),
    ];
  });
  for (const row of alignColumns(rows)) io.out(row);
  const stuck = statuses.filter((s) => s.state === 'stuck').length;
  const doubled = statuses.filter((s) => s.doubleBookedWith.length > 0).length;
  io.out(`${statuses.length} booking(s), ${stuck} stuck, ${doubled} double-booked`);
}
