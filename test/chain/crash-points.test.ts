import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { DeleteMessageBatchCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startStack, type LocalStack } from '../../local/charterflow/stack';
import { devSecrets, GUEST_SITE_BUCKET } from '../../local/charterflow/seed';
import { JADA_CALENDAR_TABLE, type CalendarEntry } from '../../local/stand-ins/jada-calendar';
import {
  SCC_EVENTS_TABLE,
  SCC_INVITATIONS_TABLE,
  SCC_NOTICES_TABLE,
  type CrewInvitation,
  type CrewNoticeSent,
  type SccEvent,
} from '../../local/stand-ins/scc';
import { bookingRevisionAs as revisionOf } from '../../samples';
import { calendarEntryRequest } from '../../services/calendar/calendar-entry';
import { declaration as calendarDeclaration } from '../../services/calendar/declaration';
import { jadaCalendarApi } from '../../services/calendar/jada-calendar-api';
import { pageKey } from '../../services/guest-page/publish';
import { isRevenueLine } from '../../services/scrub/notes';
import { toBookingSnapshot } from '../../services/webhook/booking';
import { parseSecrets } from '../../services/webhook/signature';
import { documentClient, dynamoDbClient, eventBridgeClient, secretsManagerClient } from '../../shared/aws';
import { region, secretNames } from '../../shared/config';
import type { BoatsetterWebhookPayload } from '../../shared/contract/boatsetter';
import { followUpMetadata } from '../../shared/contract/metadata';
import { consumer } from '../../shared/consumer';
import {
  setCrashPlanner,
  underCrashPlan,
  type CrashInvocation,
  type CrashPhase,
  type CrashPlan,
} from '../../shared/crash-points';
import { deployedNames } from '../../shared/declaration';
import { callContextOf } from '../../shared/http-client';
import { Publisher } from '../../shared/publisher';
import { SecretCache } from '../../shared/secrets';
import { signedDelivery } from '../../shared/signed-delivery';
import { atOffsetOf } from '../../shared/trip';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bookingsTable } from '../../shared/config';

/**
 * Every consumer stopped at every downstream call, before it and after it, on a new booking, a change and a
 * cancellation: a clean run numbers each (consumer, scenario, event)'s calls, then one booking per crash point
 * runs the scenario with its invocation stopped there, Lambda's retries (short, as in tests) finish it, and
 * every system must hold what the latest revision says, once: JADA, SCC (its events, its notes, its crew
 * notices), the guest site bucket and its edge, the renter's mailbox; no dead letter, no revenue line.
 * A deliberately broken calendar (it records its decision after acting) shows the walk catches the mistake.
 */

const CONSUMERS = ['calendar', 'crew', 'scrub', 'guest-page', 'guest-mail', 'booking-ledger'];
/**
 * The function timeout the stack gives every consumer here, and Lambda's retries after a failure: the first
 * comes after the timeout (as in AWS, where it comes a minute later, over the 29-s timeout), so a lease that
 * lasts the invocation's time has run out when the retry comes.
 */
const FUNCTION_TIMEOUT_MS = 10_000;
const LAMBDA_BACKOFF = { baseMs: 2 * (FUNCTION_TIMEOUT_MS + 1_000), maxMs: 4 * (FUNCTION_TIMEOUT_MS + 1_000) };
const WALK_TIMEOUT_MS = 900_000;
/** Crash runs started together. */
const WAVE = Number(process.env.CRASH_WALK_WAVE ?? 120);

type ScenarioName = 'new booking' | 'change' | 'cancellation';
interface Scenario {
  /** Revisions sent and settled before the one under test. */
  before: (bookingId: string) => BoatsetterWebhookPayload[];
  /** The revision under test: its invocations are counted, and crashed. */
  target: (bookingId: string) => BoatsetterWebhookPayload;
}

const later = (start: string, hours: number) => atOffsetOf(start, Date.parse(start) + hours * 3_600_000);

