import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DECKHAND_ROSTER,
  HOUSE_CAPTAIN,
  crewEventRequest,
  crewFor,
  crewNotes,
} from '../../../services/crew/crew-event';
import { devSecrets } from '../../../local/charterflow/seed';
import { secretNames } from '../../../shared/config';
import { bookingDetails, bookingSnapshot, eventMetadata } from '../../../samples';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from '../calendar/support';

describe('the crew of a booking', () => {
  it('is the booking’s captain and one deckhand from the roster for up to six guests', () => {
    const crew = crewFor(bookingSnapshot());
    expect(crew[0]).toEqual({ name: 'Sam Ortiz', role: 'captain' });
    expect(crew.slice(1)).toHaveLength(1);
    expect(DECKHAND_ROSTER).toContain(crew[1]!.name);
  });

  it('has two different deckhands for a party of seven or more, and the house captain when none is named', () => {
    const crew = crewFor(bookingSnapshot({ partySize: 10, captain: undefined }));
    expect(crew[0]).toEqual({ name: HOUSE_CAPTAIN, role: 'captain' });
    const deckhands = crew.filter((m) => m.role === 'deckhand').map((m) => m.name);
    expect(deckhands).toHaveLength(2);
    expect(new Set(deckhands).size).toBe(2);
  });

  it('is the same on every run for a booking (a retry never invites someone else), and varies across bookings', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `BK${String(i).padStart(6, '0')}`);
    for (const bookingId of ids)
      expect(crewFor(bookingSnapshot({ bookingId }))).toEqual(crewFor(bookingSnapshot({ bookingId })));
    const firstDeckhands = new Set(ids.map((bookingId) => crewFor(bookingSnapshot({ bookingId }))[1]!.name));
    expect(firstDeckhands.size).toBeGreaterThan(1);
  });
});

describe('the crew event request', () => {
  it('notes reference the calendar entry, the meeting point, party size and requests, never the guest’s contact', () => {
    const notes = crewNotes(bookingSnapshot(), bookingDetails(), 'cal_9d2e');
    expect(notes.split('\n')).toEqual([
      'Boatsetter booking XHQGMDH',
      'Calendar entry: cal_9d2e',
      'Meeting point: Shelter Island Marina, 2051 Shelter Island Dr, San Diego, CA 92106',
      'Party size: 6',
      'Special requests: Birthday, bringing a cake',
    ]);
    expect(crewNotes(bookingSnapshot(), bookingDetails({ specialRequests: undefined }), 'cal_9d2e')).not.toContain(
      'Special requests',
    );
  });

  it('carries what SCC needs for the revenue lines and the invitations', () => {
    const request = crewEventRequest(bookingSnapshot(), bookingDetails(), 'cal_9d2e');
    expect(request).toMatchObject({
      bookingId: 'XHQGMDH',
      calendarEntryId: 'cal_9d2e',
      start: '2026-12-05T17:00:00-08:00',
      durationHours: 3,
      partySize: 6,
      pricing: { currency: 'USD', bookingTotal: 1450, captainFee: 250, ownerPayout: 982.5 },
    });
    expect(request.crew).toEqual(crewFor(bookingSnapshot()));
    expect(JSON.stringify(request)).not.toMatch(/dana@example\.com|\+16195550100/);
  });
});

