import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

/**
 * A real DynamoDB API (dynalite, the one the local stack mounts) on a port of its own, for the stand-ins'
 * own tests: they need their tables, not the whole stack.
 */

// dynalite ships no types; its one export is documented in its README.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, unknown>) => Server;

export async function startDynamo(tables: CreateTableCommandInput[]) {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    region: 'us-west-2',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const table of tables) await client.send(new CreateTableCommand(table));
  const documents = DynamoDBDocumentClient.from(client);
  return {
    documents,
    async scan<T = Record<string, unknown>>(table: string): Promise<T[]> {
      return ((await documents.send(new ScanCommand({ TableName: table }))).Items ?? []) as T[];
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

export async function getJson(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}