const scenarios: Record<ScenarioName, Scenario> = {
  'new booking': { before: () => [], target: (id) => revisionOf(id, 1, 'booking.confirmed') },
  change: {
    before: (id) => [revisionOf(id, 1, 'booking.confirmed')],
    // Later, longer and a bigger party: JADA, SCC (a second deckhand invited, the crew told), the page and a mail.
    target: (id) =>
      revisionOf(id, 2, 'booking.modified', (d) => {
        d.trip.start = later(d.trip.start, 1.5);
        d.trip.duration_hours = 4;
        d.party_size = 8;
      }),
  },
  cancellation: {
    before: (id) => [revisionOf(id, 1, 'booking.confirmed')],
    target: (id) => revisionOf(id, 2, 'booking.cancelled'),
  },
};

/** One crash point: a consumer's invocation on one event of a scenario, stopped at call `at`, before or after it. */
interface CrashRun {
  scenario: ScenarioName;
  consumer: string;
  detailType: string;
  at: number;
  phase: CrashPhase;
  /** The call the clean run made there ("DynamoDB.UpdateItem", "scc createCrewEvent"). */
  call: string;
  /** The call the clean run made just before this one, if any. */
  previousCall?: string;
  bookingId: string;
  revision: number;
  plan?: CrashPlan;
}

/**
 * The one window no consumer can close: SES takes no idempotency key, so guest-mail stopped after SES accepted
 * a mail and before it recorded it as sent cannot know it went out, and its retry sends it again. guest-mail
 * chose at least once there (a lost cancellation is worse than a second copy): at such a point the renter must
 * get exactly the clean run's mails plus one more copy of the mail being sent, and nothing else.
 */
const MAIL_OF: Record<string, string> = {
  GuestPagePublished: 'confirmation',
  GuestPageUpdated: 'change',
  GuestPageWithdrawn: 'cancellation',
};
const isSendEmail = (call: string | undefined) => call?.startsWith('SESv2.SendEmail') ?? false;
const betweenSendAndRecord = (run: Pick<CrashRun, 'consumer' | 'phase' | 'call' | 'previousCall'>) =>
  run.consumer === 'guest-mail' &&
  ((run.phase === 'after' && isSendEmail(run.call)) || (run.phase === 'before' && isSendEmail(run.previousCall)));

/** What the systems hold for one booking. */
interface Held {
  entries: CalendarEntry[];
  events: SccEvent[];
  invitations: string[];
  notices: string[];
  pageInBucket?: string;
  pageAtEdge: { status: number; html: string };
  mails: string[];
  deadLetters: string[];
}

let stack: LocalStack;
let documents: DynamoDBDocumentClient;
let s3: S3Client;
let sqs: SQSClient;
let webhookSecret: string;
const deadLetters = new Map<string, string[]>();
let bookingCount = 0;
const newBookingId = (prefix: string) =>
  `${prefix}${String(++bookingCount).padStart(5, '0')}${Date.now() % 100_000}`.slice(0, 12);

// Who the planner stops, and whose clean run it counts: by booking.
const crashes = new Map<string, CrashRun>();
const counts = new Map<string, { revision: number; plans: Map<string, CrashPlan> }>();

function plan(invocation: CrashInvocation): CrashPlan | undefined {
  const run = crashes.get(invocation.bookingId);
  if (
    run &&
    !run.plan &&
    invocation.consumer === run.consumer &&
    invocation.detailType === run.detailType &&
    invocation.revision === run.revision
  ) {
    run.plan = { at: run.at, phase: run.phase, calls: [] };
    return run.plan;
  }
  const count = counts.get(invocation.bookingId);
  const key = `${invocation.consumer}|${invocation.detailType}`;
  if (count && invocation.revision === count.revision && !count.plans.has(key)) {
    const counting: CrashPlan = { calls: [] };
    count.plans.set(key, counting);
    return counting;
  }
  return undefined;
}

/** One webhook delivery, sent again on a 5xx as Boatsetter does (a few seconds apart here, for up to a minute). */
async function send(payload: BoatsetterWebhookPayload): Promise<void> {
  const delivery = signedDelivery(payload, webhookSecret);
  const until = Date.now() + 60_000;
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(new URL('/webhooks/boatsetter', stack.endpoints.webhook), {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    }).catch(() => undefined);
    const text = (await response?.text()) ?? 'no answer';
    if ((response && response.status < 500) || Date.now() > until) {
      expect(response?.status, text).toBe(202);
      return;
    }
    await sleep(Math.min(500 * attempt, 3_000));
  }
}