describe('the crew consumer on the local stack', () => {
  let env: CalendarCrewStack;
  let logs: ReturnType<typeof captureLogs>;
  beforeAll(async () => {
    logs = captureLogs();
    env = await startCalendarCrewStack(['crew']);
  });
  afterAll(async () => {
    await env?.stop();
    logs?.restore();
  });

  const calendarEntryCreated = (bookingId: string) => ({
    metadata: eventMetadata({
      bookingId,
      idempotencyKey: `${bookingId}:r1:CalendarEntryCreated`,
      correlationId: `msg_${bookingId}`,
    }),
    data: { booking: bookingSnapshot({ bookingId }), calendarEntryId: `cal_${bookingId.toLowerCase()}` },
  });

  it('creates one SCC event referencing the calendar entry, one invitation per crew member, and emits CrewEventCreated', async () => {
    const bookingId = uniqueBookingId();
    await env.rememberRenter(bookingId);
    await env.publisher.publishOne('CalendarEntryCreated', calendarEntryCreated(bookingId));
    await env.publisher.publishOne('CalendarEntryCreated', calendarEntryCreated(bookingId));
    const emitted = await env.eventsOf(bookingId, 'CrewEventCreated');
    const events = (await env.tables.sccEvents()).filter((e) => e.bookingId === bookingId);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event!.calendarEntryId).toBe(`cal_${bookingId.toLowerCase()}`);
    expect(event!.notes).toContain(`Calendar entry: cal_${bookingId.toLowerCase()}`);
    for (const line of [
      'Revenue: $1,450.00',
      'Captain Fee: $250.00',
      'Crew Costs: $120.00',
      'Port Fees: $35.00',
      'Your Net: $827.50',
    ]) {
      expect(event!.notes.split('\n')).toContain(line);
    }
    const invitations = (await env.tables.invitations()).filter((i) => i.eventId === event!.eventId);
    expect(invitations.map((i) => i.crewMember).sort((a, b) => a.role.localeCompare(b.role))).toEqual(
      crewFor(bookingSnapshot({ bookingId })),
    );
    expect(emitted).toHaveLength(1);
    expect(emitted[0]!.source).toBe('charterflow.crew');
    expect(emitted[0]!.detail.data).toMatchObject({
      sccEventId: event!.eventId,
      calendarEntryId: event!.calendarEntryId,
    });
  });

  it('with a wrong service key: a clear error in the logs, the event in the DLQ after the retries, nothing created', async () => {
    // SCC's key was rotated, our secret still holds the old one: every call is a 403.
    const sccAdmin = new URL('/__credential', env.standInUrl('scc'));
    await fetch(sccAdmin, { method: 'POST', body: JSON.stringify({ value: 'scc_rotated_elsewhere' }) });
    const bookingId = uniqueBookingId('W');
    await env.rememberRenter(bookingId);
    try {
      await env.publisher.publishOne('CalendarEntryCreated', calendarEntryCreated(bookingId));
      const dead = await env.deadLetters('crew');
      expect(dead).toHaveLength(1);
      expect(JSON.parse(dead[0]!.Body!).detail.metadata.bookingId).toBe(bookingId);
      expect(dead[0]!.MessageAttributes!.ErrorMessage!.StringValue).toContain(
        `scc createCrewEvent failed for booking ${bookingId}: HTTP 403`,
      );
    } finally {
      await fetch(sccAdmin, { method: 'POST', body: JSON.stringify({ value: devSecrets[secretNames.sccServiceKey] }) });
    }
    expect(await env.eventsOf(bookingId, 'CrewEventCreated')).toEqual([]);
    expect((await env.tables.sccEvents()).filter((e) => e.bookingId === bookingId)).toEqual([]);
    const errors = logs.lines.filter((l) => l.level === 'ERROR' && l.bookingId === bookingId);
    expect(errors.some((l) => String(l.message).includes('scc rejected our credentials (HTTP 403)'))).toBe(true);
    const key = devSecrets[secretNames.sccServiceKey]!;
    const all = JSON.stringify(logs.lines);
    expect(all).not.toContain(key);
    expect(all).not.toContain(createHash('sha256').update(key).digest('hex'));
  });

  it('takes SCC down for a while: the event waits in the retries and completes once SCC is back', async () => {
    await env.setFaults('scc', { errorRate: 1, afterEffectShare: 0 });
    const bookingId = uniqueBookingId('D');
    await env.rememberRenter(bookingId);
    await env.publisher.publishOne('CalendarEntryCreated', calendarEntryCreated(bookingId));
    // SCC answers 503 to everything until a few calls have failed, then it is healed.
    const heal = (async () => {
      for (;;) {
        const failures = logs.lines.filter(
          (l) => l.bookingId === bookingId && l.targetService === 'scc' && l.status === 503,
        ).length;
        if (failures >= 4) return env.setFaults('scc', 'reset');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await heal;
    const emitted = await env.eventsOf(bookingId, 'CrewEventCreated');
    expect(emitted).toHaveLength(1);
    expect((await env.tables.sccEvents()).filter((e) => e.bookingId === bookingId)).toHaveLength(1);
    expect(await env.deadLetters('crew')).toEqual([]);
  });
});
