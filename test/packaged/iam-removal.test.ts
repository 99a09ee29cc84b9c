import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type BusTap, openBusTap, type TappedEvent } from '../../cli/bus-tap';
import type { Io } from '../../cli/args';
import { runReplay } from '../../cli/replay';
import { unzipFunction } from '../../local/aws/cloudformation/package-dir';
import type { Authorization, FunctionPrincipal, PolicyStatement, Refusal } from '../../local/aws/iam/index';
import type { IsolatedLambda } from '../../local/lambda/isolated';
import { devSecrets } from '../../local/charterflow/seed';
import { type LocalStack, startStack } from '../../local/charterflow/stack';
import { bookingIdNumber, bookingRevisionAs } from '../../samples';
import { busName, secretNames } from '../../shared/config';
import { deployedNames } from '../../shared/declaration';
import { signedDelivery } from '../../shared/signed-delivery';
import { PRIVATE_PARTITION_PREFIX } from '../../shared/tables';
import { atOffsetOf } from '../../shared/trip';
import { isPackaged, stackMode } from '../stack-mode';

/**
 * Least privilege, proven one permission at a time. A baseline run of each scenario (a booking confirmed,
 * changed, cancelled; an event a consumer cannot read) records every call each function's role allowed. Then,
 * for each function, each statement of its inline policy and each action in it, the role loses just that action,
 * the scenario that used it runs again, and the stack must refuse exactly calls the baseline made through it
 * (nothing else), and the event must land in the function's dead-letter queue with AWS's AccessDenied message.
 * A condition is withdrawn by making it match no partition (an Allow's condition narrows it: removing it would
 * widen the grant), and shown to be the part that refuses a call on the other side of it.
 * An action no scenario uses is over-privilege unless it is in UNUSED below, each with its reason.
 */

const CONSUMERS = ['calendar', 'crew', 'scrub', 'guest-page', 'guest-mail', 'booking-ledger'] as const;
const SERVICES = ['webhook', ...CONSUMERS] as const;
type Service = (typeof SERVICES)[number];

/**
 * Granted and never called by the function's code in any scenario, each for its reason. Keyed "<action> on
 * <part of the statement's resource>".
 */
const LAMBDA_LOGS = {
  'logs:CreateLogStream on log-group':
    'Lambda writes the function’s log stream with its role; the code never calls Logs',
  'logs:PutLogEvents on log-group': 'Lambda writes the function’s log events with its role; the code never calls Logs',
};
/** The same six actions on every table a consumer owns (deploy/iam.ts), whatever its code calls. */
const OWN_TABLE = 'deploy/iam.ts grants each own table six actions; the code does not make this call: over-privilege';
const UNUSED: Record<Service, Record<string, string>> = {
  webhook: {
    ...LAMBDA_LOGS,
    'dynamodb:DeleteItem on table/charterflow-local-bookings':
      'releases a delivery claim left by a crashed invocation: no scenario here crashes one',
    'dynamodb:GetItem on table/charterflow-local-bookings':
      'reads the record of a revision older than one already arrived (a late redelivery is a duplicate): no scenario here sends one',
  },
  calendar: {
    ...LAMBDA_LOGS,
    'dynamodb:GetItem on boat-schedule': OWN_TABLE,
    'dynamodb:BatchGetItem on boat-schedule': OWN_TABLE,
    'dynamodb:PutItem on boat-schedule': 'creates the pair of a double booking: no scenario here double-books a boat',
    'dynamodb:DeleteItem on boat-schedule':
      'forgets the pair of a double booking that ended (or a slot kept before days): no scenario here double-books a boat',
  },
  crew: {
    ...LAMBDA_LOGS,
    'dynamodb:Scan on scc-events':
      'looks for the crew event the hand-made Lambdas made, only for a calendar entry the calendar adopted: no scenario here adopts one',
  },
  scrub: {
    ...LAMBDA_LOGS,
    'dynamodb:PutItem on table/charterflow-local-bookings':
      'keeps the lines a re-check after a change or a cancellation removed (SCRUB#): no scenario here changes a booking',
  },
  'guest-page': {
    ...LAMBDA_LOGS,
    's3:ListBucket on queenofsandiego.com':
      'AWS consults it only to answer 404 rather than 403 for a key not there; the local stack does not model that',
    's3:GetObject on queenofsandiego.com/g/*':
      'a decision finished after a crash looks at the page its unfinished write may have left: no scenario here crashes one',
  },
  'guest-mail': { ...LAMBDA_LOGS },
  'booking-ledger': {
    ...LAMBDA_LOGS,
    'dynamodb:BatchGetItem on booking-ledger-timeline': OWN_TABLE,
    'dynamodb:UpdateItem on booking-ledger-timeline': OWN_TABLE,
    'dynamodb:DeleteItem on booking-ledger-timeline': OWN_TABLE,
    'dynamodb:Query on booking-ledger-timeline': `${OWN_TABLE} (charterflow status queries the timeline with the operator's credentials)`,
  },
};

