import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { adoptedEntry, type CalendarHeld } from '../services/calendar/calendar-entry';
import { jadaCalendarApi, type JadaCalendarApi, type JadaEntry } from '../services/calendar/jada-calendar-api';
import { adoptedCrewEvent, type CrewHeld } from '../services/crew/crew-event';
import { upcomingCrewEvents, type SccTableEvent } from '../services/crew/scc-events-table';
import { documentClient, secretsManagerClient } from '../shared/aws';
import { RevisionLedger } from '../shared/revisions';
import type { Hold } from '../shared/lifecycle';
import { SecretCache } from '../shared/secrets';
import { applyTarget, isLoopback, parseCommandArgs, processIo, targetHelp, targetOptions, type Io } from './args';
import { UsageError } from './usage-error';

export const adoptHelp = `Usage: npx charterflow adopt [--apply] [--since YYYY-MM-DD] [--jada-url URL] [--local | --stage NAME]

Takes over what the hand-made Lambdas made: finds the JADA calendar entries and SCC crew events of upcoming
trips and links each to its booking, by recording them as what calendar and crew hold for it. The first
revision charterflow then sees for such a booking updates the entry and the event in place, and the crew
hear only of what changed. Calendar and crew also adopt by themselves when a booking reaches them first;
adopt makes that one look less per booking, and says beforehand what charterflow will take over.
Dry run by default: prints what it would adopt and writes nothing. Run it again at will: a booking
charterflow already knows is left as it is.
  --apply         write the links
  --since DATE    trips from this date on (default: yesterday, so that every time zone's today is in)
  --jada-url URL  the JADA calendar API (default: JADA_CALENDAR_URL; the stand-in with --local)
${targetHelp}
One line per booking (adopted / already known / SCC event missing / JADA entry missing), then a summary.`;

const LOCAL_JADA_URL = 'http://127.0.0.1:4010';

export type AdoptionStatus =
  | 'adopted'
  | 'would adopt'
  | 'already known'
  | 'seen in shadow'
  | 'SCC event missing'
  | 'JADA entry missing';

export interface AdoptionLine {
  bookingId: string;
  status: AdoptionStatus;
  calendarEntryId: string;
  sccEventId?: string;
  /** Which of calendar and crew this run linked (or would link). */
  linked: ('calendar' | 'crew')[];
}

export interface AdoptDeps {
  jada: Pick<JadaCalendarApi, 'listEntries'>;
  documents: DynamoDBDocumentClient;
  revisions: RevisionLedger;
  logger: Logger;
  sccTable?: string;
}

/**
 * Links every upcoming JADA entry (active, dated `since` or later) and the SCC event whose notes name it to the
 * booking: each recorded as revision 0 of calendar's and crew's records (RevisionLedger), what the system held
 * before charterflow applied any revision, so that every revision Boatsetter sends is newer. A record that is
 * already there (charterflow saw the booking, or adopt ran before) is left as it is.
 */
export async function adoptUpcoming(deps: AdoptDeps, options: { since: string; apply: boolean }) {
  const { since, apply } = options;
  const entries = (await deps.jada.listEntries({ logger: deps.logger })).filter(
    (entry) => entry.status === 'active' && entry.date >= since,
  );
  const events = await upcomingCrewEvents(since, { documents: deps.documents, table: deps.sccTable });
  const eventOf = new Map<string, SccTableEvent>();
  for (const event of events) if (event.status === 'active') eventOf.set(event.calendarEntryId, event);

  // The oldest active entry of each booking, as calendar adopts it.
  const entryOf = new Map<string, JadaEntry>();
  for (const entry of entries) if (!entryOf.has(entry.bookingId)) entryOf.set(entry.bookingId, entry);

  const lines: AdoptionLine[] = [];
  for (const [bookingId, entry] of entryOf) {
    const event = eventOf.get(entry.entryId);
    const linked: AdoptionLine['linked'] = [];
    if (await link(deps, bookingId, 'calendar', adoptedEntry(entry), apply)) linked.push('calendar');
    if (event && (await link(deps, bookingId, 'crew', adoptedCrewEvent(event, bookingId), apply))) linked.push('crew');
    // A booking a shadow stage saw holds only what its gate kept back: calendar and crew look for the real entry
    // and event at its next revision, so there is nothing to link, and "already known" would mislead.
    const seenInShadow =
      linked.length === 0 && (await deps.revisions.get<Hold>(bookingId, 'calendar'))?.held?.keptBack === true;
    const status: AdoptionStatus = !event
      ? 'SCC event missing'
      : seenInShadow
        ? 'seen in shadow'
        : linked.length === 0
          ? 'already known'
          : apply
            ? 'adopted'
            : 'would adopt';
    lines.push({ bookingId, status, calendarEntryId: entry.entryId, sccEventId: event?.eventId, linked });
  }
  const inJada = new Set(entries.map((entry) => entry.entryId));
  for (const event of eventOf.values()) {
    if (inJada.has(event.calendarEntryId)) continue;
    lines.push({
      bookingId: event.bookingId ?? '(unknown booking)',
      status: 'JADA entry missing',
      calendarEntryId: event.calendarEntryId,
      sccEventId: event.eventId,
      linked: [],
    });
  }
  return lines.sort((a, b) => a.bookingId.localeCompare(b.bookingId));
}

