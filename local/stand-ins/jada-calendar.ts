import { randomUUID } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/aws';
import { secretNames } from '../../shared/config';
import {
  HttpError,
  createOnce,
  expectedCredential,
  faultsFromEnv,
  header,
  idFromIdempotencyKey,
  onceForKey,
  requestHash,
  requestsTable,
  sameSecret,
  scanWhere,
  guardedRoutes,
  serveStandIn,
  type Faults,
  type TableRoute,
  type RunningStandIn,
  type StandInRequest,
  type StandInResponse,
} from './http-kit';
import { loadContract } from './contract';

/**
 * A stand-in for the JADA internal calendar API (X-Dashboard-Token on every call, Idempotency-Key on writes):
 * POST /entries, PUT /entries/:entryId (a new version of the entry), POST /entries/:entryId/cancel (kept,
 * marked cancelled: the slot is free again), PUT /entries/:entryId/conflicts (the double-booking mark),
 * GET /entries?bookingId=, GET /probe, as schemas/openapi/jada-calendar.yaml has them (every request and answer is
 * checked against it), and GET /entries/:entryId for tests. Entries live in DynamoDB table jada-calendar-entries.
 */

export const JADA_CALENDAR_TABLE = 'jada-calendar-entries';
export const JADA_CALENDAR_REQUESTS_TABLE = 'jada-calendar-requests';

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
  status: 'active' | 'cancelled';
  /** Other bookings of the same boat whose trips overlap this one: JADA shows the entry as a double booking. */
  conflictsWith?: string[];
  idempotencyKey?: string;
  requestHash: string;
  createdAt: string;
  updatedAt?: string;
  cancelledAt?: string;
}

const BY_BOOKING = 'byBooking';

export const jadaCalendarTables: CreateTableCommandInput[] = [
  {
    TableName: JADA_CALENDAR_TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'entryId', AttributeType: 'S' },
      { AttributeName: 'bookingId', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'entryId', KeyType: 'HASH' }],
    // GET /entries?bookingId= asks it for every new booking (the calendar looks for an entry to adopt): a scan
    // would make each booking's look grow with the calendar's whole history.
    GlobalSecondaryIndexes: [
      {
        IndexName: BY_BOOKING,
        KeySchema: [{ AttributeName: 'bookingId', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  },
  requestsTable(JADA_CALENDAR_REQUESTS_TABLE),
];

export interface JadaCalendarOptions {
  port: number;
  /** The dashboard token it accepts; else JADA_DASHBOARD_TOKEN, else the seeded secret. */
  dashboardToken?: string;
  faults?: Partial<Faults>;
  documents?: DynamoDBDocumentClient;
}

const ROUTES: TableRoute[] = [
  { method: 'POST', path: '/entries', handle: createEntry },
  { method: 'PUT', path: '/entries/:entryId', handle: updateEntry },
  { method: 'POST', path: '/entries/:entryId/cancel', handle: cancelEntry },
  { method: 'PUT', path: '/entries/:entryId/conflicts', handle: markConflicts },
  { method: 'GET', path: '/entries', handle: listEntries },
  { method: 'GET', path: '/entries/:entryId', handle: getEntry, inspection: true },
  { method: 'GET', path: '/probe', handle: probe },
];

export async function startJadaCalendar(options: JadaCalendarOptions): Promise<RunningStandIn> {
  const contract = await loadContract('jada-calendar');
  const documents = options.documents ?? documentClient();
  const token = expectedCredential({
    value: options.dashboardToken,
    envVar: 'JADA_DASHBOARD_TOKEN',
    secretName: secretNames.jadaDashboardToken,
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
    routes: guardedRoutes(ROUTES, authorize, documents, contract),
    contract,
  });
}

/** GET /probe: the credential is good and JADA answers; reads and writes nothing. */
function probe(): Promise<StandInResponse> {
  return Promise.resolve({ status: 200, body: { service: 'jada-calendar', ok: true } });
}

/** POST /entries: one entry per Idempotency-Key. */
async function createEntry(documents: DynamoDBDocumentClient, request: StandInRequest): Promise<StandInResponse> {
  const input = parseEntryRequest(request.body);
  const idempotencyKey = header(request, 'idempotency-key');
  const entry: CalendarEntry = {
    entryId: idempotencyKey ? idFromIdempotencyKey('cal', idempotencyKey) : `cal_${randomUUID()}`,
    ...input,
    status: 'active',
    ...(idempotencyKey ? { idempotencyKey } : {}),
    requestHash: requestHash(request.body),
    createdAt: new Date().toISOString(),
  };
  const { stored, created } = await createOnce(documents, JADA_CALENDAR_TABLE, 'entryId', entry, 'calendar entry');
  return { status: created ? 201 : 200, body: publicEntry(stored) };
}

/** PUT /entries/:entryId: a new version of an active entry of the same booking. */
function updateEntry(documents: DynamoDBDocumentClient, request: StandInRequest): Promise<StandInResponse> {
  const input = parseEntryRequest(request.body);
  return onceForKey(documents, JADA_CALENDAR_REQUESTS_TABLE, request, async () => {
    const entry = await activeEntry(documents, request.params.entryId!);
    if (entry.bookingId !== input.bookingId) {
      throw new HttpError(422, `calendar entry ${entry.entryId} belongs to booking ${entry.bookingId}`);
    }
    const { title: _title, ...kept } = entry;
    const updated: CalendarEntry = { ...kept, ...input, updatedAt: new Date().toISOString() };
    await documents.send(new PutCommand({ TableName: JADA_CALENDAR_TABLE, Item: updated }));
    return { status: 200, body: publicEntry(updated) };
  });
}

/** POST /entries/:entryId/cancel: kept, marked cancelled, its double-booking mark dropped. */
function cancelEntry(documents: DynamoDBDocumentClient, request: StandInRequest): Promise<StandInResponse> {
  return onceForKey(documents, JADA_CALENDAR_REQUESTS_TABLE, request, async () => {
    const entry = await entryOf(documents, request.params.entryId!);
    if (entry.status === 'cancelled') return { status: 200, body: publicEntry(entry) };
    const { conflictsWith: _marks, ...kept } = entry;
    const cancelled: CalendarEntry = { ...kept, status: 'cancelled', cancelledAt: new Date().toISOString() };
    await documents.send(new PutCommand({ TableName: JADA_CALENDAR_TABLE, Item: cancelled }));
    return { status: 200, body: publicEntry(cancelled) };
  });
}

/** PUT /entries/:entryId/conflicts: the double-booking mark, set on an active entry or cleared. */
function markConflicts(documents: DynamoDBDocumentClient, request: StandInRequest): Promise<StandInResponse> {
  const conflictsWith = (request.body as { conflictsWith?: unknown } | undefined)?.conflictsWith;
  if (!Array.isArray(conflictsWith) || !conflictsWith.every((id) => typeof id === 'string' && id !== '')) {
    throw new HttpError(400, 'invalid conflicts: conflictsWith must be a list of booking ids');
  }
  return onceForKey(documents, JADA_CALENDAR_REQUESTS_TABLE, request, async () => {
    const { conflictsWith: _old, ...entry } = await entryOf(documents, request.params.entryId!);
    const marked: CalendarEntry = {
      ...entry,
      ...(conflictsWith.length > 0 && entry.status === 'active' ? { conflictsWith: [...conflictsWith].sort() } : {}),
    };
    await documents.send(new PutCommand({ TableName: JADA_CALENDAR_TABLE, Item: marked }));
    return { status: 200, body: publicEntry(marked) };
  });
}

/** GET /entries[?bookingId=], oldest first. */
async function listEntries(documents: DynamoDBDocumentClient, request: StandInRequest): Promise<StandInResponse> {
  const bookingId = request.query.get('bookingId');
  const found = await scanAll(documents, bookingId ?? undefined);
  return { status: 200, body: { entries: found.map(publicEntry) } };
}

/** GET /entries/:entryId */
async function getEntry(documents: DynamoDBDocumentClient, request: StandInRequest): Promise<StandInResponse> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: JADA_CALENDAR_TABLE, Key: { entryId: request.params.entryId } }),
  );
  if (!Item) throw new HttpError(404, `no calendar entry ${request.params.entryId}`);
  return { status: 200, body: publicEntry(Item as CalendarEntry) };
}

