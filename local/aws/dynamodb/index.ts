import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { AwsError, notSupported } from '../service';
import { header, readBody, sendJson, sendJsonError, type RequestHandler } from '../edge';
import { transactGetItems, transactWriteItems, type Call } from './transactions';
import { keepParsedExpressions } from './dynalite-expressions';

/**
 * DynamoDB is dynalite (the real DynamoDB API on LevelDB), called in-process: dynalite builds an http.Server,
 * and we hand it each request without ever letting it listen. In front of it, what dynalite lacks or gets
 * wrong, each as DynamoDB documents it: ARNs in the stack's region, the item in a failed condition's error
 * (ReturnValuesOnConditionCheckFailure), time to live with a sweep that deletes expired items, and
 * transactions, run one at a time against every other request. Other operations dynalite does not know are
 * refused with the one clear message. dynalite keeps the expressions it parsed (./dynalite-expressions).
 */

// dynalite ships no types; its one export is documented in its README.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, unknown>) => Server;

/** What dynalite answers itself. */
const DYNALITE_OPERATIONS = new Set([
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'GetItem',
  'ListTables',
  'ListTagsOfResource',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'UpdateItem',
  'UpdateTable',
]);

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

interface TimeToLive {
  AttributeName: string;
  Enabled: boolean;
}

