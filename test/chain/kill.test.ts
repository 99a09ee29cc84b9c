import { afterAll, describe, expect, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { devSecrets } from '../../local/charterflow/seed';
import { JADA_CALENDAR_TABLE, type CalendarEntry } from '../../local/stand-ins/jada-calendar';
import { SCC_EVENTS_TABLE, SCC_NOTICES_TABLE, type CrewNoticeSent, type SccEvent } from '../../local/stand-ins/scc';
import { bookingRevisionAs as revisionOf } from '../../samples';
import { calendarEntryRequest } from '../../services/calendar/calendar-entry';
import { toBookingSnapshot } from '../../services/webhook/booking';
import { parseSecrets } from '../../services/webhook/signature';
import { isRevenueLine } from '../../services/scrub/notes';
import { secretNames } from '../../shared/config';
import type { BoatsetterWebhookPayload } from '../../shared/contract/boatsetter';
import { deployedNames } from '../../shared/declaration';
import { signedDelivery } from '../../shared/signed-delivery';
import { atOffsetOf } from '../../shared/trip';

/**
 * `npm start` killed with SIGKILL mid-chain and started again on its state: Lambda's pending invocations and
 * retries are on disk (the bus's delivery journal), so every booking converges by itself within the retry
 * window, with no redrive and no dead letter: JADA, SCC, the crew's notices, the guest page and the mails.
 */

const CONSUMERS = ['calendar', 'crew', 'scrub', 'guest-page', 'guest-mail', 'booking-ledger'];
/** Short, as in the crash walk: Lambda's first retry comes after the function timeout, as in AWS. */
const FUNCTION_TIMEOUT_MS = 10_000;
const RETRY_BASE_MS = 2 * (FUNCTION_TIMEOUT_MS + 1_000);
/** Lambda's two retries, each at most its backoff plus a timeout. */
const RETRY_WINDOW_MS = RETRY_BASE_MS * 3 + 2 * FUNCTION_TIMEOUT_MS + 10_000;

const dataDir = mkdtempSync(join(tmpdir(), 'charterflow-kill-'));
const children: ChildProcess[] = [];
const webhookSecret = parseSecrets(devSecrets[secretNames.webhookSecret]!)[0]!;

interface Endpoints {
  aws: string;
  webhook: string;
  guestSite: string;
  mailbox: string;
}

/** `npm start` on the test's state directory; resolves with its endpoints once it printed them. */
function start(
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; endpoints: Endpoints; exited: Promise<NodeJS.Signals | number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts', '--data-dir', dataDir, '--port', '0'], {
    env: {
      ...process.env,
      CHARTERFLOW_FUNCTION_TIMEOUT_MS: String(FUNCTION_TIMEOUT_MS),
      CHARTERFLOW_RETRY_BASE_MS: String(RETRY_BASE_MS),
      CHARTERFLOW_HTTP_TIMEOUT_MS: '1500',
      CHARTERFLOW_HTTP_BASE_DELAY_MS: '10',
      CHARTERFLOW_HTTP_MAX_DELAY_MS: '100',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = (label: string) => new RegExp(`^\\s+${label}\\s+(http://\\S+)`, 'm').exec(output)?.[1];
      const [aws, webhook, guestSite, mailbox] = ['AWS endpoint', 'webhook', 'guest site', 'mailbox'].map(url);
      if (aws && webhook && guestSite && mailbox && output.includes('Ctrl-C stops the stack')) {
        resolve({ child, exited, endpoints: { aws, webhook, guestSite: new URL(guestSite).origin, mailbox } });
      }
    });
    void exited.then((how) => reject(new Error(`the stack exited (${how}) before it was ready:\n${output}`)));
  });
}

