import { DeleteCommand, paginateQuery, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ledgerTableName } from '../services/booking-ledger/ledger';
import { documentClient } from '../shared/aws';
import type { BookingDetails } from '../shared/contract/booking-details';
import { bookingsTable, stage } from '../shared/config';
import { isConditionFailure } from '../shared/errors';
import { PrivateRecords } from '../shared/private-records';
import { bookingKey } from '../shared/tables';
import {
  applyTarget,
  askOnTerminal,
  parseBookingId,
  parseCommandArgs,
  processIo,
  targetHelp,
  targetOptions,
  type Io,
} from './args';
import { bookingSeen, neverSeen } from './operator/bookings';
import { SHADOW_PREFIX } from '../shared/shadow';
import { UsageError } from './usage-error';

export const forgetHelp = `Usage: npx charterflow forget BOOKING_ID [--yes] [--force]

Erases the renter's personal data of one booking from every store charterflow owns, then prints what
remains in the systems it does not own, so that you can ask there:
  - the booking's private records (last name, email, phone, prices, the renter's note): deleted, and the
    booking marked forgotten, so a replay of its events finds nothing and every consumer skips it;
  - what each consumer remembers JADA, SCC and the guest page hold (STATE records): the calendar title, the
    crew notes and pricing taken out, the ids kept, so a replay creates nothing twice;
  - the revenue lines scrub took out of the crew notes: deleted (prices, and a line of the renter's note may
    be among them);
  - what a shadow stage or a synthetic booking would have sent to JADA, SCC, the guest site and SES: deleted;
  - mail records, webhook delivery and revision records, the booking-ledger: checked to hold none of it.
Outside: JADA's calendar entry, SCC's crew event and SCC's own request log (our calls, with the notes and
prices), and the guest page are named for you to ask there.
The archive keeps the events, which carry none of it since contract major 2; events of major 1 still hold the
details, and no consumer uses them once the booking is forgotten.
A booking id the stage never saw (not in the bookings table or the ledger: a typo, most likely) is refused.
  --yes           do not ask for confirmation (needed when not on a terminal)
  --force         forget it even if the stage never saw it: the id is recorded as forgotten, so that the
                  booking, should it arrive (a webhook retried late), is skipped by every consumer
${targetHelp}`;

/**
 * Fields of a consumer's STATE record that hold personal data or prices, wherever they sit in `held` (scrub's
 * `removedLines`: the revenue lines it took out of the crew notes).
 */
const PERSONAL_FIELDS = new Set([
  'title',
  'notes',
  'pricing',
  'renter',
  'firstName',
  'lastName',
  'email',
  'phone',
  'specialRequests',
  'removedLines',
]);
export const FORGOTTEN = '(forgotten)';

/** The renter's own values, to find them in any other item: whole words, case aside. */
export function personalValuesOf(details: readonly BookingDetails[]): string[] {
  const values = details.flatMap((d) => [d.renter.email, d.renter.phone, d.renter.lastName, d.specialRequests ?? '']);
  return [...new Set(values.map((v) => v.trim()).filter((v) => v.length >= 2))];
}

const containsAny = (text: string, values: readonly string[]) =>
  values.some((value) => new RegExp(`(^|\\W)${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|\\W)`, 'i').test(text));

/**
 * A STATE record's `held`, forgotten: the fields that carry personal data or prices go, any other string that
 * repeats one of the renter's values becomes "(forgotten)"; ids, statuses and times stay. Pure.
 */
export function forgetHeld(held: unknown, values: readonly string[]): unknown {
  if (Array.isArray(held)) return held.map((item) => forgetHeld(item, values));
  if (typeof held === 'string') return containsAny(held, values) ? FORGOTTEN : held;
  if (!held || typeof held !== 'object') return held;
  return Object.fromEntries(
    Object.entries(held)
      .filter(([key]) => !PERSONAL_FIELDS.has(key))
      .map(([key, value]) => [key, forgetHeld(value, values)]),
  );
}

/** Whether an item, any field of it, repeats one of the renter's values. */
export function holdsPersonalData(item: unknown, values: readonly string[]): boolean {
  return values.length > 0 && containsAny(JSON.stringify(item), values);
}