export function startDynamoDb(options: { dataDir?: string; region: string }): LocalDynamoDb {
  let path: string | undefined;
  if (options.dataDir) {
    path = join(options.dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  keepParsedExpressions();
  // Tables become ACTIVE at once: nothing local waits for provisioning.
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const ttlPath = path && join(path, 'time-to-live.json');
  const timeToLive = new Map<string, TimeToLive>(
    ttlPath && existsSync(ttlPath)
      ? (Object.entries(JSON.parse(readFileSync(ttlPath, 'utf8'))) as [string, TimeToLive][])
      : [],
  );
  const saveTimeToLive = () =>
    ttlPath ? writeFile(ttlPath, JSON.stringify(Object.fromEntries(timeToLive))) : Promise.resolve();
  const lock = new ReadWriteLock();

  /** One dynalite call, in-process; answers its status and parsed JSON body. */
  const call: Call = async (operation, input) => {
    const { status, body } = await callDynalite(server, operation, JSON.stringify(input));
    return { status, output: JSON.parse(body || '{}') as Record<string, unknown> };
  };

  async function handle(req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]): Promise<void> {
    const target = header(req, 'x-amz-target') ?? '';
    const operation = target.slice(target.indexOf('.') + 1);
    const body = await readBody(req);
    const region = regionOf(header(req, 'authorization')) ?? options.region;
    try {
      let input: Record<string, unknown>;
      try {
        input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        throw new AwsError('SerializationException', 'request body is not valid JSON');
      }
      switch (operation) {
        case 'TransactWriteItems':
          return sendJson(
            res,
            '1.0',
            200,
            await lock.exclusive(() => idempotent(input, () => transactWriteItems(call, input))),
          );
        case 'TransactGetItems':
          return sendJson(res, '1.0', 200, await lock.exclusive(() => transactGetItems(call, input)));
        case 'UpdateTimeToLive':
          return sendJson(res, '1.0', 200, await updateTimeToLive(input));
        case 'DescribeTimeToLive':
          return sendJson(res, '1.0', 200, await describeTimeToLive(input));
      }
      if (!DYNALITE_OPERATIONS.has(operation)) throw notSupported('dynamodb', operation || target);
      const answer = await lock.shared(() => forward(operation, input, body.toString('utf8')));
      const text = inRegion(answer.body, region);
      // A region named longer or shorter than dynalite's changes the body's length.
      res.writeHead(
        answer.status,
        text === answer.body
          ? answer.headers
          : { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) },
      );
      res.end(text);
    } catch (error) {
      const failure = error instanceof AwsError ? error : new AwsError('InternalServerError', String(error), 500);
      sendJsonError(res, '1.0', failure);
    }
  }

  /**
   * A ClientRequestToken makes a TransactWriteItems idempotent for 10 minutes: the same request again is not
   * run again; another request under the same token is refused.
   * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
   */
  const tokens = new Map<string, { request: string; at: number }>();
  async function idempotent(input: Record<string, unknown>, run: () => Promise<Record<string, unknown>>) {
    const token = input.ClientRequestToken;
    if (typeof token !== 'string') return run();
    const now = Date.now();
    for (const [key, seen] of tokens) if (now - seen.at > 600_000) tokens.delete(key);
    const {
      ClientRequestToken: _token,
      ReturnConsumedCapacity: _capacity,
      ReturnItemCollectionMetrics: _metrics,
      ...request
    } = input;
    const text = JSON.stringify(request);
    const seen = tokens.get(token);
    if (seen) {
      if (seen.request !== text)
        throw new AwsError(
          'IdempotentParameterMismatchException',
          'The request uses the same client token as a previous, but non-identical request.',
        );
      return {};
    }
    const output = await run();
    tokens.set(token, { request: text, at: now });
    return output;
  }

  async function forward(operation: string, input: Record<string, unknown>, raw: string) {
    const returnOnFailure = input.ReturnValuesOnConditionCheckFailure;
    if (returnOnFailure === undefined || !['PutItem', 'UpdateItem', 'DeleteItem'].includes(operation))
      return callDynalite(server, operation, raw);
    if (returnOnFailure !== 'ALL_OLD' && returnOnFailure !== 'NONE')
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '${returnOnFailure}' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`,
      );
    const { ReturnValuesOnConditionCheckFailure: _dropped, ...rest } = input;
    const answer = await callDynalite(server, operation, JSON.stringify(rest));
    if (returnOnFailure === 'NONE' || answer.status !== 400 || !answer.body.includes('ConditionalCheckFailedException'))
      return answer;
    // The item as it stood when the condition failed: nothing else writes while this request holds the lock.
    const key =
      (input.Key as Record<string, unknown> | undefined) ??
      (await keyOf(input.TableName as string, input.Item as Record<string, unknown>));
    const { output } = await call('GetItem', { TableName: input.TableName, Key: key, ConsistentRead: true });
    const error = {
      ...(JSON.parse(answer.body) as Record<string, unknown>),
      ...(output.Item ? { Item: output.Item } : {}),
    };
    const text = JSON.stringify(error);
    return { ...answer, body: text, headers: { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) } };
  }

  async function keyOf(tableName: string, item: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { output } = await call('DescribeTable', { TableName: tableName });
    const keySchema = (output.Table as { KeySchema?: { AttributeName: string }[] } | undefined)?.KeySchema ?? [];
    const names = keySchema.map((k) => k.AttributeName);
    return Object.fromEntries(names.map((name) => [name, item[name]]));
  }

  /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html */
  async function updateTimeToLive(input: Record<string, unknown>) {
    const spec = input.TimeToLiveSpecification as Partial<TimeToLive> | undefined;
    if (!spec || typeof spec.AttributeName !== 'string' || typeof spec.Enabled !== 'boolean')
      throw new AwsError('ValidationException', 'TimeToLiveSpecification needs AttributeName and Enabled');
    await describeTable(input.TableName);
    const tableName = String(input.TableName); // a string: describeTable refuses anything else
    const current = timeToLive.get(tableName);
    if (current?.Enabled === spec.Enabled)
      throw new AwsError('ValidationException', `TimeToLive is already ${spec.Enabled ? 'enabled' : 'disabled'}`);
    timeToLive.set(tableName, { AttributeName: spec.AttributeName, Enabled: spec.Enabled });
    await saveTimeToLive();
    return { TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled } };
  }

  async function describeTimeToLive(input: Record<string, unknown>) {
    await describeTable(input.TableName);
    const current = timeToLive.get(String(input.TableName));
    return {
      TimeToLiveDescription: current?.Enabled
        ? { TimeToLiveStatus: 'ENABLED', AttributeName: current.AttributeName }
        : { TimeToLiveStatus: 'DISABLED' },
    };
  }

  async function describeTable(tableName: unknown) {
    if (typeof tableName !== 'string' || !tableName) throw new AwsError('ValidationException', 'TableName is required');
    const { status, output } = await call('DescribeTable', { TableName: tableName });
    if (status !== 200)
      throw new AwsError('ResourceNotFoundException', `Requested resource not found: Table: ${tableName} not found`);
    return output.Table as Record<string, unknown>;
  }

  async function sweepExpired(now = new Date()): Promise<number> {
    const nowSeconds = now.getTime() / 1000;
    let deleted = 0;
    for (const [TableName, ttl] of timeToLive) {
      if (!ttl.Enabled) continue;
      const table = await describeTable(TableName).catch(() => undefined);
      if (!table) continue;
      const keyNames = (table.KeySchema as { AttributeName: string }[]).map((k) => k.AttributeName);
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const { output } = await call('Scan', {
          TableName,
          FilterExpression: '#ttl < :now',
          ExpressionAttributeNames: { '#ttl': ttl.AttributeName },
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        });
        for (const item of (output.Items ?? []) as Record<string, unknown>[]) {
          const Key = Object.fromEntries(keyNames.map((name) => [name, item[name]]));
          // Only if it is still expired: a writer may have extended it since the scan.
          const { status } = await lock.shared(() =>
            call('DeleteItem', {
              TableName,
              Key,
              ConditionExpression: '#ttl < :now',
              ExpressionAttributeNames: { '#ttl': ttl.AttributeName },
              ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
            }),
          );
          if (status === 200) deleted++;
        }
        ExclusiveStartKey = output.LastEvaluatedKey as Record<string, unknown> | undefined;
      } while (ExclusiveStartKey);
    }
    return deleted;
  }

  const sweeper = setInterval(() => void sweepExpired().catch(() => undefined), SWEEP_INTERVAL_MS);
  sweeper.unref();

  return {
    handle: (req, res) => handle(req, res),
    sweepExpired,
    async enableTimeToLive(tableName, attributeName) {
      if (timeToLive.get(tableName)?.Enabled) return;
      timeToLive.set(tableName, { AttributeName: attributeName, Enabled: true });
      await saveTimeToLive();
    },
    stop: async () => {
      clearInterval(sweeper);
      await lock.exclusive(async () => undefined);
      await closeStore(server);
    },
  };
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

interface DynaliteAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Hands dynalite one request, in-process, the way its http.Server would; collects what it writes back. */
function callDynalite(server: Server, operation: string, body: string): Promise<DynaliteAnswer> {
  return new Promise((resolve) => {
    const req = Object.assign(new EventEmitter(), {
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
        // dynalite wants the header and reads neither it nor the signature.
        'x-amz-date': '20200101T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
      },
    });
    const headers: Record<string, string> = {};
    const res = {
      statusCode: 200,
      contentType: 'application/x-amz-json-1.0',
      shouldKeepAlive: true,
      setHeader(name: string, value: unknown) {
        headers[name.toLowerCase()] = String(value);
      },
      end(text?: string | Buffer) {
        const out = text === undefined ? '' : text.toString();
        // The body may change (region, Item) after dynalite computed its CRC32: the SDK would reject a stale one.
        delete headers['x-amz-crc32'];
        headers['content-length'] = String(Buffer.byteLength(out));
        resolve({ status: res.statusCode, headers, body: out });
      },
    };
    server.emit('request', req, res);
    req.emit('data', Buffer.from(body));
    req.emit('end');
  });
}

/**
 * Transactions see nothing half-done and nothing sees theirs half-done: a transaction takes the whole table
 * store, every other request shares it.
 */
class ReadWriteLock {
  private readers = 0;
  private writer: Promise<void> | undefined;
  private waiting: Array<() => void> = [];

  async shared<T>(work: () => Promise<T>): Promise<T> {
    while (this.writer) await this.writer;
    this.readers++;
    try {
      return await work();
    } finally {
      this.readers--;
      if (this.readers === 0) for (const wake of this.waiting.splice(0)) wake();
    }
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.writer) await this.writer;
    let release!: () => void;
    this.writer = new Promise<void>((resolve) => (release = resolve));
    try {
      while (this.readers > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
      return await work();
    } finally {
      this.writer = undefined;
      release();
    }
  }
}

/** dynalite closes its LevelDB store in server.close(), which needs a listening server. */
async function closeStore(server: Server): Promise<void> {
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', () => resolve()).once('error', reject));
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
