import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AwsError, notSupported } from '../service';
import { header, readBody, sendJson, sendJsonError, type RequestHandler } from '../edge';
import { ClientTokens } from './client-tokens';
import { forwardToDynalite } from './condition-failure';
import { keepParsedExpressions } from './dynalite-expressions';
import { DYNALITE_OPERATIONS, startDynalite, type Dynalite } from './dynalite';
import { ReadWriteLock } from '../read-write-lock';
import { TimeToLiveTables } from './time-to-live';
import { transactGetItems, transactWriteItems } from './transactions';

/**
 * DynamoDB is dynalite (the real DynamoDB API on LevelDB), called in-process (./dynalite). In front of it, what
 * dynalite lacks or gets wrong, each as DynamoDB documents it: ARNs in the stack's region, the item in a failed
 * condition's error (./condition-failure), time to live with a sweep that deletes expired items
 * (./time-to-live), and transactions (./transactions, ./client-tokens), run one at a time against every other
 * request (./lock). Other operations dynalite does not know are refused with the one clear message. dynalite
 * keeps the expressions it parsed (./dynalite-expressions).
 */

/** How often expired items are swept. DynamoDB deletes them "within a few days"; locally a minute is enough. */
const SWEEP_INTERVAL_MS = 60_000;

export interface LocalDynamoDb {
  handle: RequestHandler;
  /** Deletes every item whose time-to-live attribute is past (epoch seconds), as DynamoDB's TTL does. */
  sweepExpired(now?: Date): Promise<number>;
  /** Enables time to live on a table unless it already is (safe at every start). */
  enableTimeToLive(tableName: string, attributeName: string): Promise<void>;
  stop(): Promise<void>;
}

export function startDynamoDb(options: { dataDir?: string; region: string }): LocalDynamoDb {
  let path: string | undefined;
  if (options.dataDir) {
    path = join(options.dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  keepParsedExpressions();
  const dynalite = startDynalite(path);
  const lock = new ReadWriteLock();
  const timeToLive = new TimeToLiveTables(dynalite.call, lock, path && join(path, 'time-to-live.json'));
  const front: Front = { region: options.region, dynalite, lock, timeToLive, tokens: new ClientTokens() };

  const sweeper = setInterval(() => void timeToLive.sweepExpired().catch(() => undefined), SWEEP_INTERVAL_MS);
  sweeper.unref();

  return {
    handle: (req, res) => handle(front, req, res),
    sweepExpired: (now) => timeToLive.sweepExpired(now),
    enableTimeToLive: (tableName, attributeName) => timeToLive.enable(tableName, attributeName),
    stop: async () => {
      clearInterval(sweeper);
      await lock.exclusive(async () => undefined);
      await dynalite.close();
    },
  };
}

/** What answers a request: dynalite and the parts in front of it. */
interface Front {
  /** The stack's region, for a request whose signature names none. */
  region: string;
  dynalite: Dynalite;
  lock: ReadWriteLock;
  timeToLive: TimeToLiveTables;
  tokens: ClientTokens;
}

async function handle(
  front: Front,
  req: Parameters<RequestHandler>[0],
  res: Parameters<RequestHandler>[1],
): Promise<void> {
  const target = header(req, 'x-amz-target') ?? '';
  const operation = target.slice(target.indexOf('.') + 1);
  const body = await readBody(req);
  const region = regionOf(header(req, 'authorization')) ?? front.region;
  try {
    const input = parseInput(body);
    const own = await answerOwnOperation(front, operation, input);
    if (own) return sendJson(res, '1.0', 200, own);
    if (!DYNALITE_OPERATIONS.has(operation)) throw notSupported('dynamodb', operation || target);
    const answer = await front.lock.shared(() =>
      forwardToDynalite(front.dynalite, operation, input, body.toString('utf8')),
    );
    const text = inRegion(answer.body, region);
    // A region named longer or shorter than dynalite's changes the body's length.
    res.writeHead(
      answer.status,
      text === answer.body ? answer.headers : { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) },
    );
    res.end(text);
  } catch (error) {
    const failure = error instanceof AwsError ? error : new AwsError('InternalServerError', String(error), 500);
    sendJsonError(res, '1.0', failure);
  }
}

function parseInput(body: Buffer): Record<string, unknown> {
  try {
    return body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    throw new AwsError('SerializationException', 'request body is not valid JSON');
  }
}

/** The operations answered in front of dynalite; undefined for the others. */
function answerOwnOperation(
  { dynalite, lock, timeToLive, tokens }: Front,
  operation: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> | undefined {
  switch (operation) {
    case 'TransactWriteItems':
      return lock.exclusive(() => tokens.once(input, () => transactWriteItems(dynalite.call, input)));
    case 'TransactGetItems':
      return lock.exclusive(() => transactGetItems(dynalite.call, input));
    case 'UpdateTimeToLive':
      return timeToLive.update(input);
    case 'DescribeTimeToLive':
      return timeToLive.describe(input);
  }
  return undefined;
}

/**
 * dynalite stamps ARNs with the region in the environment when it started (us-east-1 by default); DynamoDB's
 * carry the region the client called.
 */
function inRegion(body: string, region: string): string {
  return body.replace(/arn:aws:dynamodb:[a-z0-9-]+:/g, `arn:aws:dynamodb:${region}:`);
}

function regionOf(authorization: string | undefined): string | undefined {
  return authorization ? /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] : undefined;
}