/** Records `held` as revision 0 of the consumer's record unless it has one; true if it did (or, dry, would). */
async function link(
  deps: AdoptDeps,
  bookingId: string,
  consumer: 'calendar' | 'crew',
  held: CalendarHeld | CrewHeld,
  apply: boolean,
): Promise<boolean> {
  if (!apply) return (await deps.revisions.get(bookingId, consumer)) === undefined;
  const { outcome } = await deps.revisions.applyDecided(
    { bookingId, consumer, revision: 0 },
    {
      // Only reached with no record at all: the lease on revision 0 is refused once any revision is recorded.
      decide: (known) => Promise.resolve({ held: known ?? held }),
      perform: () => Promise.reject(new Error('adopt records what JADA and SCC hold; it never calls them')),
    },
    deps.logger,
  );
  return outcome === 'acted';
}

export function describeLine(line: AdoptionLine): string {
  const ids = `calendar entry ${line.calendarEntryId}${line.sccEventId ? `, crew event ${line.sccEventId}` : ''}`;
  switch (line.status) {
    case 'SCC event missing':
      return `${line.bookingId}  SCC event missing: ${ids}${line.linked.length > 0 ? ' (calendar entry linked; crew creates the event with the next revision)' : ''}`;
    case 'JADA entry missing':
      return `${line.bookingId}  JADA entry missing: ${ids} names an entry JADA does not hold active; left alone`;
    case 'seen in shadow':
      return `${line.bookingId}  seen in shadow: ${ids} (calendar and crew take them over at the booking's next revision)`;
    default:
      return `${line.bookingId}  ${line.status}: ${ids}`;
  }
}

export function summaryOf(lines: readonly AdoptionLine[], apply: boolean): string {
  const count = (status: AdoptionStatus) => lines.filter((line) => line.status === status).length;
  const parts = [
    `${count(apply ? 'adopted' : 'would adopt')} ${apply ? 'adopted' : 'to adopt'}`,
    `${count('already known')} already known`,
    `${count('seen in shadow')} seen in shadow`,
    `${count('SCC event missing')} SCC event missing`,
    `${count('JADA entry missing')} JADA entry missing`,
  ];
  return `${lines.length} upcoming bookings: ${parts.join(', ')}${apply ? '' : ' (dry run: nothing written; --apply to write)'}`;
}

export function parseAdoptArgs(argv: string[], now = new Date()) {
  const { values } = parseCommandArgs(argv, {
    ...targetOptions,
    apply: { type: 'boolean', default: false },
    since: { type: 'string' },
    'jada-url': { type: 'string' },
  });
  const since = values.since ?? new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(since))) {
    throw new UsageError(`--since must be a date as YYYY-MM-DD, got "${since}"`);
  }
  const jadaUrl = values['jada-url'];
  if (jadaUrl !== undefined && !URL.canParse(jadaUrl)) throw new UsageError(`--jada-url ${jadaUrl}: not a URL`);
  return { stage: values.stage, local: values.local, apply: values.apply, since, jadaUrl };
}

export async function runAdopt(argv: string[], io: Io = processIo()): Promise<number> {
  const args = parseAdoptArgs(argv);
  io.err(applyTarget(args));
  const local = isLoopback(process.env.AWS_ENDPOINT_URL);
  const jadaUrl = args.jadaUrl ?? process.env.JADA_CALENDAR_URL ?? (local ? LOCAL_JADA_URL : undefined);
  if (!jadaUrl) throw new UsageError("the JADA calendar API's URL is needed: --jada-url URL (or JADA_CALENDAR_URL)");
  process.env.JADA_CALENDAR_URL = jadaUrl;
  const documents = documentClient();
  const lines = await adoptUpcoming(
    {
      jada: jadaCalendarApi(new SecretCache(secretsManagerClient())),
      documents,
      revisions: new RevisionLedger(documents),
      logger: new Logger({ serviceName: 'charterflow.adopt', logLevel: 'SILENT' }),
    },
    { since: args.since, apply: args.apply },
  );
  for (const line of lines) io.out(describeLine(line));
  io.out(summaryOf(lines, args.apply));
  return 0;
}
