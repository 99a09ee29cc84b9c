import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bookingConfirmed } from '../samples';
import { calendarEntryRequest } from '../services/calendar/calendar-entry';
import { crewEventRequest } from '../services/crew/crew-event';
import { bookingDetailsOf, toBookingSnapshot } from '../services/webhook/booking';
import { documentClient, secretsManagerClient } from '../shared/aws';
import { sccEventsTable, secretNames } from '../shared/config';
import type { BoatsetterWebhookPayload } from '../shared/contract/boatsetter';
import { sha256Hex, type CredentialSource } from '../shared/http-client';
import { SecretCache } from '../shared/secrets';
import { atOffsetOf } from '../shared/trip';
import { applyTarget, parseCommandArgs, processIo, targetLine, type Io } from './args';
import { freshBookingId } from './booking-id';
import { UsageError } from './usage-error';

/**
 * The day of the switch, on the local stack: JADA entries and SCC crew events for upcoming bookings, made as
 * the hand-made Lambdas made them (the operator's write-up): a POST to JADA with no Idempotency-Key, then a POST
 * to SCC with no Idempotency-Key and the calendar entry id in the notes (SCC invites the crew), then the old
 * scrub, which took only Revenue and Captain Fee out of the notes, straight in SCC's table. These are not
 * charterflow's writes: they play the old system, on the stand-ins only.
 */

export const DEFAULT_LEGACY_COUNT = 5;
const LOCAL_JADA_URL = 'http://127.0.0.1:4010';
const LOCAL_SCC_URL = 'http://127.0.0.1:4020';

export const seedLegacyHelp = `Usage: npx charterflow seed-legacy --local [--count ${DEFAULT_LEGACY_COUNT}]

Local stack only. Plays the hand-made Lambdas charterflow replaces: for COUNT upcoming sample bookings (fresh
ids, a trip a day on days from tomorrow to some months ahead), creates a JADA calendar entry and an SCC crew event as they did (no
Idempotency-Key, the calendar entry id in the crew event's notes; SCC invites the crew), and leaves the revenue
lines their scrub left. Prints each booking id with what it made. Then send changes for those bookings
(send-sample --booking ID --type booking.modified), or run adopt, to see charterflow take them over.
  --count N       how many bookings (default ${DEFAULT_LEGACY_COUNT}, at most 50)
  --local         required: the stand-ins of JADA and SCC are the only systems this may write to
                  (JADA_CALENDAR_URL and SCC_API_URL, default ${LOCAL_JADA_URL} and ${LOCAL_SCC_URL})`;

/** Where the old system wrote: the JADA and SCC APIs, their credentials, SCC's table. */
export interface LegacyTarget {
  jadaUrl: string;
  sccUrl: string;
  secrets: CredentialSource;
  documents: DynamoDBDocumentClient;
  sccTable?: string;
}

/** What the old system made for one booking. */
export interface LegacyRecord {
  bookingId: string;
  calendarEntryId: string;
  sccEventId: string;
  /** The trip's start, as JADA and SCC hold it. */
  start: string;
  crewInvited: number;
  /** The revenue lines the old scrub left in the crew event's notes. */
  revenueLinesLeft: number;
}

/** The revenue lines the old scrub took out (the write-up: "Remove Revenue and Captain Fee from the notes field"). */
const OLD_SCRUB_LINE = /^(Revenue|Captain Fee):/;
/** What SCC's own notes carry of the operator's figures: the lines the old scrub left behind. */
const REVENUE_LINE = /^(Crew Costs|Port Fees|Your Net):/;

/**
 * An upcoming sample booking as Boatsetter confirmed it to the old system: the sample, under `bookingId`, its
 * trip `day` days after tomorrow at 5 pm Pacific, so that bookings seeded together are not double bookings.
 */
export function upcomingBooking(bookingId: string, day: number, now = new Date()): BoatsetterWebhookPayload {
  const payload = bookingConfirmed();
  payload.data.booking_id = bookingId;
  const date = new Date(now.getTime() + (day + 1) * 86_400_000).toISOString().slice(0, 10);
  const start = `${date}T17:00:00-08:00`;
  payload.data.trip.start = atOffsetOf(start, Date.parse(start));
  return payload;
}

