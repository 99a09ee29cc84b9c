import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bookingsTable } from './config';
import { BOOKINGS_TTL_ATTRIBUTE, bookingKey } from './tables';

/**
 * The shadow gate: one door in front of every write to a system we do not own (JADA, SCC and its table, the
 * public guest site, SES). It is shut for every booking on a stage deployed with `mode: shadow`
 * (CHARTERFLOW_MODE), and for a synthetic booking (metadata.synthetic, set by the webhook only for a delivery
 * signed with the smoke key) on any stage. Shut, a write is not made: the consumer records what it would have
 * sent in our bookings table (pk BOOKING#<id>, sk SHADOW#...) and goes on with an answer that lets the chain
 * continue (a calendar entry id `shadow-<bookingId>`, say). Reads always go through: they change nothing.
 */

export type StageMode = 'live' | 'shadow';

/** The stage's mode, from CHARTERFLOW_MODE (deploy param `mode`); live unless it says shadow. */
export function stageMode(env: NodeJS.ProcessEnv = process.env): StageMode {
  const raw = env.CHARTERFLOW_MODE;
  if (raw === undefined || raw === '' || raw === 'live') return 'live';
  if (raw === 'shadow') return 'shadow';
  throw new Error(`CHARTERFLOW_MODE must be live or shadow, not "${raw}"`);
}

/** SES's mailbox simulator: accepts the mail as delivered and reaches no one. A synthetic booking's mail goes here. */
export const MAIL_SIMULATOR = 'success@simulator.amazonses.com';

/** The id a shut gate answers for a record it did not create in JADA or SCC. */
export const shadowIdOf = (bookingId: string) => `shadow-${bookingId}`;
export const isShadowId = (id: string) => id.startsWith('shadow-');

/** The sort-key prefix of shadow records in the bookings table. */
export const SHADOW_PREFIX = 'SHADOW#';
/** The would-be SCC table item of a crew event the gate kept from SCC (scrub reads and cleans it there). */
const HELD_PREFIX = `${SHADOW_PREFIX}held#`;
/** Shadow records expire after this: a week or two of shadow run is what they are for. */
const SHADOW_TTL_SECONDS = 30 * 24 * 3600;

/** The invocation the gate decides for: which consumer, on which booking revision, whether it is synthetic. */
export interface GateInvocation {
  consumer: string;
  bookingId: string;
  revision: number;
  synthetic: boolean;
}

/** Why the gate is shut for this invocation, or undefined when writes go through. */
export type ShutReason = 'shadow-stage' | 'synthetic-booking';

/** What one shadow record holds: never a guest's address; a digest of bodies that carry personal data. */
export interface ShadowRecord {
  bookingId: string;
  revision: number;
  consumer: string;
  /** The write kept back: a client method (createEntry) or an SDK command (PutObject). */
  operation: string;
  /** The system and the thing in it: "jada-calendar", "scc", "s3://bucket/key", "ses". */
  target: string;
  request?: unknown;
  requestSha256?: string;
  reason: ShutReason;
  recordedAt: string;
}

interface InvocationState extends GateInvocation {
  writes: number;
}

let storage: AsyncLocalStorage<InvocationState> | undefined;

/** Runs a consumer's action with the gate deciding for its booking revision (called by shared/consumer.ts). */
export function underShadowGate<R>(invocation: GateInvocation, act: () => Promise<R>): Promise<R> {
  // The storage is made only when a booking may need it: it slows every promise of the process once it runs.
  if (!invocation.synthetic && stageMode() === 'live' && !storage) return act();
  storage ??= new AsyncLocalStorage<InvocationState>();
  return storage.run({ ...invocation, writes: 0 }, act);
}

/** Why writes are kept back for the invocation running now, if they are. Outside a consumer: never. */
export function gateShut(): ShutReason | undefined {
  const state = storage?.getStore();
  if (!state) return undefined;
  if (stageMode() === 'shadow') return 'shadow-stage';
  return state.synthetic ? 'synthetic-booking' : undefined;
}

/** The invocation running now, under the gate. */
export function currentInvocation(): GateInvocation | undefined {
  return storage?.getStore();
}

export const sha256 = (value: unknown) =>
  createHash('sha256')
    .update(typeof value === 'string' ? value : JSON.stringify(value ?? null))
    .digest('hex');