/** Runs the scenario for each booking at once: the earlier revisions first, settled, then the one under test. */
async function runScenarios(runs: { scenario: ScenarioName; bookingId: string }[]): Promise<void> {
  await sendAll(runs.flatMap(({ scenario, bookingId }) => scenarios[scenario].before(bookingId)));
  await stack.eventBridge.idle();
  await sendAll(runs.map(({ scenario, bookingId }) => scenarios[scenario].target(bookingId)));
  await stack.eventBridge.idle();
}

/** A few webhook deliveries at a time, as Boatsetter sends them: the chains they start run all at once. */
async function sendAll(payloads: BoatsetterWebhookPayload[]): Promise<void> {
  const queue = [...payloads];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await send(next);
    }),
  );
}

async function scan<T>(table: string): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateScan({ client: documents }, { TableName: table, ConsistentRead: true })) {
    items.push(...((page.Items ?? []) as T[]));
  }
  return items;
}

/** Moves every dead letter so far into `deadLetters`, by booking. */
async function collectDeadLetters(): Promise<void> {
  for (const name of CONSUMERS) {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: deployedNames(name).deadLetterQueueName }));
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        const event = JSON.parse(message.Body ?? '{}') as {
          'detail-type'?: string;
          detail?: { metadata?: { bookingId?: string } };
        };
        const bookingId = event.detail?.metadata?.bookingId ?? '?';
        const error =
          message.MessageAttributes?.ErrorMessage?.StringValue ?? message.MessageAttributes?.ERROR_MESSAGE?.StringValue;
        deadLetters.set(bookingId, [
          ...(deadLetters.get(bookingId) ?? []),
          `${name} on ${event['detail-type']}: ${error}`,
        ]);
      }
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }
}

interface StoredMail {
  subject: string;
  body: { text?: string };
}

/** What every system holds, for each of these bookings. */
async function heldBy(bookingIds: string[]): Promise<Map<string, Held>> {
  await collectDeadLetters();
  const [entries, events, invitations, notices, mailbox] = await Promise.all([
    scan<CalendarEntry>(JADA_CALENDAR_TABLE),
    scan<SccEvent>(SCC_EVENTS_TABLE),
    scan<CrewInvitation>(SCC_INVITATIONS_TABLE),
    scan<CrewNoticeSent>(SCC_NOTICES_TABLE),
    fetch(new URL('/store', stack.endpoints.mailbox)).then(
      async (r) => ((await r.json()) as { emails: StoredMail[] }).emails,
    ),
  ]);
  const held = new Map<string, Held>();
  await Promise.all(
    bookingIds.map(async (bookingId) => {
      const own = events.filter((e) => e.bookingId === bookingId);
      const eventIds = new Set(own.map((e) => e.eventId));
      const page = await fetch(new URL(`/g/${bookingId}`, stack.endpoints.guestSite));
      const object = await s3
        .send(new GetObjectCommand({ Bucket: GUEST_SITE_BUCKET, Key: pageKey(bookingId) }))
        .then((o) => o.Body!.transformToString())
        .catch(() => undefined);
      held.set(bookingId, {
        entries: entries.filter((e) => e.bookingId === bookingId),
        events: own,
        invitations: invitations
          .filter((i) => eventIds.has(i.eventId))
          .map((i) => i.crewMember.name)
          .sort(),
        notices: notices
          .filter((n) => eventIds.has(n.eventId))
          .map((n) => `${n.kind}:${n.crewMember.name}`)
          .sort(),
        pageInBucket: object,
        pageAtEdge: { status: page.status, html: await page.text() },
        mails: mailbox
          .filter((m) => m.body.text?.includes(`/g/${bookingId}`))
          .map((m) =>
            m.subject.endsWith('is cancelled')
              ? 'cancellation'
              : m.subject.endsWith('what changed')
                ? 'change'
                : 'confirmation',
          )
          .sort(),
        deadLetters: deadLetters.get(bookingId) ?? [],
      });
    }),
  );
  return held;
}

/**
 * What is wrong with what the systems hold for a booking after its scenario, against the latest revision and
 * against a clean run of the same scenario (the crew told, the mails sent). Empty when all is right.
 */
