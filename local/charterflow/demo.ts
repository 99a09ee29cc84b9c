import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { freshBookingId } from '../../cli/booking-id';
import { openBusTap, type BusTap, type TappedEvent } from '../../cli/bus-tap';
import { removedLinesOf } from '../../services/scrub/removed-lines';
import { parseSecrets } from '../../services/webhook/signature';
import { bookingsTable, secretNames } from '../../shared/config';
import { signedDelivery } from '../../shared/signed-delivery';
import { bookingKey } from '../../shared/tables';
import type { BoatsetterWebhookPayload } from '../../shared/contract/boatsetter';
import { atOffsetOf } from '../../shared/trip';
import { bookingCancelled, bookingConfirmed, bookingConfirmedAs, bookingModified } from '../../samples';
import type { LocalStack } from './stack';
import { JADA_CALENDAR_TABLE } from '../stand-ins/jada-calendar';
import { SCC_EVENTS_TABLE, SCC_NOTICES_TABLE } from '../stand-ins/scc';

/**
 * `npm run demo`: the sample booking, signed, through the running stack; each event of the chain printed as
 * it crosses the bus (seen by a tap: a rule with an SQS target, as an operator would watch it), then what
 * the guest, the crew and the operator see; then a change and a cancellation of the same booking, with what
 * each system holds after each. The stack is the caller's: it stays up afterwards.
 */

export const SAMPLE_BOOKING_ID = 'XHQGMDH';
/** The chain one booking sets off, in causal order (the last two both follow CrewEventCreated). */
export const CHAIN = [
  'BookingReceived',
  'CalendarEntryCreated',
  'CrewEventCreated',
  'CrewNotesScrubbed',
  'GuestPagePublished',
] as const;
/** What a change sets off: every system follows the newer revision. */
export const CHANGE_CHAIN = [
  'BookingModified',
  'CalendarEntryUpdated',
  'CrewEventUpdated',
  'CrewNotesScrubbed',
  'GuestPageUpdated',
] as const;
/** What a cancellation sets off: every system lets the booking go; scrub cleans the notes SCC's cancel wrote back. */
export const CANCEL_CHAIN = [
  'BookingCancelled',
  'CalendarEntryCancelled',
  'CrewEventCancelled',
  'CrewNotesScrubbed',
  'GuestPageWithdrawn',
] as const;

export type DemoOutput = (line: string) => void;

export interface DemoOptions {
  /** How long to wait for the whole chain before saying what is missing (default 60 s). */
  timeoutMs?: number;
}

export interface DemoResult {
  bookingId: string;
  /** Detail-types of the first chain, in the order they were printed. */
  events: string[];
  /** Detail-types of the change's chain, then the cancellation's. */
  changeEvents: string[];
  cancelEvents: string[];
  guestPageUrl: string;
  guestPageStatus: number;
}

const clock = (epochMs: number) => new Date(epochMs).toISOString().slice(11, 23);

