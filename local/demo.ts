import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { openBusTap, type BusTap, type TappedEvent } from '../cli/bus-tap';
import { removedLinesOf } from '../services/scrub/removed-lines';
import { parseSecrets } from '../services/webhook/signature';
import { bookingsTable, secretNames } from '../shared/config';
import { signedDelivery } from '../shared/signed-delivery';
import { bookingKey } from '../shared/tables';
import { bookingConfirmed, bookingConfirmedAs } from '../test/fixtures';
import type { LocalStack } from './stack';
import { JADA_CALENDAR_TABLE } from './stand-ins/jada-calendar';
import { SCC_EVENTS_TABLE } from './stand-ins/scc';

/**
 * `npm run demo`: the sample booking, signed, through the running stack; each event of the chain printed as
 * it crosses the bus (seen by a tap: a rule with an SQS target, as an operator would watch it), then what
 * the guest, the crew and the operator see. The stack is the caller's: it stays up afterwards.
 */

export const SAMPLE_BOOKING_ID = 'XHQGMDH';
/** The chain one booking sets off, in causal order (the last two both follow CrewEventCreated). */
export const CHAIN = ['BookingReceived', 'CalendarEntryCreated', 'CrewEventCreated', 'CrewNotesScrubbed', 'GuestPagePublished'] as const;

export type DemoOutput = (line: string) => void;

export interface DemoOptions {
  /** How long to wait for the whole chain before saying what is missing (default 60 s). */
  timeoutMs?: number;
}

export interface DemoResult {
  bookingId: string;
  /** Detail-types in the order they were printed. */
  events: string[];
  guestPageUrl: string;
  guestPageStatus: number;
}

const clock = (epochMs: number) => new Date(epochMs).toISOString().slice(11, 23);

export async function runDemo(stack: LocalStack, out: DemoOutput = console.log, options: DemoOptions = {}): Promise<DemoResult> {
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
    tap = await openBusTap(events, sqs, { name: `charterflow-demo-tap-${randomBytes(3).toString('hex')}`, description: 'npm run demo (temporary)' });

    const bookingId = await pickBookingId(documents, out);
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
    const payload = bookingId === SAMPLE_BOOKING_ID ? bookingConfirmed() : bookingConfirmedAs(bookingId);
    const delivery = signedDelivery(payload, parseSecrets(SecretString!)[0]!);
    const url = new URL('/webhooks/boatsetter', stack.endpoints.webhook);
    const sentAt = Date.now();
    const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
    const acceptedAt = Date.now();
    const answer = await response.text();
    if (response.status !== 202) throw new Error(`the webhook answered ${response.status} to the signed sample: ${answer}`);
    out(`POST ${url.pathname}  booking ${bookingId}, signed (webhook-id ${delivery.headers['webhook-id']})  ->  202 in ${acceptedAt - sentAt} ms at ${clock(acceptedAt)}`);
    out('');
    out('The chain, as each event crosses the bus:');
    out(`  ${'time'.padEnd(12)}  ${'detail-type'.padEnd(21)}  ${'source'.padEnd(24)}  ${'booking'.padEnd(10)}  ${'hop'.padEnd(38)}  since the 202`);

    const seen = await followChain(tap, bookingId, { sentAt, acceptedAt }, out, options.timeoutMs ?? 60_000);
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
    out(`  ${page.status} ${page.headers.get('content-type') ?? ''}, ${Buffer.byteLength(html)} bytes, served through the CloudFront Function`);

    out('');
    const { Item: sccItem } = await documents.send(new GetCommand({ TableName: SCC_EVENTS_TABLE, Key: { eventId: sccEventId }, ConsistentRead: true }));
    out(`SCC crew event ${sccEventId}, notes as the crew see them (scrubbed):`);
    for (const line of String(sccItem?.notes ?? '(no notes)').split('\n')) out(`  | ${line}`);

    out('');
    const removed = await removedLinesOf(documents, bookingId);
    out('Revenue lines removed from those notes, kept in our store for the operator:');
    const lines = removed.flatMap((r) => r.lines);
    if (lines.length === 0) out('  (none)');
    for (const line of lines) out(`  - ${line}`);

    out('');
    const { Item: entry } = await documents.send(new GetCommand({ TableName: JADA_CALENDAR_TABLE, Key: { entryId: calendarEntryId }, ConsistentRead: true }));
    out(`JADA calendar entry ${calendarEntryId}:`);
    if (entry) {
      out(`  ${entry.title}`);
      out(`  ${entry.date}, starts ${entry.start}, ${entry.durationHours} h, boat ${entry.boat}, party of ${entry.partySize}`);
    } else out('  (not found in jada-calendar-entries)');

    out('');
    out(`More: npx charterflow status ${bookingId}   (its timeline)   |   npx charterflow tail   (events as they come)`);
    out(`Mailbox (the renter's mails through the local SES): ${stack.endpoints.mailbox}`);
    return { bookingId, events: seen.map((e) => e['detail-type']), guestPageUrl, guestPageStatus: page.status };
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
    out(`Sending the sample booking ${SAMPLE_BOOKING_ID} (test/fixtures/boatsetter/booking-confirmed.json).`);
    return SAMPLE_BOOKING_ID;
  }
  const fresh = `DM${Date.now().toString(36).toUpperCase()}`.slice(0, 12);
  out(`Booking ${SAMPLE_BOOKING_ID} was already done in this stack's state: sending the same sample as booking ${fresh}.`);
  return fresh;
}

/** Prints the booking's events as the tap receives them, until the whole chain has crossed the bus. */
async function followChain(
  tap: BusTap,
  bookingId: string,
  post: { sentAt: number; acceptedAt: number },
  out: DemoOutput,
  timeoutMs: number,
) {
  const seen: TappedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!CHAIN.every((type) => seen.some((e) => e['detail-type'] === type))) {
    if (Date.now() > deadline) {
      const missing = CHAIN.filter((type) => !seen.some((e) => e['detail-type'] === type));
      throw new Error(
        `booking ${bookingId}: no ${missing.join(', ')} within ${timeoutMs / 1000} s; ` +
          `see npx charterflow status ${bookingId} and npx charterflow dlq`,
      );
    }
    const batch = (await tap.receive({ waitSeconds: 1 }))
      .filter((e) => e.detail?.metadata?.bookingId === bookingId)
      .sort((a, b) => a.sentAt - b.sentAt);
    for (const event of batch) {
      const cause = seen.find((e) => e.id === event.detail.metadata.causationId);
      // BookingReceived crosses the bus before the 202 reaches us (the webhook publishes, then answers).
      const hop = cause ? `+${event.sentAt - cause.sentAt} ms after ${cause['detail-type']}` : `+${event.sentAt - post.sentAt} ms after the POST`;
      const since202 = event.sentAt - post.acceptedAt;
      out(
        `  ${clock(event.sentAt)}  ${event['detail-type'].padEnd(21)}  ${event.source.padEnd(24)}  ${bookingId.padEnd(10)}  ${hop.padEnd(38)}  ${since202 >= 0 ? '+' : ''}${since202} ms`,
      );
      seen.push(event);
    }
  }
  return seen;
}