function wrongs(
  scenario: ScenarioName,
  bookingId: string,
  held: Held,
  clean: Held,
  /** A mail that may go out once more than in the clean run (a crash between SES and its record). */
  resent?: string,
): string[] {
  const latest = toBookingSnapshot(scenarios[scenario].target(bookingId));
  const cancelled = latest.status === 'cancelled';
  const out: string[] = [];
  if (held.deadLetters.length > 0) out.push(`dead-lettered: ${held.deadLetters.join('; ')}`);
  if (held.entries.length !== 1) out.push(`${held.entries.length} JADA entries`);
  else {
    const entry = held.entries[0]!;
    const expected = { ...calendarEntryRequest(latest), status: cancelled ? 'cancelled' : 'active' };
    const differing = Object.entries(expected).filter(
      ([field, value]) => (entry as unknown as Record<string, unknown>)[field] !== value,
    );
    if (differing.length > 0) out.push(`JADA entry differs in ${differing.map(([f]) => f).join(', ')}`);
  }
  if (held.events.length !== 1) out.push(`${held.events.length} SCC events`);
  else {
    const event = held.events[0]!;
    const expected = {
      start: latest.trip.start,
      durationHours: latest.trip.durationHours,
      partySize: latest.partySize,
      status: cancelled ? 'cancelled' : 'active',
    };
    const differing = Object.entries(expected).filter(
      ([field, value]) =>
        (event as unknown as Record<string, unknown>)[field] !== value &&
        !(field === 'status' && value === 'active' && event.status === undefined),
    );
    if (differing.length > 0) out.push(`SCC event differs in ${differing.map(([f]) => f).join(', ')}`);
  }
  for (const event of held.events) {
    const revenue = event.notes.split('\n').filter(isRevenueLine);
    if (revenue.length > 0)
      out.push(`${revenue.length} revenue line(s) in the ${event.status ?? 'active'} SCC event's notes`);
  }
  // Which deckhand a booking gets is the roster's choice: the crew are compared by how many, and told once each.
  const twice = (list: string[]) => list.filter((item, i) => list.indexOf(item) !== i);
  if (held.invitations.length !== clean.invitations.length || twice(held.invitations).length > 0)
    out.push(`crew invited [${held.invitations.join(', ')}], a clean run invites ${clean.invitations.length}`);
  const kinds = (notices: string[]) =>
    notices
      .map((n) => n.split(':')[0])
      .sort()
      .join();
  if (kinds(held.notices) !== kinds(clean.notices) || twice(held.notices).length > 0)
    out.push(`crew notices [${held.notices.join(', ')}], a clean run sends [${kinds(clean.notices)}]`);
  const expectedMails = resent ? [...clean.mails, resent].sort() : clean.mails;
  if (held.mails.join() !== expectedMails.join())
    out.push(`mails [${held.mails.join(', ')}], expected [${expectedMails.join(', ')}]`);
  const markers = cancelled
    ? ['this charter was cancelled']
    : [`<dd>${latest.partySize} guests</dd>`, scenario === 'change' ? '6:30 PM' : '5:00 PM'];
  for (const [where, html] of [
    ['bucket', held.pageInBucket ?? ''],
    ['edge', held.pageAtEdge.status === 200 ? held.pageAtEdge.html : ''],
  ] as const) {
    const missing = markers.filter((m) => !html.includes(m));
    if (missing.length > 0) out.push(`guest page (${where}) lacks ${missing.join(', ')}`);
    if (cancelled && html.includes('guests')) out.push(`guest page (${where}) still shows the trip`);
  }
  return out;
}

