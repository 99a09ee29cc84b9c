import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sccEventsTable } from '../../shared/config';
import type { CrewMember } from './scc-api';

/**
 * Crew events as SCC's own DynamoDB table holds them (the table scrub already writes): how charterflow finds
 * the events the hand-made Lambdas made. Those put the JADA calendar entry id in the event's notes, and the
 * table has no index on it, so finding one is a Scan with a filter. A Scan reads the whole table whatever the
 * filter keeps; for an operator's few hundred events that is a handful of pages, read only when a booking is
 * new to charterflow (crew) or by the operator's commands.
 */

/** A crew event read from SCC's table: the fields SCC keeps, and the calendar entry its notes name. */
export interface SccTableEvent {
  eventId: string;
  /** The JADA calendar entry id the notes name. */
  calendarEntryId: string;
  bookingId?: string;
  title?: string;
  start?: string;
  durationHours?: number;
  boat?: string;
  partySize?: number;
  notes: string;
  crew: CrewMember[];
  status: 'active' | 'cancelled';
}

/** The line the notes name the calendar entry in, as the old Lambdas and charterflow both write it. */
const CALENDAR_ENTRY_LINE = /^\s*Calendar entry:\s*(\S+)\s*$/im;

/** The calendar entry id a crew event's notes name, if any. */
export function calendarEntryIdOfNotes(notes: string): string | undefined {
  return CALENDAR_ENTRY_LINE.exec(notes)?.[1];
}

export interface SccTableOptions {
  table?: string;
  documents: DynamoDBDocumentClient;
}

/**
 * The crew event whose notes name this calendar entry, or none; the newest active one when several do.
 * Read consistently: an event SCC stored a moment ago (ours, before a crash) must be found.
 */
export async function findCrewEventByCalendarEntry(
  calendarEntryId: string,
  { documents, table = sccEventsTable() }: SccTableOptions,
): Promise<SccTableEvent | undefined> {
  const found = await scanEvents(documents, table, {
    FilterExpression: 'contains(notes, :entry)',
    ExpressionAttributeValues: { ':entry': calendarEntryId },
  });
  const named = found.filter((event) => event.calendarEntryId === calendarEntryId);
  return named.find((event) => event.status === 'active') ?? named[0];
}

/**
 * The crew events of trips from `since` (YYYY-MM-DD, compared with the ISO start SCC keeps, so a day early
 * catches every time zone) whose notes name a calendar entry: what adopt and the shadow report walk.
 */
export function upcomingCrewEvents(
  since: string,
  { documents, table = sccEventsTable() }: SccTableOptions,
): Promise<SccTableEvent[]> {
  return scanEvents(documents, table, {
    FilterExpression: '#start >= :since AND contains(notes, :line)',
    ExpressionAttributeNames: { '#start': 'start' },
    ExpressionAttributeValues: { ':since': since, ':line': 'Calendar entry:' },
  });
}

async function scanEvents(
  documents: DynamoDBDocumentClient,
  table: string,
  filter: {
    FilterExpression: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues: Record<string, string>;
  },
): Promise<SccTableEvent[]> {
  const events: SccTableEvent[] = [];
  const pages = paginateScan({ client: documents }, { TableName: table, ConsistentRead: true, ...filter });
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const event = sccTableEventOf(item);
      if (event) events.push(event);
    }
  }
  return events.sort((a, b) => (a.start ?? '').localeCompare(b.start ?? ''));
}

/** An item of SCC's table as a crew event; none when its notes name no calendar entry. */
export function sccTableEventOf(item: Record<string, unknown>): SccTableEvent | undefined {
  if (typeof item.eventId !== 'string' || typeof item.notes !== 'string') return undefined;
  const calendarEntryId = calendarEntryIdOfNotes(item.notes);
  if (!calendarEntryId) return undefined;
  const text = (key: string) => (typeof item[key] === 'string' ? (item[key] as string) : undefined);
  const number = (key: string) => (typeof item[key] === 'number' ? (item[key] as number) : undefined);
  return {
    eventId: item.eventId,
    calendarEntryId,
    bookingId: text('bookingId'),
    title: text('title'),
    start: text('start'),
    durationHours: number('durationHours'),
    boat: text('boat'),
    partySize: number('partySize'),
    notes: item.notes,
    crew: Array.isArray(item.crew) ? (item.crew as CrewMember[]) : [],
    status: item.status === 'cancelled' ? 'cancelled' : 'active',
  };
}