export async function runDemo(
  stack: LocalStack,
  out: DemoOutput = console.log,
  options: DemoOptions = {},
): Promise<DemoResult> {
  const config = {
    region: stack.env.AWS_REGION,
    endpoint: stack.endpoints.aws,
    credentials: { accessKeyId: stack.env.AWS_ACCESS_KEY_ID!, secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY! },
  };
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const secrets = new SecretsManagerClient(config);
  const dynamodb = new DynamoDBClient(config);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  let tap: BusTap | undefined;

  try {
    // Every charterflow event on the bus, into a queue of the demo's own.
    tap = await openBusTap(events, sqs, {
      name: `charterflow-demo-tap-${randomBytes(3).toString('hex')}`,
      description: 'npm run demo (temporary)',
    });

    const bookingId = await pickBookingId(documents, out);
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
    const payload = bookingId === SAMPLE_BOOKING_ID ? bookingConfirmed() : bookingConfirmedAs(bookingId);
    const sampleStart = bookingConfirmed().data.trip.start;
    if (payload.data.trip.start !== sampleStart) {
      // The sample boat is already booked at the sample's time in this state: the same day would be a double booking.
      out(
        `Its trip moves from ${sampleStart.slice(0, 10)} to ${payload.data.trip.start.slice(0, 10)}, a day of its own ` +
          `(same time, ${payload.data.trip.start.slice(11, 16)}), so that it does not overlap ${SAMPLE_BOOKING_ID} on ${payload.data.listing.boat_name}.`,
      );
    }
    const delivery = signedDelivery(payload, parseSecrets(SecretString!)[0]!);
    const url = new URL('/webhooks/boatsetter', stack.endpoints.webhook);
    const sentAt = Date.now();
    const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
    const acceptedAt = Date.now();
    const answer = await response.text();
    if (response.status !== 202)
      throw new Error(`the webhook answered ${response.status} to the signed sample: ${answer}`);
    out(
      `POST ${url.pathname}  booking ${bookingId}, signed (webhook-id ${delivery.headers['webhook-id']})  ->  202 in ${acceptedAt - sentAt} ms at ${clock(acceptedAt)}`,
    );
    out('');
    out('The chain, as each event crosses the bus:');
    out(
      `  ${'time'.padEnd(12)}  ${'detail-type'.padEnd(24)}  ${'source'.padEnd(24)}  ${'booking'.padEnd(10)}  ${'hop'.padEnd(38)}  since the POST`,
    );

    const timeoutMs = options.timeoutMs ?? 60_000;
    const seen = await followChain(tap, bookingId, sentAt, CHAIN, out, timeoutMs);
    const byType = new Map(seen.map((e) => [e['detail-type'], e]));
    const crewEvent = byType.get('CrewEventCreated')!;
    const published = byType.get('GuestPagePublished')!;
    const guestPageUrl = String(published.detail.data.url);
    const calendarEntryId = String(crewEvent.detail.data.calendarEntryId);
    const sccEventId = String(crewEvent.detail.data.sccEventId);

    out('');
    const page = await fetch(guestPageUrl);
    const html = await page.text();
    out(`Guest page: ${guestPageUrl}`);
    out(
      `  ${page.status} ${page.headers.get('content-type') ?? ''}, ${Buffer.byteLength(html)} bytes, served through the CloudFront Function`,
    );

    out('');
    const { Item: sccItem } = await documents.send(
      new GetCommand({ TableName: SCC_EVENTS_TABLE, Key: { eventId: sccEventId }, ConsistentRead: true }),
    );
    out(`SCC crew event ${sccEventId}, notes as the crew see them (scrubbed):`);
    for (const line of String(sccItem?.notes ?? '(no notes)').split('\n')) out(`  | ${line}`);

    out('');
    const removed = await removedLinesOf(documents, bookingId);
    out('Revenue lines removed from those notes, kept in our store for the operator:');
    const lines = removed.flatMap((r) => r.lines);
    if (lines.length === 0) out('  (none)');
    for (const line of lines) out(`  - ${line}`);

    out('');
    const { Item: entry } = await documents.send(
      new GetCommand({ TableName: JADA_CALENDAR_TABLE, Key: { entryId: calendarEntryId }, ConsistentRead: true }),
    );
    out(`JADA calendar entry ${calendarEntryId}:`);
    if (entry) {
      out(`  ${entry.title}`);
      out(
        `  ${entry.date}, starts ${entry.start}, ${entry.durationHours} h, boat ${entry.boat}, party of ${entry.partySize}`,
      );
    } else out('  (not found in jada-calendar-entries)');

    const webhookSecret = parseSecrets(SecretString!)[0]!;
    const send = async (next: BoatsetterWebhookPayload, what: string, chain: readonly string[]) => {
      out('');
      out(`Boatsetter ${what}: revision ${next.data.revision}, ${next.type}.`);
      const signed = signedDelivery(next, webhookSecret);
      const postedAt = Date.now();
      const answered = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
      const answeredAt = Date.now();
      if (answered.status !== 202)
        throw new Error(`the webhook answered ${answered.status} to ${what}: ${await answered.text()}`);
      out(`POST ${url.pathname}  booking ${bookingId}, signed  ->  202 in ${answeredAt - postedAt} ms`);
      return followChain(tap!, bookingId, postedAt, chain, out, timeoutMs, next.data.revision);
    };
    const holdings = () => printHoldings(documents, { bookingId, calendarEntryId, sccEventId, guestPageUrl }, out);

    // The change: an hour and a half later, two more guests (the modified sample, on this booking's day).
    const changed = bookingModified();
    changed.data.booking_id = bookingId;
    changed.data.trip.start = atOffsetOf(payload.data.trip.start, Date.parse(payload.data.trip.start) + 90 * 60_000);
    const changeSeen = await send(changed, 'changes the booking (90 minutes later, 4 hours, party of 8)', CHANGE_CHAIN);
    await holdings();

    const cancelled = bookingCancelled();
    cancelled.data.booking_id = bookingId;
    cancelled.data.trip.start = changed.data.trip.start;
    const cancelSeen = await send(cancelled, 'cancels the booking', CANCEL_CHAIN);
    await holdings();

    out('');
    out(
      `More: npx charterflow status ${bookingId}   (its timeline)   |   npx charterflow tail   (events as they come)`,
    );
    out(`Mailbox (the renter's mails through the local SES): ${stack.endpoints.mailbox}`);
    return {
      bookingId,
      events: seen.map((e) => e['detail-type']),
      changeEvents: changeSeen.map((e) => e['detail-type']),
      cancelEvents: cancelSeen.map((e) => e['detail-type']),
      guestPageUrl,
      guestPageStatus: page.status,
    };
  } finally {
    // The tap was for this run only: a persisted stack keeps no demo rule or queue.
    await tap?.close();
    for (const client of [sqs, events, secrets, dynamodb]) client.destroy();
  }
}

