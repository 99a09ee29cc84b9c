import { randomUUID } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand, PutCommand, paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, secretsManagerClient } from '../../shared/aws';
import { secretNames } from '../../shared/config';
import {
  HttpError,
  expectedCredential,
  faultsFromEnv,
  header,
  idFromIdempotencyKey,
  requestHash,
  sameSecret,
  serveStandIn,
  type Faults,
  type RunningStandIn,
  type StandInRequest,
} from './faults';

/**
 * A stand-in for the JADA internal calendar API: POST /entries (X-Dashboard-Token, Idempotency-Key),
 * GET /entries[?bookingId=], GET /entries/:entryId. Entries live in DynamoDB table jada-calendar-entries.
 */

export const JADA_CALENDAR_TABLE = 'jada-calendar-entries';

export interface CalendarEntry {
  entryId: string;
  bookingId: string;
  /** The charter date in the trip's own time zone, YYYY-MM-DD. */
  date: string;
  /** ISO 8601 with offset. */
  start: string;
  durationHours: number;
  boat: string;
  partySize: number;
  title?: string;
  idempotencyKey?: string;
  requestHash: string;
  createdAt: string;
}

export const jadaCalendarTables: CreateTableCommandInput[] = [
  {
    TableName: JADA_CALENDAR_TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'entryId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'entryId', KeyType: 'HASH' }],
  },
];

export interface JadaCalendarOptions {
  port: number;
  /** The dashboard token it accepts; else JADA_DASHBOARD_TOKEN, else the seeded secret. */
  dashboardToken?: string;
  faults?: Partial<Faults>;
  documents?: DynamoDBDocumentClient;
}

export async function startJadaCalendar(options: JadaCalendarOptions): Promise<RunningStandIn> {
  const documents = options.documents ?? documentClient();
  const secrets = secretsManagerClient();
  const token = expectedCredential({
    value: options.dashboardToken,
    envVar: 'JADA_DASHBOARD_TOKEN',
    secretName: secretNames.jadaDashboardToken,
    readSecret: async (name) => (await secrets.send(new GetSecretValueCommand({ SecretId: name }))).SecretString ?? '',
  });

  async function authorize(request: StandInRequest) {
    if (!sameSecret(header(request, 'x-dashboard-token'), await token.get())) {
      throw new HttpError(401, 'missing or wrong X-Dashboard-Token');
    }
  }

  return serveStandIn({
    name: 'jada-calendar',
    port: options.port,
    faults: { ...faultsFromEnv('JADA_CALENDAR'), ...options.faults },
    adminRoutes: [token.adminRoute()],
    routes: [
      {
        method: 'POST',
        path: '/entries',
        handle: async (request) => {
          await authorize(request);
          const input = parseEntryRequest(request.body);
          const idempotencyKey = header(request, 'idempotency-key');
          const entry: CalendarEntry = {
            entryId: idempotencyKey ? idFromIdempotencyKey('cal', idempotencyKey) : `cal_${randomUUID()}`,
            ...input,
            ...(idempotencyKey ? { idempotencyKey } : {}),
            requestHash: requestHash(request.body),
            createdAt: new Date().toISOString(),
          };
          try {
            await documents.send(
              new PutCommand({
                TableName: JADA_CALENDAR_TABLE,
                Item: entry,
                ConditionExpression: 'attribute_not_exists(entryId)',
              }),
            );
            return { status: 201, body: publicEntry(entry) };
          } catch (error) {
            if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
          }
          const { Item } = await documents.send(
            new GetCommand({ TableName: JADA_CALENDAR_TABLE, Key: { entryId: entry.entryId }, ConsistentRead: true }),
          );
          const existing = Item as CalendarEntry;
          if (existing.requestHash !== entry.requestHash) {
            throw new HttpError(422, 'Idempotency-Key was already used for a different calendar entry');
          }
          return { status: 200, body: publicEntry(existing) };
        },
      },
      {
        method: 'GET',
        path: '/entries',
        handle: async (request) => {
          await authorize(request);
          const bookingId = request.query.get('bookingId');
          const entries = await scanAll(documents, bookingId ?? undefined);
          return { status: 200, body: { entries: entries.map(publicEntry) } };
        },
      },
      {
        method: 'GET',
        path: '/entries/:entryId',
        handle: async (request) => {
          await authorize(request);
          const { Item } = await documents.send(
            new GetCommand({ TableName: JADA_CALENDAR_TABLE, Key: { entryId: request.params.entryId } }),
          );
          if (!Item) throw new HttpError(404, `no calendar entry ${request.params.entryId}`);
          return { status: 200, body: publicEntry(Item as CalendarEntry) };
        },
      },
    ],
  });
}

type EntryRequest = Pick<CalendarEntry, 'bookingId' | 'date' | 'start' | 'durationHours' | 'boat' | 'partySize' | 'title'>;

/** Checks the request like the real API would: a 400 that names every bad field. */
export function parseEntryRequest(body: unknown): EntryRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const str = (k: string) => (typeof b[k] === 'string' && b[k] !== '' ? (b[k] as string) : (problems.push(`${k} must be a non-empty string`), ''));
  const pos = (k: string) => (typeof b[k] === 'number' && (b[k] as number) > 0 ? (b[k] as number) : (problems.push(`${k} must be a positive number`), 0));
  const entry: EntryRequest = {
    bookingId: str('bookingId'),
    date: str('date'),
    start: str('start'),
    durationHours: pos('durationHours'),
    boat: str('boat'),
    partySize: pos('partySize'),
    ...(typeof b.title === 'string' ? { title: b.title } : {}),
  };
  if (entry.date && !/^\d{4}-\d{2}-\d{2}$/.test(entry.date)) problems.push('date must be YYYY-MM-DD');
  if (entry.start && Number.isNaN(Date.parse(entry.start))) problems.push('start must be an ISO 8601 date-time');
  if (problems.length > 0) throw new HttpError(400, `invalid calendar entry: ${problems.join('; ')}`);
  return entry;
}

function publicEntry(entry: CalendarEntry) {
  const { requestHash: _hash, ...rest } = entry;
  return rest;
}

async function scanAll(documents: DynamoDBDocumentClient, bookingId?: string): Promise<CalendarEntry[]> {
  const items: CalendarEntry[] = [];
  const pages = paginateScan(
    { client: documents },
    {
      TableName: JADA_CALENDAR_TABLE,
      ...(bookingId ? { FilterExpression: 'bookingId = :b', ExpressionAttributeValues: { ':b': bookingId } } : {}),
    },
  );
  for await (const page of pages) items.push(...((page.Items ?? []) as CalendarEntry[]));
  return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The stand-in as the local stack starts it (JADA_CALENDAR_URL). */
export const jadaCalendarStandIn = {
  name: 'jada-calendar',
  envVar: 'JADA_CALENDAR_URL',
  tables: jadaCalendarTables,
  start: (opts: { port: number } & Partial<JadaCalendarOptions>) => startJadaCalendar(opts),
};
