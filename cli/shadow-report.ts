import { Logger } from '@aws-lambda-powertools/logger';
import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { jadaCalendarApi, type JadaCalendarApi } from '../services/calendar/jada-calendar-api';
import { findCrewEventByCalendarEntry } from '../services/crew/scc-events-table';
import { documentClient, secretsManagerClient } from '../shared/aws';
import { bookingsTable } from '../shared/config';
import { SecretCache } from '../shared/secrets';
import { isShadowId, SHADOW_PREFIX, type ShadowRecord } from '../shared/shadow';
import { applyTarget, isLoopback, parseCommandArgs, processIo, targetHelp, targetOptions, type Io } from './args';
import { compareBooking, reportLines, wouldWriteOf, type BookingComparison } from './operator/shadow-compare';
import { UsageError } from './usage-error';

export const shadowReportHelp = `Usage: npx charterflow shadow-report [--booking ID] [--jada-url URL] [--local | --stage NAME]

For a stage in shadow mode (deploy param mode: shadow; npm start -- --shadow): compares what charterflow would
have written to JADA and SCC (each consumer's shadow records) with what JADA and SCC hold now, as the old
Lambdas made it. Lists the bookings where charterflow would differ, field by field (what JADA or SCC holds, what
charterflow would write), then the ones that match, then a summary. Read-only.
Exit code: 0 when every booking matches; 1 when some differ.
  --booking ID    this booking only
  --jada-url URL  the JADA calendar API (default: JADA_CALENDAR_URL; the stand-in with --local)
${targetHelp}`;

const LOCAL_JADA_URL = 'http://127.0.0.1:4010';

export interface ShadowReportDeps {
  documents: DynamoDBDocumentClient;
  jada: JadaCalendarApi;
  sccTable?: string;
}

/** Every booking's shadow records, oldest write first (their sort keys are written in that order). */
export async function shadowRecordsByBooking(
  documents: DynamoDBDocumentClient,
  bookingId?: string,
): Promise<Map<string, ShadowRecord[]>> {
  const byBooking = new Map<string, ShadowRecord[]>();
  for await (const page of paginateScan(
    { client: documents },
    {
      TableName: bookingsTable(),
      FilterExpression: `begins_with(sk, :shadow)${bookingId ? ' AND pk = :pk' : ''}`,
      ExpressionAttributeValues: {
        ':shadow': SHADOW_PREFIX,
        ...(bookingId ? { ':pk': `BOOKING#${bookingId}` } : {}),
      },
      ConsistentRead: true,
    },
  )) {
    for (const item of page.Items ?? []) {
      if (typeof item.operation !== 'string') continue; // the notes kept for scrub, not a write
      const record = item as ShadowRecord & { sk: string };
      byBooking.set(record.bookingId, [...(byBooking.get(record.bookingId) ?? []), record]);
    }
  }
  for (const records of byBooking.values())
    records.sort((a, b) => String((a as { sk?: string }).sk).localeCompare(String((b as { sk?: string }).sk)));
  return byBooking;
}

export async function compareShadow(deps: ShadowReportDeps, bookingId?: string): Promise<BookingComparison[]> {
  const logger = new Logger({ serviceName: 'charterflow.shadow-report', logLevel: 'SILENT' });
  const comparisons: BookingComparison[] = [];
  for (const [id, records] of [...(await shadowRecordsByBooking(deps.documents, bookingId))].sort()) {
    const would = wouldWriteOf(records);
    const entries = await deps.jada.findEntries(id, { bookingId: id, logger });
    const entry = entries.find((e) => e.status === 'active') ?? entries.at(-1);
    const event =
      entry && !isShadowId(entry.entryId)
        ? await findCrewEventByCalendarEntry(entry.entryId, {
            documents: deps.documents,
            ...(deps.sccTable ? { table: deps.sccTable } : {}),
          })
        : undefined;
    const revision = Math.max(...records.map((r) => r.revision));
    comparisons.push(compareBooking(id, revision, would, entry, event));
  }
  return comparisons;
}

export async function runShadowReport(argv: string[], io: Io = processIo()): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    ...targetOptions,
    booking: { type: 'string' },
    'jada-url': { type: 'string' },
  });
  const jadaUrl = values['jada-url'];
  if (jadaUrl !== undefined && !URL.canParse(jadaUrl)) throw new UsageError(`--jada-url ${jadaUrl}: not a URL`);
  if (values.booking !== undefined && !/^[A-Z0-9]{1,32}$/.test(values.booking))
    throw new UsageError(`--booking ${values.booking}: a booking id is 1 to 32 capital letters and digits`);
  io.err(applyTarget(values));
  const local = isLoopback(process.env.AWS_ENDPOINT_URL);
  const url = jadaUrl ?? process.env.JADA_CALENDAR_URL ?? (local ? LOCAL_JADA_URL : undefined);
  if (!url) throw new UsageError("the JADA calendar API's URL is needed: --jada-url URL (or JADA_CALENDAR_URL)");
  process.env.JADA_CALENDAR_URL = url;
  const documents = documentClient();
  try {
    const comparisons = await compareShadow(
      { documents, jada: jadaCalendarApi(new SecretCache(secretsManagerClient())) },
      values.booking,
    );
    for (const line of reportLines(comparisons)) io.out(line);
    return comparisons.some((c) => c.differences.length > 0) ? 1 : 0;
  } finally {
    documents.destroy();
  }
}
