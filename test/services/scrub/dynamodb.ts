import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bookingsTableDefinition } from '../../../shared/tables';

// dynalite ships no types; its one export is documented in its README.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, unknown>) => Server;

export interface ScrubTables {
  client: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  /** Another client, for writers racing the scrub (SCC, a person at the dashboard). */
  other: DynamoDBDocumentClient;
  sccTable: string;
  stop(): Promise<void>;
}

/** DynamoDB (dynalite, in memory, on a loopback port) with our bookings table and an SCC events table. */
export async function startScrubTables(sccTable = 'scc-events'): Promise<ScrubTables> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const newClient = () =>
    new DynamoDBClient({
      endpoint,
      region: 'us-west-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  const client = newClient();
  const otherClient = newClient();
  await client.send(new CreateTableCommand(bookingsTableDefinition()));
  await client.send(
    new CreateTableCommand({
      TableName: sccTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'eventId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }],
    }),
  );
  return {
    client,
    documents: DynamoDBDocumentClient.from(client),
    other: DynamoDBDocumentClient.from(otherClient),
    sccTable,
    stop: async () => {
      client.destroy();
      otherClient.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
