import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SCC_EVENTS_TABLE,
  SCC_INVITATIONS_TABLE,
  notesWithRevenue,
  revenueOf,
  sccTables,
  startScc,
  type CrewInvitation,
  type CrewMember,
  type SccEvent,
} from '../../../local/stand-ins/scc';
import type { RunningStandIn } from '../../../local/stand-ins/http-kit';
import { getJson, postJson, startDynamo } from './support';

const KEY = 'scc_test_service_key_91ab';
const hashed = (v: string) => createHash('sha256').update(v).digest('hex');
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let scc: RunningStandIn;

beforeAll(async () => {
  dynamo = await startDynamo(sccTables);
  scc = await startScc({ port: 0, serviceKey: KEY, documents: dynamo.documents });
});
afterAll(async () => {
  await scc?.stop();
  await dynamo?.stop();
});

const crew: CrewMember[] = [
  { name: 'Sam Ortiz', role: 'captain' },
  { name: 'Tess Quinn', role: 'deckhand' },
];
const crewEvent = (bookingId: string, members = crew) => ({
  bookingId,
  calendarEntryId: 'cal_0f3a9c',
  title: `JADA charter ${bookingId}`,
  start: '2026-12-05T17:00:00-08:00',
  durationHours: 3,
  boat: 'JADA',
  partySize: 6,
  notes: [
    `Boatsetter booking ${bookingId}, revision 1`,
    'Calendar entry: cal_0f3a9c',
    'Meeting point: Shelter Island Marina, 2051 Shelter Island Dr, San Diego, CA 92106',
    'Party size: 6',
    'Special requests: Birthday, bringing a cake',
  ].join('\n'),
  crew: members,
  pricing: { currency: 'USD', bookingTotal: 1450, captainFee: 250, ownerPayout: 982.5 },
});
const auth = { 'x-service-key': hashed(KEY) };
const eventsOf = async (bookingId: string) =>
  (await dynamo.scan<SccEvent>(SCC_EVENTS_TABLE)).filter((e) => e.bookingId === bookingId);
const invitationsOf = async (eventId: string) =>
  (await dynamo.scan<CrewInvitation>(SCC_INVITATIONS_TABLE)).filter((i) => i.eventId === eventId);

