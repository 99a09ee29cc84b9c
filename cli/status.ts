import { documentClient, sqsClient } from '../shared/aws';
import { bookingStatus, DEFAULT_STUCK_AFTER_MS, recentStatuses, type BookingStatus } from './operator/status';
import {
  applyTarget,
  declaredConsumers,
  formatAge,
  parseCommandArgs,
  parseDuration,
  parsePositiveInt,
  processIo,
  targetHelp,
  targetOptions,
  type Io,
} from './args';
import { UsageError } from './usage-error';

export const statusHelp = `Usage: npx charterflow status [BOOKING_ID] [--json] [--limit N] [--stuck-after DUR]

With a booking id: its timeline across the chain (webhook received, calendar entry, SCC event, scrub,
guest page) with times, ids, outcome, and the last error from the dead-letter queues.
Without: the most recently active bookings, one line each, the stuck ones flagged.
A booking is stuck when a dead-letter queue holds an event of it, or when it is not complete
--stuck-after (default ${DEFAULT_STUCK_AFTER_MS / 60_000}m) after it was received.
  --json            print JSON (one object, or a list) for scripts
  --limit N         how many recent bookings to list (default 20)
  --stuck-after DUR e.g. 10m, 1h
${targetHelp}
Reads the booking-ledger's table and the consumers' dead-letter queues (letters are looked at, not removed).`;

const BOOKING_ID = /^[A-Z0-9]{6,12}$/;

export async function runStatus(argv: string[], io: Io = processIo()): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      ...targetOptions,
      json: { type: 'boolean', default: false },
      limit: { type: 'string' },
      'stuck-after': { type: 'string' },
    },
    1,
  );
  const bookingId = positionals[0];
  if (bookingId !== undefined && !BOOKING_ID.test(bookingId)) {
    throw new UsageError(`booking id must be 6 to 12 upper-case letters and digits, got "${bookingId}"`);
  }
  const limit = parsePositiveInt(values.limit, '--limit', 20);
  const stuckAfterMs =
    values['stuck-after'] === undefined ? DEFAULT_STUCK_AFTER_MS : parseDuration(values['stuck-after']);
  if (stuckAfterMs === undefined)
    throw new UsageError(`--stuck-after must be a duration such as 10m, got "${values['stuck-after']}"`);
  applyTarget(values);

  const documents = documentClient();
  const sqs = sqsClient();
  try {
    const reader = { documents, sqs, consumers: await declaredConsumers(), stuckAfterMs };
    if (bookingId) {
      const status = await bookingStatus(reader, bookingId);
      if (!status) {
        io.err(`no booking ${bookingId} in the ledger or the dead-letter queues`);
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
    io.out(`  ${status.deadLetters} dead letter(s): npx charterflow redrive --booking ${status.bookingId}`);
  }
}

export function printList(io: Io, statuses: readonly BookingStatus[], now = Date.now()): void {
  if (statuses.length === 0) {
    io.out('no bookings in the ledger');
    return;
  }
  for (const s of statuses) {
    const last = [...s.steps].reverse().find((step) => step.state === 'done');
    const age = s.lastEventAt ? `${formatAge(now - Date.parse(s.lastEventAt))} ago` : '';
    const flag = s.state === 'stuck' ? `STUCK: ${s.stuckBecause}` : s.state;
    const doubled = s.doubleBookedWith.length > 0 ? `  DOUBLE BOOKED with ${s.doubleBookedWith.join(', ')}` : '';
    const mail = s.refusedMails?.length ? '  MAIL REFUSED: check the address' : '';
    io.out(
      `${s.bookingId.padEnd(12)}  r${String(s.revision ?? '-').padEnd(3)} ${flag.padEnd(12)}  last: ${last?.label ?? 'nothing yet'} ${age}`.trimEnd() +
        doubled +
        mail,
    );
  }
  const stuck = statuses.filter((s) => s.state === 'stuck').length;
  const doubled = statuses.filter((s) => s.doubleBookedWith.length > 0).length;
  io.out(`${statuses.length} booking(s), ${stuck} stuck, ${doubled} double-booked`);
}