async function entryOf(documents: DynamoDBDocumentClient, entryId: string): Promise<CalendarEntry> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: JADA_CALENDAR_TABLE, Key: { entryId }, ConsistentRead: true }),
  );
  if (!Item) throw new HttpError(404, `no calendar entry ${entryId}`);
  return Item as CalendarEntry;
}

async function activeEntry(documents: DynamoDBDocumentClient, entryId: string): Promise<CalendarEntry> {
  const entry = await entryOf(documents, entryId);
  if (entry.status === 'cancelled') throw new HttpError(409, `calendar entry ${entryId} is cancelled`);
  return entry;
}

type EntryRequest = Pick<
  CalendarEntry,
  'bookingId' | 'date' | 'start' | 'durationHours' | 'boat' | 'partySize' | 'title'
>;

/** Checks the request like the real API would: a 400 that names every bad field. */
export function parseEntryRequest(body: unknown): EntryRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const invalid = <T>(problem: string, fallback: T): T => {
    problems.push(problem);
    return fallback;
  };
  const str = (k: string) =>
    typeof b[k] === 'string' && b[k] !== '' ? (b[k] as string) : invalid(`${k} must be a non-empty string`, '');
  const pos = (k: string) =>
    typeof b[k] === 'number' && (b[k] as number) > 0 ? (b[k] as number) : invalid(`${k} must be a positive number`, 0);
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
  const items = bookingId
    ? await entriesOfBooking(documents, bookingId)
    : await scanWhere<CalendarEntry>(documents, JADA_CALENDAR_TABLE);
  return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

async function entriesOfBooking(documents: DynamoDBDocumentClient, bookingId: string): Promise<CalendarEntry[]> {
  try {
    const items: CalendarEntry[] = [];
    const pages = paginateQuery(
      { client: documents },
      {
        TableName: JADA_CALENDAR_TABLE,
        IndexName: BY_BOOKING,
        KeyConditionExpression: 'bookingId = :b',
        ExpressionAttributeValues: { ':b': bookingId },
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as CalendarEntry[]));
    return items;
  } catch (error) {
    // A data directory made before the index: its table has none, so it is scanned as before.
    if ((error as Error)?.name !== 'ValidationException') throw error;
    return scanWhere<CalendarEntry>(documents, JADA_CALENDAR_TABLE, { bookingId });
  }
}

/** The stand-in as the local stack starts it (JADA_CALENDAR_URL). */
export const jadaCalendarStandIn = {
  name: 'jada-calendar',
  envVar: 'JADA_CALENDAR_URL',
  tables: jadaCalendarTables,
  start: (opts: { port: number } & Partial<JadaCalendarOptions>) => startJadaCalendar(opts),
};
