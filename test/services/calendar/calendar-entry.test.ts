import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarEntryRequest } from '../../../services/calendar/calendar-entry';
import { devSecrets } from '../../../local/charterflow/seed';
import { secretNames } from '../../../shared/config';
import { asyncRetriesOf } from '../../../shared/declaration';
import { declaration } from '../../../services/calendar/declaration';
import { bookingSnapshot, eventMetadata } from '../../../samples';
import { tripTime } from '../../../services/guest-page/trip-time';
import { tripWhen } from '../../../services/guest-mail/trip-when';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from './support';

/** "2027-01-15" as the page and the mail word a date: "Friday, January 15, 2027". */
const longDate = (date: string) =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });

describe('the calendar entry of a booking', () => {
  it.each([
    ['an evening trip west of UTC keeps its local date', '2026-12-05T17:00:00-08:00', '2026-12-05'],
    ['a morning trip east of UTC keeps its local date', '2026-12-06T07:30:00+09:00', '2026-12-06'],
    ['a late-night trip in UTC', '2026-12-31T23:30:00Z', '2026-12-31'],
  ])('%s', (_, start, date) => {
    const booking = bookingSnapshot({ trip: { ...bookingSnapshot().trip, start } });
    expect(calendarEntryRequest(booking)).toMatchObject({ date, start });
  });

  // A start in UTC names no dock: the entry is dated at the dock, on the day the guest page and the mail show.
  it.each([
    ['an evening charter written in UTC', '2027-01-16T01:00:00Z', '2027-01-15'],
    ['a summer evening written in UTC', '2026-07-05T02:30:00Z', '2026-07-04'],
    ['a start written at +05:30', '2026-12-05T03:00:00+05:30', '2026-12-05'],
    ['an evening charter at the dock’s offset', '2026-12-05T23:30:00-08:00', '2026-12-05'],
  ])('%s is dated on the day the guest page and the mail show', (_, start, date) => {
    const booking = bookingSnapshot({ trip: { ...bookingSnapshot().trip, start } });
    expect(calendarEntryRequest(booking).date).toBe(date);
    const shown = longDate(date);
    expect(tripTime(start, booking.trip.durationHours).date).toBe(shown);
    expect(tripWhen(start).date).toBe(shown);
  });

  it('carries boat, party size, duration and booking id, and never the guest’s email or phone', () => {
    const request = calendarEntryRequest(bookingSnapshot());
    expect(request).toEqual({
      bookingId: 'XHQGMDH',
      date: '2026-12-05',
      start: '2026-12-05T17:00:00-08:00',
      durationHours: 3,
      boat: 'JADA',
      partySize: 6,
      title: 'JADA charter, Dana (party of 6)',
    });
    expect(JSON.stringify(request)).not.toMatch(/dana@example\.com|\+16195550100/);
  });
});