beforeAll(async () => {
  // Before any handler is imported: the SDK clients carry the crash points only when asked as they are made.
  process.env.CHARTERFLOW_CRASH_POINTS = '1';
  Object.assign(process.env, {
    CHARTERFLOW_HTTP_TIMEOUT_MS: '2500',
    CHARTERFLOW_HTTP_BASE_DELAY_MS: '10',
    CHARTERFLOW_HTTP_MAX_DELAY_MS: '100',
    CHARTERFLOW_HTTP_MAX_ATTEMPTS: '3',
  });
  stack = await startStack({
    ephemeral: true,
    ports: { aws: 0, webhook: 0, guestSite: 0, standIns: {} },
    standIns: true,
    backoff: LAMBDA_BACKOFF,
    functionTimeoutMs: FUNCTION_TIMEOUT_MS,
  });
  stack.lambda.setConcurrency(100);
  Object.assign(process.env, stack.env);
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: region(), endpoint: stack.endpoints.aws }));
  s3 = new S3Client({ region: region(), endpoint: stack.endpoints.aws, forcePathStyle: true });
  sqs = new SQSClient({ region: region(), endpoint: stack.endpoints.aws });
  webhookSecret = parseSecrets(devSecrets[secretNames.webhookSecret]!)[0]!;
  setCrashPlanner(plan);
}, 60_000);

afterAll(async () => {
  setCrashPlanner(undefined);
  documents?.destroy();
  s3?.destroy();
  sqs?.destroy();
  await stack?.stop();
  delete process.env.CHARTERFLOW_CRASH_POINTS;
});

/** Counts the calls of each (consumer, event) of each scenario on clean runs, and keeps what those runs left. */
async function cleanRuns(names: ScenarioName[] = Object.keys(scenarios) as ScenarioName[]) {
  // A first booking of each scenario warms every function (its cold start reads secrets a warm one has cached).
  await runScenarios(names.map((scenario) => ({ scenario, bookingId: newBookingId('W') })));
  const runs = names.flatMap((scenario) =>
    [0, 1].map(() => {
      const bookingId = newBookingId('K');
      counts.set(bookingId, { revision: scenarios[scenario].target(bookingId).data.revision, plans: new Map() });
      return { scenario, bookingId };
    }),
  );
  await runScenarios(runs);
  const held = await heldBy(runs.map((r) => r.bookingId));
  const points = new Map<ScenarioName, Map<string, string[]>>();
  const clean = new Map<ScenarioName, Held>();
  for (const { scenario, bookingId } of runs) {
    const calls = new Map([...counts.get(bookingId)!.plans].map(([key, plan]) => [key, plan.calls]));
    const first = points.get(scenario);
    // Two clean runs of one scenario make the same calls in the same order, or the walk would aim at nothing.
    if (first) expect(Object.fromEntries(calls), scenario).toEqual(Object.fromEntries(first));
    else points.set(scenario, calls);
    expect(wrongs(scenario, bookingId, held.get(bookingId)!, held.get(bookingId)!), `clean ${scenario}`).toEqual([]);
    clean.set(scenario, held.get(bookingId)!);
  }
  return { points, clean };
}

function crashRunsOf(
  points: Map<ScenarioName, Map<string, string[]>>,
  only?: (consumer: string) => boolean,
): CrashRun[] {
  const runs: CrashRun[] = [];
  for (const [scenario, byInvocation] of points) {
    for (const [key, calls] of byInvocation) {
      const [consumer, detailType] = key.split('|') as [string, string];
      if (only && !only(consumer)) continue;
      calls.forEach((call, index) => {
        for (const phase of ['before', 'after'] as const) {
          const bookingId = newBookingId('X');
          runs.push({
            scenario,
            consumer,
            detailType,
            at: index + 1,
            phase,
            call,
            ...(index > 0 ? { previousCall: calls[index - 1] } : {}),
            bookingId,
            revision: scenarios[scenario].target(bookingId).data.revision,
          });
        }
      });
    }
  }
  return runs;
}

/** Runs each crash run on its own booking, a wave at a time, and says what went wrong on each. */
async function walk(runs: CrashRun[], clean: Map<ScenarioName, Held>) {
  for (const run of runs) crashes.set(run.bookingId, run);
  // In waves: a chain's retries wait on the clock, not on the cores, so a wave is as long as one chain.
  const results: { run: CrashRun; problems: string[]; covered: boolean }[] = [];
  for (let i = 0; i < runs.length; i += WAVE) {
    const wave = runs.slice(i, i + WAVE);
    await runScenarios(wave);
    const held = await heldBy(wave.map((r) => r.bookingId));
    for (const run of wave) {
      const resent = betweenSendAndRecord(run) ? MAIL_OF[run.detailType] : undefined;
      const problems = wrongs(run.scenario, run.bookingId, held.get(run.bookingId)!, clean.get(run.scenario)!, resent);
      const crashed = run.plan?.crashed;
      if (!crashed) problems.unshift(`no crash: the invocation made ${run.plan?.calls.length ?? 'no'} call(s)`);
      else if (crashed.call !== run.call)
        problems.unshift(`crashed at ${crashed.call}, the clean run called ${run.call} there`);
      results.push({ run, problems, covered: crashed?.call === run.call });
      // As it goes: a walk cut short by its timeout still says what it found.
      if (problems.length > 0) console.log(`FAILED ${label(run)}: ${problems.join(' | ')}`);
    }
    console.log(`walked ${results.length} of ${runs.length} crash points`);
  }
  return results;
}