/** The UNUSED entries these unused grants are, and the grants no entry names. */
function explained(service: Service, unused: { action: string; statement: PolicyStatement }[]) {
  const entries = Object.keys(UNUSED[service]);
  const named = new Set<string>();
  const unexplained: string[] = [];
  for (const { action, statement } of unused) {
    const resources = JSON.stringify(statement.Resource);
    const entry = entries.find((key) => {
      const [entryAction, part] = key.split(' on ');
      return entryAction === action && resources.includes(part!);
    });
    if (entry) named.add(entry);
    else unexplained.push(`${action} on ${resources}`);
  }
  return { named: [...named].sort(), unexplained };
}

/**
 * Refused, and the event still succeeds: guest-page reads an object with HeadObject (s3:GetObject) and takes a
 * 403 for "not there", since S3 answers 403 rather than 404 to a role without ListBucket. So a withdrawn read is
 * not an error AWS would dead-letter: the function does more work, or less, and says nothing.
 */
const DEGRADES: Partial<Record<Service, Record<string, string>>> = {
  'guest-page': {
    'g/*': 'the page is taken for absent and written again, with an invalidation, at every event',
    'queenofsandiego.com/assets/*': 'the boat photo is taken for absent and copied again at every event',
    'sailjada.com/assets/*': 'the legacy photo is taken for absent: the page is published without it',
  },
};
const degradationOf = (service: Service, action: string, statement: PolicyStatement) =>
  action === 's3:GetObject'
    ? Object.entries(DEGRADES[service] ?? {}).find(([tail]) =>
        [statement.Resource].flat().some((resource) => String(resource).endsWith(tail)),
      )?.[1]
    : undefined;

/** What the source of each consumer's events first emits: a malformed one of these fails that consumer. */
const FIRST_EVENT_OF = {
  webhook: 'BookingReceived',
  calendar: 'CalendarEntryCreated',
  crew: 'CrewEventCreated',
  'guest-page': 'GuestPagePublished',
} as const;

interface Call {
  functionName: string;
  authorization: Authorization;
  /** Action, resource and partition keys with the booking id taken out: the same call in another run. */
  shape: string;
}

interface Scenario {
  name: string;
  /** Runs with every role whole, before the withdrawal. */
  setup?: (bookingId: string) => Promise<void>;
  /** Runs with the permission withdrawn; answers the webhook's statuses. */
  act: (bookingId: string) => Promise<number[]>;
  /** Its event fails every consumer of its source: their dead letters are expected. */
  malformed?: boolean;
}

let stack: LocalStack;
let sqs: SQSClient;
let events: EventBridgeClient;
let s3: S3Client;
let tap: BusTap;
const delivered = new Map<string, TappedEvent[]>();
const replayFrom = new Map<string, Date>();
let recording: { bookingId: string; calls: Call[] } | undefined;
let stopListening: (() => void) | undefined;
let bookings = 0;
const baseline = new Map<string, Call[]>();

const functionOf = (service: Service) => deployedNames(service).functionName;
const nextBookingId = () => bookingIdNumber(810_000 + ++bookings);