describe('the SCC stand-in', () => {
  it('lives under its API Gateway stage path, as SCC_API_URL does in AWS', () => {
    expect(new URL(scc.url).pathname).toBe('/prod');
  });

  it.each([
    ['no key', {}],
    ['the raw key instead of its SHA-256', { 'x-service-key': KEY }],
    ['the hash of another key', { 'x-service-key': hashed('scc_old_key') }],
  ])('answers 403 to %s and stores nothing', async (_, headers) => {
    const answer = await postJson(`${scc.url}/events`, crewEvent('AUTH403'), {
      ...headers,
      'idempotency-key': 'k-403',
    });
    expect(answer.status).toBe(403);
    expect(answer.body.message).toContain('X-Service-Key');
    expect(await eventsOf('AUTH403')).toEqual([]);
  });

  it('stores the event with revenue lines among the notes and invites each crew member once', async () => {
    const answer = await postJson(`${scc.url}/events`, crewEvent('XHQGMDH'), {
      ...auth,
      'idempotency-key': 'XHQGMDH:r1:CalendarEntryCreated',
    });
    expect(answer.status).toBe(201);
    const [stored, ...more] = await eventsOf('XHQGMDH');
    expect(more).toEqual([]);
    expect(stored).toMatchObject({ eventId: answer.body.eventId, calendarEntryId: 'cal_0f3a9c', crew });
    expect(stored!.notes.split('\n')).toEqual([
      'Boatsetter booking XHQGMDH, revision 1',
      'Revenue: $1,450.00',
      'Captain Fee: $250.00',
      'Calendar entry: cal_0f3a9c',
      'Meeting point: Shelter Island Marina, 2051 Shelter Island Dr, San Diego, CA 92106',
      'Crew Costs: $120.00',
      'Port Fees: $35.00',
      'Your Net: $827.50',
      'Party size: 6',
      'Special requests: Birthday, bringing a cake',
    ]);
    const invitations = await invitationsOf(stored!.eventId);
    expect(invitations.map((i) => i.crewMember).sort((a, b) => a.name.localeCompare(b.name))).toEqual(crew);
    for (const invitation of invitations) {
      expect(invitation.magicLinkToken).toMatch(/^[0-9a-f]{48}$/);
      expect(Date.parse(invitation.sentAt)).not.toBeNaN();
    }
    // The answer and the GET lists never show a magic link: only the crew member's mail does.
    expect(JSON.stringify(answer.body)).not.toContain(invitations[0]!.magicLinkToken);
    const listed = await getJson(`${scc.url}/events/${stored!.eventId}/invitations`, auth);
    expect(listed.body.invitations).toHaveLength(2);
    expect(JSON.stringify(listed.body)).not.toContain('magicLinkToken');
    expect((await getJson(`${scc.url}/events?bookingId=XHQGMDH`, auth)).body.events).toHaveLength(1);
    expect((await getJson(`${scc.url}/events/${stored!.eventId}`, auth)).body.bookingId).toBe('XHQGMDH');
  });

  it('honours Idempotency-Key: repeats, concurrent or after a restart, create no second event or invitation', async () => {
    const send = () =>
      postJson(`${scc.url}/events`, crewEvent('IDEMP02'), {
        ...auth,
        'idempotency-key': 'IDEMP02:r1:CalendarEntryCreated',
      });
    const answers = await Promise.all([send(), send(), send()]);
    expect(new Set(answers.map((a) => a.body.eventId)).size).toBe(1);
    const eventId = answers[0]!.body.eventId as string;
    const before = await invitationsOf(eventId);

    await scc.stop();
    scc = await startScc({ port: 0, serviceKey: KEY, documents: dynamo.documents });
    expect((await send()).status).toBe(200);
    expect(await eventsOf('IDEMP02')).toHaveLength(1);
    const after = await invitationsOf(eventId);
    expect(after).toHaveLength(2);
    expect(after.sort((a, b) => a.invitationId.localeCompare(b.invitationId))).toEqual(
      before.sort((a, b) => a.invitationId.localeCompare(b.invitationId)),
    );
  });

  it('answers 400 naming every bad field', async () => {
    const answer = await postJson(
      `${scc.url}/events`,
      { bookingId: 'BAD0002', crew: [{ name: 'X', role: 'cook' }], pricing: { currency: 'usd' } },
      { ...auth, 'idempotency-key': 'bad' },
    );
    expect(answer.status).toBe(400);
    for (const field of ['calendarEntryId', 'crew.0.role', 'pricing.bookingTotal', 'pricing.currency', 'notes'])
      expect(answer.body.message).toContain(field);
  });
});

describe('the revenue lines', () => {
  const sample = { currency: 'USD', bookingTotal: 1450, captainFee: 250, ownerPayout: 982.5 };
  it.each([
    [
      'the sample: one deckhand, 3 h',
      sample,
      1,
      3,
      { revenue: 1450, captainFee: 250, crewCosts: 120, portFees: 35, net: 827.5 },
    ],
    [
      'two deckhands, 4 h',
      { ...sample, bookingTotal: 2400.4, captainFee: 320, ownerPayout: 1720.34 },
      2,
      4,
      { revenue: 2400.4, captainFee: 320, crewCosts: 320, portFees: 35, net: 1365.34 },
    ],
    [
      'no deckhand',
      { ...sample, ownerPayout: 100.1 },
      0,
      2,
      { revenue: 1450, captainFee: 250, crewCosts: 0, portFees: 35, net: 65.1 },
    ],
  ])('%s', (_, pricing, deckhands, hours, expected) => {
    const members: CrewMember[] = [
      { name: 'Sam Ortiz', role: 'captain' },
      ...Array.from({ length: deckhands }, (_, i) => ({ name: `D${i}`, role: 'deckhand' as const })),
    ];
    expect(revenueOf(pricing, members, hours)).toEqual(expected);
  });

  it('keeps every ordinary line, in order, when there are fewer than three', () => {
    const notes = notesWithRevenue(
      'Party size: 2',
      { revenue: 1, captainFee: 2, crewCosts: 3, portFees: 4, net: 5 },
      'USD',
    );
    expect(notes.split('\n')).toEqual([
      'Party size: 2',
      'Revenue: $1.00',
      'Captain Fee: $2.00',
      'Crew Costs: $3.00',
      'Port Fees: $4.00',
      'Your Net: $5.00',
    ]);
  });
});