const label = (run: CrashRun) =>
  `${run.scenario} / ${run.consumer} on ${run.detailType} / ${run.phase} call ${run.at} (${run.call})`;

describe('a crash at every downstream call of every consumer', () => {
  it(
    'converges through Lambda retries: each system holds the latest revision once, the crew and the renter hear once',
    async () => {
      const { points, clean } = await cleanRuns();
      const runs = crashRunsOf(points);
      for (const [scenario, byInvocation] of points)
        for (const [key, calls] of byInvocation)
          console.log(`${scenario} / ${key.replace('|', ' on ')}: ${calls.join(', ')}`);
      console.log(`crash points to walk: ${runs.length}`);
      const results = await walk(runs, clean);

      const covered = results.filter((r) => r.covered);
      const byConsumer = CONSUMERS.map(
        (name) => `${name} ${covered.filter((r) => r.run.consumer === name).length}`,
      ).join(', ');
      console.log(`crash points covered: ${covered.length} of ${runs.length} (${byConsumer})`);
      const failed = results.filter((r) => r.problems.length > 0);
      console.log(`crash points failing: ${failed.length} of ${runs.length}`);
      const resending = runs.filter(betweenSendAndRecord).length;
      console.log(`crash points between SES accepting a mail and its record (one more copy allowed): ${resending}`);
      expect(covered.length).toBe(runs.length);
      expect(failed.map((f) => `${label(f.run)}: ${f.problems.join(' | ')}`)).toEqual([]);
    },
    WALK_TIMEOUT_MS,
  );
});

/**
 * The mistake the walk is for: a calendar that makes its decision (the entry's Idempotency-Key) anew on every
 * attempt and records it only after JADA acted on it. A crash after the create leaves a JADA entry the retry
 * does not know of, and the retry creates another.
 */
function calendarThatRecordsAfterActing() {
  const records = documentClient(dynamoDbClient());
  const publisher = new Publisher(eventBridgeClient());
  const jada = jadaCalendarApi(new SecretCache(secretsManagerClient()));
  return consumer(calendarDeclaration, async (event, { logger }) => {
    const { booking } = event.detail.data;
    const Key = { pk: `BOOKING#${booking.bookingId}`, sk: 'STATE#calendar-that-records-after-acting' };
    const { Item } = await records.send(new GetCommand({ TableName: bookingsTable(), Key, ConsistentRead: true }));
    if (((Item?.revision as number | undefined) ?? 0) >= booking.revision) return { outcome: 'duplicate' };
    const call = { ...callContextOf(event, { logger }), idempotencyKey: randomUUID() };
    const { entryId } = await jada.createEntry(calendarEntryRequest(booking), call);
    await publisher.publishOne('CalendarEntryCreated', {
      metadata: followUpMetadata(event, 'CalendarEntryCreated'),
      data: { booking, calendarEntryId: entryId },
    });
    await records.send(new PutCommand({ TableName: bookingsTable(), Item: { ...Key, revision: booking.revision } }));
    return { outcome: 'acted' };
  });
}