function shapeOf(bookingId: string, action: string, resource: string, context?: Refusal['context']): string {
  const ours = (text: string) => text.split(bookingId).join('{booking}');
  // A key that does not name the booking names something made in the run (a webhook-id, an SCC event id).
  const keys = [context?.['dynamodb:LeadingKeys'] ?? []]
    .flat()
    .map(ours)
    .map((key) => (key.includes('{booking}') ? key : key.replace(/([#_]).*$/, '$1*')));
  return JSON.stringify([action, ours(resource), keys]);
}

async function post(payload: ReturnType<typeof bookingRevisionAs>): Promise<number> {
  const delivery = signedDelivery(payload, devSecrets[secretNames.webhookSecret]!);
  const response = await fetch(new URL('/webhooks/boatsetter', stack.endpoints.webhook), {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  await response.arrayBuffer();
  await stack.eventBridge.idle();
  return response.status;
}

const confirmed = (id: string) => bookingRevisionAs(id, 1, 'booking.confirmed');

const scenarios: Scenario[] = [
  { name: 'a booking confirmed', act: async (id) => [await post(confirmed(id))] },
  {
    name: 'a booking changed',
    setup: async (id) => void (await post(confirmed(id))),
    act: async (id) => [
      await post(
        bookingRevisionAs(id, 2, 'booking.modified', (d) => {
          d.trip.start = atOffsetOf(d.trip.start, Date.parse(d.trip.start) + 90 * 60_000);
          d.party_size = 8;
        }),
      ),
    ],
  },
  {
    name: 'a confirmed booking’s events delivered again',
    setup: async (id) => {
      await tap.drain();
      await post(confirmed(id));
      delivered.set(
        id,
        (await tap.drain()).filter(
          (e) => (e.detail as { metadata?: { bookingId?: string } }).metadata?.bookingId === id,
        ),
      );
    },
    act: async (id) => {
      // EventBridge delivers at least once: each consumer gets what it already did.
      const again = delivered.get(id) ?? [];
      expect(again.length).toBeGreaterThan(0);
      for (const event of again) {
        const result = await events.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: busName(),
                Source: event.source,
                DetailType: event['detail-type'],
                Detail: JSON.stringify(event.detail),
              },
            ],
          }),
        );
        expect(result.FailedEntryCount).toBe(0);
      }
      await stack.eventBridge.idle();
      return [];
    },
  },
  {
    name: 'a booking cancelled',
    setup: async (id) => void (await post(confirmed(id))),
    act: async (id) => [await post(bookingRevisionAs(id, 2, 'booking.cancelled'))],
  },
  ...Object.entries(FIRST_EVENT_OF).map(
    ([source, detailType]): Scenario => ({
      name: `a ${detailType} its consumers cannot read`,
      malformed: true,
      act: async (id) => {
        const result = await events.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: busName(),
                Source: `charterflow.${source}`,
                DetailType: detailType,
                Detail: JSON.stringify({ metadata: { bookingId: id }, data: {} }),
              },
            ],
          }),
        );
        expect(result.FailedEntryCount).toBe(0);
        await stack.eventBridge.idle();
        return [];
      },
    }),
  ),
  {
    // Last: only what no other scenario uses is tried on a replay, the slowest of them.
    name: 'a booking’s events replayed from the archive',
    setup: async (id) => {
      // The window holds this booking's events alone: the archive keeps times to the second.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      replayFrom.set(id, new Date(Math.floor(Date.now() / 1000) * 1000));
      await post(confirmed(id));
    },
    act: async (id) => {
      const argv = ['--from', replayFrom.get(id)!.toISOString(), '--to', 'now', '--json', '--settle', '1s'];
      const io: Io = { out: () => undefined, err: () => undefined, rewrite: () => undefined, isTTY: false };
      expect(await runReplay(argv, { io, settled: () => stack.eventBridge.idle() })).toBe(0);
      await stack.eventBridge.idle();
      return [];
    },
  },
];

/** Every letter in each consumer's dead-letter queue, received and deleted. */
async function deadLetters(): Promise<Record<string, Message[]>> {
  const letters: Record<string, Message[]> = {};
  for (const consumer of CONSUMERS) {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: deployedNames(consumer).deadLetterQueueName }),
    );
    letters[consumer] = [];
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
        letters[consumer].push(message);
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle! }));
      }
    }
  }
  return letters;
}

/** The guest site without the boat photos guest-page copied: each act copies its booking's photo anew. */
async function withoutCopiedPhotos() {
  const Bucket = stack.wiring.params.guestSiteBucket;
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'assets/' }));
  for (const { Key } of Contents) await s3.send(new DeleteObjectCommand({ Bucket, Key }));
}

