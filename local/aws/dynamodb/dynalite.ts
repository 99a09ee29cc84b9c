import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Call } from './transactions';

// dynalite ships no types; its one export is documented in its README.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, unknown>) => Server;

/** What dynalite answers itself. */
export const DYNALITE_OPERATIONS = new Set([
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

export interface DynaliteAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** dynalite in-process: it builds an http.Server, and we hand it each request without ever letting it listen. */
export interface Dynalite {
  /** One request with its body as the client sent it; answers what dynalite wrote back. */
  send(operation: string, body: string): Promise<DynaliteAnswer>;
  /** One request with its input as an object; answers the status and the parsed JSON body. */
  call: Call;
  close(): Promise<void>;
}

/** Opens the tables in `path` (LevelDB), or in memory without one. */
export function startDynalite(path: string | undefined): Dynalite {
  // Tables become ACTIVE at once: nothing local waits for provisioning.
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const send = (operation: string, body: string) => callDynalite(server, operation, body);
  return {
    send,
    call: async (operation, input) => {
      const { status, body } = await send(operation, JSON.stringify(input));
      return { status, output: JSON.parse(body || '{}') as Record<string, unknown> };
    },
    close: () => closeStore(server),
  };
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

/** dynalite closes its LevelDB store in server.close(), which needs a listening server. */
async function closeStore(server: Server): Promise<void> {
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', () => resolve()).once('error', reject));
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