/** Writes shadow records into our bookings table, with the consumer's own client (its UpdateItem grant). */
export class ShadowRecords {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly table: () => string = bookingsTable,
  ) {}

  /**
   * Records one write kept back. The key is the invocation's revision and the write's place in it, so a
   * retry of the invocation writes the same records over themselves, not new ones.
   */
  async record(write: { operation: string; target: string; request?: unknown; digestOnly?: boolean }) {
    const state = storage?.getStore();
    const reason = gateShut();
    if (!state || !reason) throw new Error('a shadow record is written only while the gate is shut');
    state.writes += 1;
    const sk = `${SHADOW_PREFIX}${state.consumer}#r${String(state.revision).padStart(6, '0')}#${String(state.writes).padStart(3, '0')}`;
    const record: ShadowRecord = {
      bookingId: state.bookingId,
      revision: state.revision,
      consumer: state.consumer,
      operation: write.operation,
      target: write.target,
      ...(write.digestOnly ? {} : { request: write.request }),
      requestSha256: sha256(write.request),
      reason,
      recordedAt: new Date().toISOString(),
    };
    const values: Record<string, unknown> = {};
    const names: Record<string, string> = {};
    const sets = Object.entries({
      ...record,
      [BOOKINGS_TTL_ATTRIBUTE]: Math.floor(Date.now() / 1000) + SHADOW_TTL_SECONDS,
    }).map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    await this.documents.send(
      new UpdateCommand({
        TableName: this.table(),
        Key: { pk: bookingKey(state.bookingId), sk },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Keeps the item SCC's table would hold for a crew event the gate kept from SCC, for scrub to read. */
  async hold(bookingId: string, eventId: string, item: Record<string, unknown>) {
    const names = Object.keys(item).map((_, i) => `#f${i}`);
    await this.documents.send(
      new UpdateCommand({
        TableName: this.table(),
        Key: { pk: bookingKey(bookingId), sk: `${HELD_PREFIX}${eventId}` },
        UpdateExpression: `SET ${names.map((n, i) => `${n} = :v${i}`).join(', ')}, #ttl = :ttl`,
        ExpressionAttributeNames: {
          ...Object.fromEntries(Object.keys(item).map((k, i) => [`#f${i}`, k])),
          '#ttl': BOOKINGS_TTL_ATTRIBUTE,
        },
        ExpressionAttributeValues: {
          ...Object.fromEntries(Object.values(item).map((v, i) => [`:v${i}`, v])),
          ':ttl': Math.floor(Date.now() / 1000) + SHADOW_TTL_SECONDS,
        },
      }),
    );
  }

  async held(bookingId: string, eventId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.table(),
        Key: { pk: bookingKey(bookingId), sk: `${HELD_PREFIX}${eventId}` },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, [BOOKINGS_TTL_ATTRIBUTE]: _ttl, ...item } = Item;
    return item;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: any method of a client object
type Method = (...args: any[]) => Promise<unknown>;

/** What a write answers while the gate is shut, from the arguments it was called with. */
export type ShadowAnswers<C> = {
  [K in keyof C]?: C[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R | Promise<R> : never;
};

/**
 * An API client (an object of methods, as jadaCalendarApi and sccApi make) whose write methods, named in
 * `answers`, are kept back and recorded while the gate is shut. Every other method, reads among them, is the
 * client's own: the spread carries methods added later through untouched.
 */
export function gatedClient<C extends object>(
  target: string,
  client: C,
  records: ShadowRecords,
  answers: ShadowAnswers<C>,
): C {
  const gated: Record<string, Method> = {};
  for (const [name, answer] of Object.entries(answers) as [string, Method][]) {
    const real = (client as Record<string, Method>)[name]!;
    gated[name] = async (...args: unknown[]) => {
      if (!gateShut()) return real.apply(client, args);
      // The call context (last argument) carries the logger and deadline, not what would be sent.
      const request = args.filter((a) => !isCallContext(a));
      await records.record({ operation: name, target, request: request.length === 1 ? request[0] : request });
      return answer(...args);
    };
  }
  return { ...client, ...gated };
}

const isCallContext = (value: unknown) =>
  typeof value === 'object' && value !== null && 'bookingId' in value && 'idempotencyKey' in value;

/** An SDK command as `send` sees it. */
export interface SentCommand {
  input: unknown;
}

/**
 * The operations a gate tells apart, each by the SDK command class that sends it (`{ SendEmail:
 * SendEmailCommand }`): by the class itself, never by its name, which the deployed (minified) bundle renames.
 */
export type CommandClasses = Record<string, abstract new (...args: never[]) => unknown>;

/** What to do with one command while the gate is shut: let it through (a read), or keep it back and answer this. */
export type CommandDecision =
  /** Through as it is, or as `instead` (a synthetic booking's mail, sent to the simulator). */
  | { pass: true; instead?: SentCommand }
  /** Kept back: recorded as `record` says (none: a read of what the gate itself kept), answered with `answer`. */
  | { pass: false; record?: { target: string; request?: unknown; digestOnly?: boolean }; answer: unknown };

/**
 * An AWS SDK client whose writes to a system we do not own are kept back while the gate is shut: `decide`
 * says, command by command, which are writes and what each answers. The client's middleware (timing, crash
 * points) stays on the calls that go through.
 */
export function gatedSends<C extends { send: Method }>(
  client: C,
  records: ShadowRecords,
  commands: CommandClasses,
  decide: (operation: string | undefined, command: SentCommand) => CommandDecision | Promise<CommandDecision>,
): C {
  const send = client.send.bind(client);
  const gated = async (command: SentCommand, ...rest: unknown[]) => {
    if (!gateShut()) return send(command, ...rest);
    const operation = Object.entries(commands).find(([, Command]) => command instanceof Command)?.[0];
    const decision = await decide(operation, command);
    if (decision.pass) return send(decision.instead ?? command, ...rest);
    if (decision.record) {
      await records.record({
        operation: operation ?? 'an operation the gate does not name',
        target: decision.record.target,
        request: decision.record.request ?? command.input,
        ...(decision.record.digestOnly ? { digestOnly: true } : {}),
      });
    }
    return decision.answer;
  };
  return new Proxy(client, { get: (t, p, r) => (p === 'send' ? gated : Reflect.get(t, p, r)) });
}
