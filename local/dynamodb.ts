import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { RequestHandler } from './edge';

/**
 * DynamoDB is dynalite (the real DynamoDB API on LevelDB), mounted behind the edge: dynalite builds an
 * http.Server, and we hand it each request without ever letting it listen.
 */

// dynalite ships no types; its one export is documented in its README.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, unknown>) => Server;

export interface LocalDynamoDb {
  handle: RequestHandler;
  stop(): Promise<void>;
}

export function startDynamoDb(options: { dataDir?: string }): LocalDynamoDb {
  let path: string | undefined;
  if (options.dataDir) {
    path = join(options.dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  // Tables become ACTIVE at once: nothing local waits for provisioning.
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return {
    handle: (req, res) => {
      server.emit('request', req, res);
    },
    stop: () => closeStore(server),
  };
}

/** dynalite closes its LevelDB store in server.close(), which needs a listening server. */
async function closeStore(server: Server): Promise<void> {
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', () => resolve()).once('error', reject));
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