describe('a calendar that records its decision after acting', () => {
  it(
    'is caught by the walk: a crash after the JADA call leaves a second JADA entry',
    async () => {
      const broken = calendarThatRecordsAfterActing();
      const handler = (event: unknown, context: Context) => broken(event as never, context);
      stack.lambda.register(deployedNames('calendar').functionName, () => Promise.resolve(handler));
      const { points, clean } = await cleanRuns(['new booking']);
      const runs = crashRunsOf(points, (consumer) => consumer === 'calendar');
      const results = await walk(runs, clean);
      const failed = results
        .filter((r) => r.problems.length > 0)
        .map((r) => `${label(r.run)}: ${r.problems.join(' | ')}`);
      console.log(
        `the broken calendar fails ${failed.length} of ${runs.length} crash points:\n  ${failed.join('\n  ')}`,
      );
      expect(failed).toContainEqual(
        expect.stringMatching(/after call \d+ \(jada-calendar createCalendarEntry\).*2 JADA entries/),
      );
    },
    WALK_TIMEOUT_MS,
  );
});

/**
 * A function whose every invocation is a cold start: handler.ts imported anew each time, so its clients and
 * secret cache are new and it reads its secrets from Secrets Manager, which a warm function has cached.
 */
function coldEveryTime(name: string): void {
  const file = pathToFileURL(join(process.cwd(), 'services', name, 'handler.ts')).href;
  let starts = 0;
  const handler = async (event: unknown, context: Context) => {
    const module = (await import(`${file}?cold=${++starts}`)) as {
      handler: (event: unknown, context: Context) => Promise<unknown>;
    };
    return module.handler(event, context);
  };
  stack.lambda.register(deployedNames(name).functionName, () => Promise.resolve(handler));
}

describe('a crash at a cold start', () => {
  it(
    'at the Secrets Manager read a warm function skips: converges the same',
    async () => {
      for (const name of ['calendar', 'crew', 'guest-page']) coldEveryTime(name);
      const { points, clean } = await cleanRuns();
      const runs = crashRunsOf(points).filter((run) => run.call.startsWith('SecretsManager.'));
      const results = await walk(runs, clean);
      const covered = results.filter((r) => r.covered);
      console.log(`cold-start crash points covered: ${covered.length} of ${runs.length}`);
      expect(runs.length).toBeGreaterThan(0);
      expect(covered.length).toBe(runs.length);
      expect(
        results.filter((r) => r.problems.length > 0).map((r) => `${label(r.run)}: ${r.problems.join(' | ')}`),
      ).toEqual([]);
    },
    WALK_TIMEOUT_MS,
  );
});

/**
 * The webhook under the same crash plans: it is no consumer (an HTTP handler answers Boatsetter, whose
 * redelivery is the retry), so its invocation is planned here, around the handler the stack loads.
 */
function webhookUnderCrashPlans(): void {
  const file = pathToFileURL(join(process.cwd(), 'services', 'webhook', 'handler.ts')).href;
  const intake = import(file) as Promise<{ handler: (event: unknown, context: Context) => Promise<unknown> }>;
  const handler = async (event: unknown, context: Context) => {
    const { handler: answer } = await intake;
    const request = event as { body?: string; isBase64Encoded?: boolean };
    const text = request.isBase64Encoded ? Buffer.from(request.body ?? '', 'base64').toString() : (request.body ?? '');
    const body = JSON.parse(text || '{}') as Partial<BoatsetterWebhookPayload>;
    const invocation = () => ({
      consumer: 'webhook',
      detailType: body.type ?? '',
      bookingId: body.data?.booking_id ?? '',
      revision: body.data?.revision ?? 0,
      eventId: '',
      requestId: context.awsRequestId,
    });
    return underCrashPlan(invocation, () => answer(event, context));
  };
  stack.lambda.register(deployedNames('webhook').functionName, () => Promise.resolve(handler));
}

describe('a crash in the webhook intake', () => {
  it(
    'at every call, retried by Boatsetter: converges the same',
    async () => {
      webhookUnderCrashPlans();
      const { points, clean } = await cleanRuns();
      const runs = crashRunsOf(points, (consumer) => consumer === 'webhook');
      const results = await walk(runs, clean);
      const covered = results.filter((r) => r.covered);
      console.log(`webhook crash points covered: ${covered.length} of ${runs.length}`);
      expect(runs.length).toBeGreaterThan(0);
      expect(covered.length).toBe(runs.length);
      expect(
        results.filter((r) => r.problems.length > 0).map((r) => `${label(r.run)}: ${r.problems.join(' | ')}`),
      ).toEqual([]);
    },
    WALK_TIMEOUT_MS,
  );
});