/** Sends a delivery; false when the stack was not there to take it (Boatsetter then sends it again). */
async function send(webhook: string, delivery: ReturnType<typeof signedDelivery>): Promise<boolean> {
  try {
    const response = await fetch(webhook, { method: 'POST', headers: delivery.headers, body: delivery.body });
    await response.text();
    return response.status === 202 || response.status === 200;
  } catch {
    return false;
  }
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

type Delivery = { payload: BoatsetterWebhookPayload; delivery: ReturnType<typeof signedDelivery> };

/** What is wrong, per booking, with what the stack's systems hold against the latest of `sent`; empty when all is right. */
async function wrongs(endpoints: Endpoints, sent: Delivery[]): Promise<string[]> {
  const config = {
    region: 'us-west-2',
    endpoint: endpoints.aws,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  const scan = async <T>(table: string) => {
    const items: T[] = [];
    for await (const page of paginateScan({ client: documents }, { TableName: table, ConsistentRead: true }))
      items.push(...((page.Items ?? []) as T[]));
    return items;
  };
  try {
    const [entries, events, notices, mails] = await Promise.all([
      scan<CalendarEntry>(JADA_CALENDAR_TABLE),
      scan<SccEvent>(SCC_EVENTS_TABLE),
      scan<CrewNoticeSent>(SCC_NOTICES_TABLE),
      fetch(new URL('/store', endpoints.mailbox)).then(
        async (r) => ((await r.json()) as { emails: { subject: string; body: { text?: string } }[] }).emails,
      ),
    ]);
    const out: string[] = [];
    for (const id of new Set(sent.map((d) => d.payload.data.booking_id))) {
      const latest = toBookingSnapshot(sent.filter((d) => d.payload.data.booking_id === id).at(-1)!.payload);
      const cancelled = latest.status === 'cancelled';
      const own = entries.filter((e) => e.bookingId === id);
      const expected = { ...calendarEntryRequest(latest), status: cancelled ? 'cancelled' : 'active' };
      if (
        own.length !== 1 ||
        Object.entries(expected).some(([f, v]) => (own[0] as unknown as Record<string, unknown>)[f] !== v)
      )
        out.push(`${id}: JADA holds ${JSON.stringify(own.map((e) => [e.start, e.partySize, e.status]))}`);
      const event = events.filter((e) => e.bookingId === id);
      if (
        event.length !== 1 ||
        event[0]!.start !== latest.trip.start ||
        event[0]!.partySize !== latest.partySize ||
        (event[0]!.status ?? 'active') !== (cancelled ? 'cancelled' : 'active')
      )
        out.push(`${id}: SCC holds ${JSON.stringify(event.map((e) => [e.start, e.partySize, e.status]))}`);
      if (event.some((e) => e.notes.split('\n').some(isRevenueLine))) out.push(`${id}: revenue lines in SCC's notes`);
      const told = notices
        .filter((n) => event.some((e) => e.eventId === n.eventId))
        .map((n) => `${n.kind}:${n.crewMember.name}`);
      if (new Set(told).size !== told.length) out.push(`${id}: a crew member told twice: ${told.join(', ')}`);
      const page = await fetch(new URL(`/g/${id}`, endpoints.guestSite)).then(async (r) => (r.ok ? r.text() : ''));
      const shows = cancelled
        ? page.includes('this charter was cancelled')
        : page.includes(`<dd>${latest.partySize} guests</dd>`);
      if (!shows) out.push(`${id}: the guest page does not show revision ${latest.revision}`);
      // Each revision was sent once the one before had settled: a confirmation, then a change or a cancellation.
      const mailed = mails.filter((m) => m.body.text?.includes(`/g/${id}`)).length;
      if (mailed !== latest.revision) out.push(`${id}: ${mailed} mail(s), ${latest.revision} expected`);
    }
    return out;
  } finally {
    documents.destroy();
  }
}

/** Waits until the systems hold what `sent` says, within the retry window; returns what is still wrong. */
async function converged(endpoints: Endpoints, sent: Delivery[]): Promise<string[]> {
  const deadline = Date.now() + RETRY_WINDOW_MS;
  let problems = await wrongs(endpoints, sent);
  while (problems.length > 0 && Date.now() < deadline) {
    await sleep(1_000);
    problems = await wrongs(endpoints, sent);
  }
  return problems;
}

async function deadLetters(endpoints: Endpoints): Promise<string[]> {
  const sqs = new SQSClient({
    region: 'us-west-2',
    endpoint: endpoints.aws,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const letters: string[] = [];
  try {
    for (const name of CONSUMERS) {
      const { QueueUrl } = await sqs.send(
        new GetQueueUrlCommand({ QueueName: deployedNames(name).deadLetterQueueName }),
      );
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
      );
      for (const m of Messages) letters.push(`${name}: ${m.MessageAttributes?.ErrorMessage?.StringValue ?? m.Body}`);
    }
  } finally {
    sqs.destroy();
  }
  return letters;
}

/**
 * Sends each delivery; returns those the stack did not take. With `retryFor`, one refused (a 5xx: a delivery the
 * killed run was taking in) is sent again until then, as Boatsetter retries.
 */
async function sendAll(webhook: string, deliveries: Delivery[], retryFor = 0): Promise<Delivery[]> {
  const unsent: Delivery[] = [];
  for (const d of deliveries) {
    const until = Date.now() + retryFor;
    let taken = await send(webhook, d.delivery);
    while (!taken && Date.now() < until) {
      await sleep(1_000);
      taken = await send(webhook, d.delivery);
    }
    if (!taken) unsent.push(d);
  }
  return unsent;
}

function killedItself(run: { exited: Promise<unknown> }): Promise<unknown> {
  return Promise.race([run.exited, sleep(90_000).then(() => 'still running')]);
}

describe('the local stack killed with SIGKILL mid-chain', () => {
  it('converges by itself once started again on its state: no redrive, no dead letter, each system once', async () => {
    const stamp = Date.now().toString(36).toUpperCase();
    const ids = Array.from({ length: 6 }, (_, i) => `KILL${i}${stamp}`.slice(0, 12));
    const delivery = (payload: BoatsetterWebhookPayload) => ({
      payload,
      delivery: signedDelivery(payload, webhookSecret),
    });
    const bookings = ids.map((id) => delivery(revisionOf(id, 1, 'booking.confirmed')));
    const changes = ids.flatMap((id, i) =>
      i % 3 === 1
        ? [
            delivery(
              revisionOf(id, 2, 'booking.modified', (d) => {
                d.trip.start = atOffsetOf(d.trip.start, Date.parse(d.trip.start) + 5_400_000);
                d.party_size = 8;
              }),
            ),
          ]
        : i % 3 === 2
          ? [delivery(revisionOf(id, 2, 'booking.cancelled'))]
          : [],
    );

    // The first run dies by its own SIGKILL the moment crew's first invocation on a new booking passes call 3.
    const first = await start({ CHARTERFLOW_KILL_AT: 'crew:3:after:1' });
    const unsentBookings = await sendAll(first.endpoints.webhook, bookings);
    expect(await killedItself(first), 'the first run should have died mid-chain').toBe('SIGKILL');

    // The second, on the same state, finishes the bookings alone, then dies the same way on a change.
    const second = await start({ CHARTERFLOW_KILL_AT: 'crew:3:after:2' });
    expect(await sendAll(second.endpoints.webhook, unsentBookings, RETRY_WINDOW_MS)).toEqual([]);
    expect(await converged(second.endpoints, bookings)).toEqual([]);
    const unsentChanges = await sendAll(second.endpoints.webhook, changes);
    expect(await killedItself(second), 'the second run should have died mid-chain').toBe('SIGKILL');

    // The third finishes the changes and cancellations alone: nothing redriven, nothing dead-lettered.
    const third = await start();
    expect(await sendAll(third.endpoints.webhook, unsentChanges, RETRY_WINDOW_MS)).toEqual([]);
    expect(await converged(third.endpoints, [...bookings, ...changes])).toEqual([]);
    expect(await deadLetters(third.endpoints)).toEqual([]);

    third.child.kill('SIGTERM');
    await third.exited;
  }, 420_000);
});