export interface ForgetReport {
  bookingId: string;
  privateRevisions: number[];
  alreadyForgotten: boolean;
  scrubbedStates: string[];
  removedLinesErased: number;
  kept: { kind: string; count: number }[];
  /** Items of our tables that still repeat one of the renter's values (none, unless something new keeps them). */
  stillHolding: { table: string; sk: string }[];
  outside: string[];
}

async function itemsOf(
  documents: DynamoDBDocumentClient,
  table: string,
  pk: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery(
    { client: documents },
    {
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    },
  )) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

const kindOf = (sk: string) => sk.split('#')[0]!;

/** Erases the booking's personal data from our tables (see forgetHelp) and says what remains elsewhere. */
export async function forgetBooking(documents: DynamoDBDocumentClient, bookingId: string): Promise<ForgetReport> {
  const table = bookingsTable();
  const privateRecords = new PrivateRecords(documents, table);
  const values = personalValuesOf((await privateRecords.allOf(bookingId)).map((r) => r.details));
  const forgotten = await privateRecords.forget(bookingId);

  const scrubbedStates: string[] = [];
  const outside: string[] = [];
  const kept = new Map<string, number>();
  let removedLinesErased = 0;
  for (const item of await itemsOf(documents, table, bookingKey(bookingId))) {
    const sk = String(item.sk);
    if (sk.startsWith('STATE#')) {
      const consumer = sk.slice('STATE#'.length);
      outside.push(...outsideOf(consumer, item.held));
      if (item.held === undefined) continue;
      // Scrub keeps the revenue lines a revision removed in its record (`removedLines`): erased with the rest.
      removedLinesErased += (item.held as { removedLines?: unknown[] }).removedLines?.length ?? 0;
      const held = forgetHeld(item.held, values);
      if (JSON.stringify(held) === JSON.stringify(item.held)) continue;
      await scrubState(documents, table, item, held);
      scrubbedStates.push(consumer);
    } else if (sk.startsWith(SHADOW_PREFIX)) {
      // What a shadow stage or a synthetic booking would have sent (shared/shadow.ts): titles, notes, prices.
      await documents.send(new DeleteCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk } }));
    } else if (sk.startsWith('SCRUB#')) {
      await documents.send(new DeleteCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk } }));
      removedLinesErased++;
    } else {
      kept.set(kindOf(sk), (kept.get(kindOf(sk)) ?? 0) + 1);
    }
  }
  const ledger = await itemsOf(documents, ledgerTableName(), bookingKey(bookingId)).catch(() => []);
  if (ledger.length > 0) kept.set('LEDGER', ledger.length);

  const stillHolding = [
    ...(await itemsOf(documents, table, bookingKey(bookingId))).map((item) => ({ table, item })),
    ...ledger.map((item) => ({ table: ledgerTableName(), item })),
  ]
    .filter(({ item }) => holdsPersonalData(item, values))
    .map(({ table: t, item }) => ({ table: t, sk: String(item.sk) }));

  return {
    bookingId,
    privateRevisions: forgotten.revisions,
    alreadyForgotten: forgotten.alreadyForgotten,
    scrubbedStates,
    removedLinesErased,
    kept: [...kept].map(([kind, count]) => ({ kind, count })),
    stillHolding,
    outside,
  };
}

/** Only `held`, and only while no consumer holds a live lease on it: a consumer applying a revision wins, and forget is run again. */
async function scrubState(
  documents: DynamoDBDocumentClient,
  table: string,
  item: Record<string, unknown>,
  held: unknown,
) {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET held = :held',
        // A lease that ran out belongs to a consumer that died mid-revision: it no longer stands in the way.
        ConditionExpression: 'revision = :revision AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeValues: { ':held': held, ':revision': item.revision, ':now': Date.now() },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw new Error(
      `${String(item.sk)} of booking ${String(item.bookingId)} changed while it was being forgotten; run forget again`,
      {
        cause: error,
      },
    );
  }
}