/**
 * Ends the functions' warm environments, as a deploy or a scale-out does: what a function reads once per
 * environment (its secret) is read again in the next invocation, under the policies then in place.
 */
async function coldStarts(functionNames: string[]) {
  const runtime = stack.functions as IsolatedLambda;
  for (const name of functionNames) {
    for (const { pid } of runtime.environments(name)) if (pid) process.kill(pid, 'SIGKILL');
  }
  while (functionNames.some((name) => runtime.environments(name).length > 0)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs a scenario for a new booking, with `policies` in place of `functionName`'s during its act. */
async function run(scenario: Scenario, change?: { functionName: string; policies: FunctionPrincipal['policies'] }) {
  const iam = stack.iam!;
  const bookingId = nextBookingId();
  await scenario.setup?.(bookingId);
  await stack.eventBridge.idle();
  await deadLetters();
  await withoutCopiedPhotos();
  await coldStarts(change ? [change.functionName] : SERVICES.map(functionOf));
  const before = change && iam.replacePolicies(change.functionName, change.policies);
  const mark = iam.refusals().length;
  const calls: Call[] = [];
  recording = { bookingId, calls };
  let statuses: number[];
  try {
    statuses = await scenario.act(bookingId);
    await stack.eventBridge.idle();
  } finally {
    recording = undefined;
    if (change && before) iam.replacePolicies(change.functionName, before);
  }
  const refused = iam.refusals().slice(mark);
  return { bookingId, calls, refused, statuses, letters: await deadLetters() };
}

const principalOf = (functionName: string) => {
  const principal = stack.iam!.functionPrincipal(functionName);
  if (principal?.kind !== 'function') throw new Error(`no role for ${functionName}`);
  return principal;
};
const statementsOf = (functionName: string) =>
  principalOf(functionName).policies[0]!.document.Statement as PolicyStatement[];
const actionsOf = (statement: PolicyStatement) => [statement.Action ?? []].flat() as string[];

/** The role's inline policy with its statements replaced; the managed policy stays. */
function withStatements(functionName: string, statements: PolicyStatement[]): FunctionPrincipal['policies'] {
  const [inline, ...managed] = principalOf(functionName).policies;
  return [{ ...inline!, document: { ...inline!.document, Statement: statements } }, ...managed];
}

/** Whether this statement alone allows the call (the stack's own evaluator, as it decides every call). */
async function allows(functionName: string, statement: PolicyStatement, authorization: Authorization) {
  const principal = { ...principalOf(functionName), policies: withStatements(functionName, [statement]).slice(0, 1) };
  const decision = await stack.iam!.decide(
    principal,
    authorization,
    stack.iam!.resourcePolicyOf(authorization.resource),
  );
  return decision.allowed;
}

/** The baseline's calls through one statement (and one of its actions), by scenario, first scenario first. */
async function throughStatement(functionName: string, statement: PolicyStatement, action?: string) {
  const found: { scenario: Scenario; shapes: Set<string> }[] = [];
  for (const scenario of scenarios) {
    const shapes = new Set<string>();
    for (const call of baseline.get(scenario.name) ?? []) {
      if (call.functionName !== functionName || (action && call.authorization.action !== action)) continue;
      if (await allows(functionName, statement, call.authorization)) shapes.add(call.shape);
    }
    if (shapes.size > 0) found.push({ scenario, shapes });
  }
  return found;
}

/** What is wrong with a run under a withdrawn permission; empty when it went as least privilege says. */
function problemsOf(
  service: Service,
  scenario: Scenario,
  withdrawn: string,
  actions: string[],
  expected: Set<string>,
  result: Awaited<ReturnType<typeof run>>,
  degrades?: string,
): string[] {
  const functionName = functionOf(service);
  const problems: string[] = [];
  if (result.refused.length === 0) problems.push(`${withdrawn}: nothing was refused`);
  for (const refusal of result.refused) {
    const shape = shapeOf(result.bookingId, refusal.action, refusal.resource, refusal.context);
    if (refusal.functionName !== functionName || !expected.has(shape)) {
      problems.push(
        `${withdrawn}: refused a call the baseline did not make through it: ${refusal.functionName} ${shape}`,
      );
    }
  }
  if (service === 'webhook') {
    if (!result.statuses.some((status) => status >= 500)) {
      problems.push(
        `${withdrawn}: the webhook answered ${result.statuses.join(', ')}, not an error Boatsetter retries`,
      );
    }
  } else if (degrades) {
    if (result.letters[service]!.length > 0) problems.push(`${withdrawn}: dead-lettered, though ${degrades}`);
  } else if (actions.includes('sqs:SendMessage')) {
    // Lambda sends the dead letter with the function's role: refused, the event is dropped, as in AWS.
    if (result.letters[service]!.length > 0) problems.push(`${withdrawn}: a dead letter got through a refused send`);
  } else {
    const messages = result.letters[service]!.map((m) => m.MessageAttributes?.ErrorMessage?.StringValue ?? '');
    const denied = messages.some((message) =>
      actions.some(
        (action) =>
          // The code of the refusal first: AccessDeniedException, or AccessDenied from S3 and CloudFront.
          /^AccessDenied(Exception)?: /.test(message) &&
          message.includes(`is not authorized to perform: ${action} on resource:`),
      ),
    );
    if (!denied) {
      problems.push(
        `${withdrawn}: no dead letter in ${service}'s queue with AWS's AccessDenied message (letters: ${JSON.stringify(messages)})`,
      );
    }
  }
  for (const [consumer, letters] of Object.entries(result.letters)) {
    if (consumer !== service && letters.length > 0 && !scenario.malformed) {
      problems.push(`${withdrawn}: ${consumer} dead-lettered too`);
    }
  }
  return problems;
}

/** A call's partition keys moved to the other side of a LeadingKeys condition on PRIVATE#. */
function acrossTheCondition(authorization: Authorization): Authorization {
  const keys = [authorization.context?.['dynamodb:LeadingKeys'] ?? []].flat();
  const across = keys.map((key) =>
    key.startsWith(PRIVATE_PARTITION_PREFIX)
      ? key.slice(PRIVATE_PARTITION_PREFIX.length)
      : `${PRIVATE_PARTITION_PREFIX}${key}`,
  );
  return { ...authorization, context: { ...authorization.context, 'dynamodb:LeadingKeys': across } };
}

/** A LeadingKeys condition no partition of ours satisfies: the grant is left covering nothing it covered. */
const NO_PARTITION = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['NO-SUCH-PARTITION#*'] } };