/** XHQGMDH, unless the persisted state already has it (the webhook would rightly take it as a duplicate). */
async function pickBookingId(documents: DynamoDBDocumentClient, out: DemoOutput): Promise<string> {
  const { Count = 0 } = await documents.send(
    new QueryCommand({
      TableName: bookingsTable(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': bookingKey(SAMPLE_BOOKING_ID) },
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  if (Count === 0) {
    out(`Sending the sample booking ${SAMPLE_BOOKING_ID} (samples/boatsetter/booking-confirmed.json).`);
    return SAMPLE_BOOKING_ID;
  }
  const fresh = freshBookingId();
  out(
    `Booking ${SAMPLE_BOOKING_ID} was already done in this stack's state: sending the same sample as booking ${fresh}.`,
  );
  return fresh;
}

/** What the calendar, SCC (and the crew's inboxes) and the guest page hold for the booking now. */
async function printHoldings(
  documents: DynamoDBDocumentClient,
  ids: { bookingId: string; calendarEntryId: string; sccEventId: string; guestPageUrl: string },
  out: DemoOutput,
) {
  const get = async (table: string, key: Record<string, string>) =>
    (await documents.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  const entry = await get(JADA_CALENDAR_TABLE, { entryId: ids.calendarEntryId });
  const sccEvent = await get(SCC_EVENTS_TABLE, { eventId: ids.sccEventId });
  const notices: Record<string, unknown>[] = [];
  const pages = paginateScan(
    { client: documents },
    {
      TableName: SCC_NOTICES_TABLE,
      FilterExpression: 'eventId = :e',
      ExpressionAttributeValues: { ':e': ids.sccEventId },
    },
  );
  for await (const page of pages) notices.push(...(page.Items ?? []));
  const page = await fetch(ids.guestPageUrl);
  const html = await page.text();
  const noticeKinds = ['changed', 'cancelled', 'removed']
    .map((kind) => [kind, notices.filter((n) => n.kind === kind).length] as const)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind}`);
  out('What each system holds now:');
  out(
    `  JADA calendar  ${entry ? `${entry.status}: ${entry.start}, ${entry.durationHours} h, party of ${entry.partySize}` : '(no entry)'}`,
  );
  out(
    `  SCC event      ${sccEvent ? `${sccEvent.status}: ${sccEvent.start}, party of ${sccEvent.partySize}, crew ${(sccEvent.crew as { name: string }[]).map((m) => m.name).join(', ')}` : '(no event)'}`,
  );
  out(
    `  crew notices   ${noticeKinds.length > 0 ? noticeKinds.join(', ') : 'none'} (sent by SCC, one per crew member)`,
  );
  const headline = /<h1>(.*?)<\/h1>/.exec(html)?.[1] ?? '';
  const time = /<p>([^<]*–[^<]*)<span>/.exec(html)?.[1]?.trim();
  out(`  guest page     ${page.status}: "${headline.replace(/&#39;/g, "'")}"${time ? `, ${time}` : ''}`);
}

/** Prints the booking's events of one revision as the tap receives them, until the whole chain has crossed the bus. */
async function followChain(
  tap: BusTap,
  bookingId: string,
  /** When the POST went out: the chain's times count from it. */
  postedAt: number,
  chain: readonly string[],
  out: DemoOutput,
  timeoutMs: number,
  revision = 1,
) {
  const seen: TappedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!chain.every((type) => seen.some((e) => e['detail-type'] === type))) {
    if (Date.now() > deadline) {
      const missing = chain.filter((type) => !seen.some((e) => e['detail-type'] === type));
      throw new Error(
        `booking ${bookingId}: no ${missing.join(', ')} within ${timeoutMs / 1000} s; ` +
          `see npx charterflow status ${bookingId} and npx charterflow dlq`,
      );
    }
    const batch = (await tap.receive({ waitSeconds: 1 }))
      .filter((e) => e.detail?.metadata?.bookingId === bookingId && e.detail.data?.booking?.revision === revision)
      .sort((a, b) => a.sentAt - b.sentAt);
    for (const event of batch) {
      const cause = seen.find((e) => e.id === event.detail.metadata.causationId);
      const hop = cause
        ? `+${event.sentAt - cause.sentAt} ms after ${cause['detail-type']}`
        : `+${event.sentAt - postedAt} ms after the POST`;
      // From the POST, not the 202: the webhook publishes BookingReceived before it answers, so the first event
      // crosses the bus before the 202 reaches us, and a time since the 202 came out negative.
      out(
        `  ${clock(event.sentAt)}  ${event['detail-type'].padEnd(24)}  ${event.source.padEnd(24)}  ${bookingId.padEnd(10)}  ${hop.padEnd(38)}  +${event.sentAt - postedAt} ms`,
      );
      seen.push(event);
    }
  }
  return seen;
}