/** Creates the booking's JADA entry and SCC event as the old Lambdas did, and scrubs as their scrub did. */
export async function seedLegacyBooking(
  payload: BoatsetterWebhookPayload,
  target: LegacyTarget,
): Promise<LegacyRecord> {
  const booking = toBookingSnapshot(payload);
  const details = bookingDetailsOf(payload);
  const token = await target.secrets.get(secretNames.jadaDashboardToken);
  const entry = await post<{ entryId?: string }>(
    `${target.jadaUrl}/entries`,
    { 'X-Dashboard-Token': token },
    calendarEntryRequest(booking),
  );
  if (!entry.entryId) throw new Error(`JADA answered booking ${booking.bookingId}'s entry with no entryId`);
  const serviceKey = sha256Hex(await target.secrets.get(secretNames.sccServiceKey));
  const event = await post<{ eventId?: string; invitations?: unknown[] }>(
    `${target.sccUrl}/events`,
    { 'X-Service-Key': serviceKey },
    crewEventRequest(booking, details, entry.entryId),
  );
  if (!event.eventId) throw new Error(`SCC answered booking ${booking.bookingId}'s crew event with no eventId`);
  const revenueLinesLeft = await oldScrub(target, event.eventId);
  return {
    bookingId: booking.bookingId,
    calendarEntryId: entry.entryId,
    sccEventId: event.eventId,
    start: booking.trip.start,
    crewInvited: event.invitations?.length ?? 0,
    revenueLinesLeft,
  };
}

export async function seedLegacyBookings(
  payloads: readonly BoatsetterWebhookPayload[],
  target: LegacyTarget,
): Promise<LegacyRecord[]> {
  const records: LegacyRecord[] = [];
  for (const payload of payloads) records.push(await seedLegacyBooking(payload, target));
  return records;
}

/** The old scrub: read the item, drop Revenue and Captain Fee, write it back. Answers the revenue lines it left. */
async function oldScrub(target: LegacyTarget, eventId: string): Promise<number> {
  const table = target.sccTable ?? sccEventsTable();
  const { Item } = await target.documents.send(
    new GetCommand({ TableName: table, Key: { eventId }, ConsistentRead: true }),
  );
  const lines = String(Item?.notes ?? '').split('\n');
  const kept = lines.filter((line) => !OLD_SCRUB_LINE.test(line));
  await target.documents.send(
    new UpdateCommand({
      TableName: table,
      Key: { eventId },
      UpdateExpression: 'SET notes = :notes',
      ExpressionAttributeValues: { ':notes': kept.join('\n') },
    }),
  );
  return kept.filter((line) => REVENUE_LINE.test(line)).length;
}

async function post<T>(url: string, headers: Record<string, string>, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** The local stand-ins and the local stack's secrets and SCC table. */
export function localLegacyTarget(): LegacyTarget {
  return {
    jadaUrl: (process.env.JADA_CALENDAR_URL ?? LOCAL_JADA_URL).replace(/\/+$/, ''),
    sccUrl: (process.env.SCC_API_URL ?? LOCAL_SCC_URL).replace(/\/+$/, ''),
    secrets: new SecretCache(secretsManagerClient()),
    documents: documentClient(),
  };
}

export function parseSeedLegacyArgs(argv: string[]): { count: number } {
  const { values } = parseCommandArgs(argv, {
    local: { type: 'boolean', default: false },
    stage: { type: 'string' },
    count: { type: 'string' },
  });
  if (values.stage !== undefined || !values.local) {
    throw new UsageError(
      'seed-legacy writes records as the old Lambdas did and runs on the local stack only: pass --local',
    );
  }
  const count = values.count === undefined ? DEFAULT_LEGACY_COUNT : Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 50) {
    throw new UsageError(`--count must be a whole number from 1 to 50, got "${values.count}"`);
  }
  return { count };
}

export async function runSeedLegacy(argv: string[], io: Io = processIo()): Promise<number> {
  const { count } = parseSeedLegacyArgs(argv);
  applyTarget({ local: true });
  io.err(targetLine());
  // A day past any trip seeded earlier in this stack's life would need its state; a random offset keeps runs apart.
  const firstDay = Number.parseInt(randomUUID().slice(0, 4), 16) % 300;
  const payloads = Array.from({ length: count }, (_, i) => upcomingBooking(freshBookingId(), firstDay + i));
  const records = await seedLegacyBookings(payloads, localLegacyTarget());
  for (const r of records) {
    io.out(
      `${r.bookingId}  ${r.start}  calendar entry ${r.calendarEntryId}, crew event ${r.sccEventId} ` +
        `(${r.crewInvited} crew invited, ${r.revenueLinesLeft} revenue lines left in the notes)`,
    );
  }
  io.out(`${records.length} bookings seeded as the hand-made Lambdas made them; charterflow holds none of them yet`);
  return 0;
}