describe.runIf(isPackaged())('each permission of each role, withdrawn alone', () => {
  beforeAll(async () => {
    stack = await startStack({
      ...stackMode(),
      ephemeral: true,
      ports: { aws: 0, webhook: 0, guestSite: 0, mailbox: 0, standIns: {} },
      standIns: true,
      // One HTTP attempt, test-sized waits: the stand-ins are up; only the withdrawn permission fails a call.
      functionEnvironment: {
        CHARTERFLOW_HTTP_TIMEOUT_MS: '2500',
        CHARTERFLOW_HTTP_BASE_DELAY_MS: '10',
        CHARTERFLOW_HTTP_MAX_DELAY_MS: '100',
        CHARTERFLOW_HTTP_MAX_ATTEMPTS: '3',
      },
      // Lambda's two retries of a failed event, milliseconds apart instead of a minute and two.
      backoff: { baseMs: 5, maxMs: 20 },
    });
    Object.assign(process.env, stack.env);
    const config = { region: stack.env.AWS_REGION, endpoint: stack.endpoints.aws };
    sqs = new SQSClient(config);
    events = new EventBridgeClient(config);
    s3 = new S3Client({ ...config, forcePathStyle: true });
    tap = await openBusTap(events, sqs, { name: 'iam-removal-tap' });
    stopListening = stack.iam!.onDecision((principal, authorization, decision) => {
      if (!recording || principal.kind !== 'function' || !decision.allowed) return;
      recording.calls.push({
        functionName: principal.functionName,
        authorization,
        shape: shapeOf(recording.bookingId, authorization.action, authorization.resource, authorization.context),
      });
    });
    for (const scenario of scenarios) {
      const result = await run(scenario);
      expect(result.refused, `${scenario.name}: refused with every role whole`).toEqual([]);
      baseline.set(scenario.name, result.calls);
    }
  }, 180_000);

  afterAll(async () => {
    stopListening?.();
    await tap?.close();
    s3?.destroy();
    sqs?.destroy();
    events?.destroy();
    await stack?.stop();
  });

  it.each(SERVICES)(
    '%s: each action refuses exactly the calls that used it, and the event is dead-lettered',
    async (service) => {
      const functionName = functionOf(service);
      const statements = statementsOf(functionName);
      const problems: string[] = [];
      const unused: { action: string; statement: PolicyStatement }[] = [];
      for (const [index, statement] of statements.entries()) {
        for (const action of actionsOf(statement)) {
          const [first] = await throughStatement(functionName, statement, action);
          const withdrawn = `${action} of statement ${index}`;
          if (!first) {
            unused.push({ action, statement });
            continue;
          }
          const rest = actionsOf(statement).filter((a) => a !== action);
          const reduced = rest.length
            ? statements.with(index, { ...statement, Action: rest })
            : statements.filter((_, i) => i !== index);
          const result = await run(first.scenario, { functionName, policies: withStatements(functionName, reduced) });
          problems.push(
            ...problemsOf(
              service,
              first.scenario,
              `${withdrawn} (${first.scenario.name})`,
              [action],
              first.shapes,
              result,
              degradationOf(service, action, statement),
            ),
          );
        }
      }
      expect(problems).toEqual([]);
      // Over-privilege unless listed; a listed grant the code has come to use must leave the list.
      expect(explained(service, unused)).toEqual({ named: Object.keys(UNUSED[service]).sort(), unexplained: [] });
    },
    300_000,
  );

  it.each(SERVICES)(
    '%s: each LeadingKeys condition is what keeps its actions on their side of PRIVATE#',
    async (service) => {
      const functionName = functionOf(service);
      const statements = statementsOf(functionName);
      const problems: string[] = [];
      for (const [index, statement] of statements.entries()) {
        if (!statement.Condition) continue;
        const withdrawn = `the condition of statement ${index}`;
        const [first] = await throughStatement(functionName, statement);
        if (!first) {
          problems.push(`${withdrawn}: no scenario makes a call through it`);
          continue;
        }
        // Narrowed to no partition: every call that relied on it is refused, and the event dead-lettered.
        const narrowed = statements.with(index, { ...statement, Condition: NO_PARTITION });
        const result = await run(first.scenario, { functionName, policies: withStatements(functionName, narrowed) });
        problems.push(...problemsOf(service, first.scenario, withdrawn, actionsOf(statement), first.shapes, result));

        // The calls it must refuse: each of its actions on a partition across the condition, refused by the
        // statement with it and allowed by the statement without it.
        const call = (baseline.get(first.scenario.name) ?? []).find(
          (c) => c.functionName === functionName && first.shapes.has(c.shape),
        )!;
        const { Condition: _, ...unconditional } = statement;
        for (const action of actionsOf(statement)) {
          const across = acrossTheCondition({ ...call.authorization, action });
          if (await allows(functionName, statement, across)) {
            problems.push(`${withdrawn}: ${action} on ${JSON.stringify(across.context)} allowed`);
          }
          if (!(await allows(functionName, unconditional as PolicyStatement, across))) {
            problems.push(`${withdrawn}: ${action} across it is refused even without it (it refuses nothing)`);
          }
        }
      }
      expect(problems).toEqual([]);
    },
    300_000,
  );
});

describe.runIf(isPackaged())('what deploys', () => {
  it('no function bundle carries the IAM evaluator (AGPL, a development dependency of the local stack)', async () => {
    const { packageDir } = stackMode();
    const zips = readdirSync(packageDir!).filter((file) => file.endsWith('.zip'));
    expect(zips.length).toBeGreaterThan(0);
    for (const zip of zips) {
      const dir = await mkdtemp(join(tmpdir(), 'charterflow-bundle-'));
      try {
        const files = await unzipFunction(join(packageDir!, zip), dir);
        const carrying = files.filter((file) =>
          /iam-simulate|cloud-copilot/.test(readFileSync(join(dir, file), 'latin1')),
        );
        expect(carrying, zip).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });
});