/** What a consumer's record says the system it keeps in step still holds: JADA's title, SCC's event, the page. */
function outsideOf(consumer: string, held: unknown): string[] {
  const h = (held ?? {}) as {
    entryId?: string;
    sccEventId?: string;
    url?: string;
    status?: string;
    entry?: { title?: string };
  };
  switch (consumer) {
    case 'calendar':
      return h.entryId
        ? [
            `JADA calendar entry ${h.entryId} (${h.status}): its title "${h.entry?.title ?? '?'}" names the renter by first name`,
          ]
        : [];
    case 'crew':
      // Scrub cleans the event's notes, never SCC's log of our calls: the request bodies and SCC's answers keep
      // the notes as sent and as SCC wrote them, prices and the renter's note included.
      return h.sccEventId
        ? [
            `SCC crew event ${h.sccEventId} (${h.status}): its notes (the renter's note, if any) and the revenue lines SCC keeps with it`,
            `SCC's request log for crew event ${h.sccEventId}: every create, update and cancel we sent, with the notes (the renter's note, if any) and the prices, and SCC's answers with the revenue lines`,
          ]
        : [];
    case 'guest-page':
      return h.url
        ? [
            `guest page ${h.url} (${h.status}): the renter's first name, in the guest-site bucket and CloudFront's cache`,
          ]
        : [];
    default:
      return [];
  }
}

export function printForgetReport(io: Io, report: ForgetReport): void {
  io.out(`Forgot the renter of booking ${report.bookingId}:`);
  io.out(
    report.privateRevisions.length > 0
      ? `  private records: revision${report.privateRevisions.length === 1 ? '' : 's'} ${report.privateRevisions.join(', ')} erased; the booking is marked forgotten`
      : `  private records: none left${report.alreadyForgotten ? ' (forgotten before)' : ''}; the booking is marked forgotten`,
  );
  io.out(
    `  consumer records: ${report.scrubbedStates.length > 0 ? `${report.scrubbedStates.join(', ')} scrubbed (titles, notes, pricing out; ids kept)` : 'nothing personal in them'}`,
  );
  io.out(
    `  removed revenue lines: ${report.removedLinesErased} record${report.removedLinesErased === 1 ? '' : 's'} erased`,
  );
  for (const { kind, count } of report.kept)
    io.out(`  ${kindNames[kind] ?? kind}: ${count} kept (no personal data in them)`);
  if (report.stillHolding.length > 0) {
    io.err(`  STILL HOLDING the renter's details: ${report.stillHolding.map((h) => `${h.table} ${h.sk}`).join(', ')}`);
  }
  io.out('Still held outside our tables (ask there, or remove it there):');
  for (const line of report.outside.length > 0 ? report.outside : ['nothing charterflow knows of']) io.out(`  ${line}`);
}

const kindNames: Record<string, string> = {
  BOOKING: 'booking record (correlation id, latest revision)',
  REVISION: 'webhook revision records',
  MAIL: 'mail records',
  LEDGER: 'booking-ledger lines',
};

export interface ForgetHooks {
  io?: Io;
  /** Asks the operator a yes/no question on the terminal. */
  ask?: (question: string) => Promise<boolean>;
  documents?: DynamoDBDocumentClient;
}

export function parseForgetArgs(argv: string[]) {
  const { values, positionals } = parseCommandArgs(
    argv,
    { ...targetOptions, yes: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } },
    1,
  );
  if (positionals[0] === undefined) throw new UsageError('which booking? npx charterflow forget BOOKING_ID');
  const bookingId = parseBookingId(positionals[0], 'booking id');
  return {
    bookingId,
    yes: values.yes ?? false,
    force: values.force ?? false,
    ...(values.stage !== undefined ? { stage: values.stage } : {}),
    local: values.local ?? false,
  };
}

export async function runForget(argv: string[], hooks: ForgetHooks = {}): Promise<number> {
  const io = hooks.io ?? processIo();
  const args = parseForgetArgs(argv);
  io.err(applyTarget(args));
  if (!args.yes && !hooks.ask && !io.isTTY)
    throw new UsageError('forget erases for good: confirm on a terminal, or pass --yes');
  const documents = hooks.documents ?? documentClient();
  if (!args.force && !(await bookingSeen(documents, args.bookingId))) {
    io.err(neverSeen(args.bookingId, `npx charterflow forget ${args.bookingId}`));
    return 1;
  }
  if (!args.yes) {
    const sure = await (hooks.ask ?? askOnTerminal)(
      `Erase the renter's personal data of booking ${args.bookingId} from stage ${stage()}? This cannot be undone. [y/N] `,
    );
    if (!sure) {
      io.out('Nothing erased.');
      return 1;
    }
  }
  const report = await forgetBooking(documents, args.bookingId);
  printForgetReport(io, report);
  return report.stillHolding.length > 0 ? 1 : 0;
}