describe('the calendar consumer on the local stack', () => {
  let env: CalendarCrewStack;
  let logs: ReturnType<typeof captureLogs>;
  beforeAll(async () => {
    logs = captureLogs();
    env = await startCalendarCrewStack(['calendar']);
  });
  afterAll(async () => {
    await env?.stop();
    logs?.restore();
  });

  const received = (bookingId: string) => ({
    metadata: eventMetadata({
      bookingId,
      idempotencyKey: `${bookingId}:r1:BookingReceived`,
      correlationId: `msg_${bookingId}`,
      causationId: `msg_${bookingId}`,
    }),
    data: { booking: bookingSnapshot({ bookingId }) },
  });

  it('creates one JADA calendar entry and emits CalendarEntryCreated with its id, even when BookingReceived comes twice', async () => {
    const bookingId = uniqueBookingId();
    await env.publisher.publishOne('BookingReceived', received(bookingId));
    await env.publisher.publishOne('BookingReceived', received(bookingId));
    const created = await env.eventsOf(bookingId, 'CalendarEntryCreated');
    const entries = (await env.tables.calendarEntries()).filter((e) => e.bookingId === bookingId);
    expect(entries).toHaveLength(1);
    const { start } = bookingSnapshot({ bookingId }).trip;
    expect(entries[0]).toMatchObject({ start, durationHours: 3, date: start.slice(0, 10), boat: 'JADA', partySize: 6 });
    expect(created).toHaveLength(1);
    const [event] = created;
    expect(event!.source).toBe('charterflow.calendar');
    expect(event!.detail.data.calendarEntryId).toBe(entries[0]!.entryId);
    expect(event!.detail.data.booking).toEqual(bookingSnapshot({ bookingId }));
    expect(event!.detail.metadata).toMatchObject({
      correlationId: `msg_${bookingId}`,
      idempotencyKey: `${bookingId}:r1:CalendarEntryCreated`,
    });
    const cause = (await env.eventsOf(bookingId, 'BookingReceived')).map((e) => e.id);
    expect(cause).toContain(event!.detail.metadata.causationId);
  });

  it('dates the JADA entry of a start written in UTC on the dock’s day, the one the page and the mail show', async () => {
    const bookingId = uniqueBookingId('Z');
    const start = '2027-01-16T01:00:00Z';
    const booking = bookingSnapshot({ bookingId, trip: { ...bookingSnapshot().trip, start } });
    const event = received(bookingId);
    await env.publisher.publishOne('BookingReceived', { ...event, data: { booking } });
    await env.eventsOf(bookingId, 'CalendarEntryCreated');
    const entries = (await env.tables.calendarEntries()).filter((e) => e.bookingId === bookingId);
    expect(entries.map((e) => [e.date, e.start])).toEqual([['2027-01-15', start]]);
    expect(tripTime(start, 3).date).toBe('Friday, January 15, 2027');
    expect(tripWhen(start).date).toBe('Friday, January 15, 2027');
  });

  it('with a wrong dashboard token: a clear error in the logs, the event in the DLQ after the retries, nothing emitted', async () => {
    // JADA now expects another token than the one in our secret: every call is a 401.
    await fetch(new URL('/__credential', env.standInUrl('jada-calendar')), {
      method: 'POST',
      body: JSON.stringify({ value: 'jada_rotated_elsewhere' }),
    });
    const bookingId = uniqueBookingId('W');
    try {
      await env.publisher.publishOne('BookingReceived', received(bookingId));
      const dead = await env.deadLetters('calendar');
      expect(dead).toHaveLength(1);
      expect(JSON.parse(dead[0]!.Body!).detail.metadata.bookingId).toBe(bookingId);
      // Lambda dead-letters what its function failed on, with Lambda's attributes (not EventBridge's).
      const reason = dead[0]!.MessageAttributes!.ErrorMessage!.StringValue!;
      // The first call a new booking makes: the look for an entry the hand-made Lambdas made.
      expect(reason).toContain(`jada-calendar findCalendarEntries failed for booking ${bookingId}: HTTP 401`);
      expect(dead[0]!.MessageAttributes!.ErrorCode).toEqual({ DataType: 'Number', StringValue: '200' });
    } finally {
      await fetch(new URL('/__credential', env.standInUrl('jada-calendar')), {
        method: 'POST',
        body: JSON.stringify({ value: devSecrets[secretNames.jadaDashboardToken] }),
      });
    }
    expect(await env.eventsOf(bookingId, 'CalendarEntryCreated')).toEqual([]);
    expect((await env.tables.calendarEntries()).filter((e) => e.bookingId === bookingId)).toEqual([]);

    const errors = logs.lines.filter((l) => l.level === 'ERROR' && l.bookingId === bookingId);
    expect(errors.some((l) => String(l.message).includes('jada-calendar rejected our credentials (HTTP 401)'))).toBe(
      true,
    );
    // Run once, then retried as the deployed function's EventInvokeConfig says; each failure says retrying cannot help.
    const failures = errors.filter((l) => String(l.message).startsWith('consumer failed'));
    expect(failures).toHaveLength(1 + asyncRetriesOf(declaration).maximumRetryAttempts);
    expect(failures.every((l) => l.retryable === false && String(l.message).includes('retrying cannot help'))).toBe(
      true,
    );
    // The token itself never reaches a log line.
    expect(JSON.stringify(logs.lines)).not.toContain(devSecrets[secretNames.jadaDashboardToken]);
  });
});
