import { describe, expect, it } from 'vitest';
import { redact, REMOVED } from '../../../services/guest-page/redact';
import { scrubNotes } from '../../../services/scrub/notes';
import { CREW_ROLES, CURRENCY_CODES, CURRENCY_SYMBOLS } from '../../../shared/money-words';

/**
 * Scrub reads money with the list it shares with the guest page's redaction (shared/money-words.ts): every
 * currency there, and a wage, fee or pay of every crew role, is revenue; ordinary crew lines stay.
 */

describe('scrub: lines it missed before', () => {
  it.each([
    'Boatsetter fee ₹217',
    'Boatsetter fee: ₹217.50',
    'Deckhand wages: 120',
    'Deckhands wages: 240',
    "Deckhand's wage = 120",
    'Captain $250 + Deckhand ₹1,200',
    'Skipper wages: 200',
    'Mate pay: 90',
    'Chef fee: 150',
    'Steward wages: 100',
    'Stewardess wage ~ 110',
    'Chef $150',
    'Port Fees: ₩35,000',
    'Revenue: ₱12,500.00',
    'Your Net: 827.50 INR',
    'Captain Fee: KRW 250,000',
  ])('%s goes', (line) => {
    expect(scrubNotes(`Dock B\n${line}\nArrive 4:30 PM`)).toEqual({ notes: 'Dock B\nArrive 4:30 PM', removed: [line] });
  });
});

describe('scrub: every shared currency and crew role', () => {
  const currencies = [
    ...CURRENCY_SYMBOLS.map((symbol) => `${symbol}217`),
    ...CURRENCY_CODES.map((code) => `217 ${code}`),
  ];

  it.each(currencies)('"Boatsetter fee %s" goes from the notes, and the guest page shows no such price', (amount) => {
    const line = `Boatsetter fee ${amount}`;
    expect(scrubNotes(`Dock B\n${line}`).removed).toEqual([line]);
    expect(redact(`Boat rental ${amount} paid`)).toBe(`Boat rental ${REMOVED} paid`);
  });

  it.each(CREW_ROLES.flatMap((role) => ['wages', 'wage', 'fee', 'pay', 'costs'].map((what) => [role, what] as const)))(
    '"%s %s: 120" goes',
    (role, what) => {
      const line = `${role[0]!.toUpperCase()}${role.slice(1)} ${what}: 120`;
      expect(scrubNotes(`Dock B\n${line}`).removed).toEqual([line]);
    },
  );
});

describe('scrub: ordinary crew lines stay', () => {
  it.each([
    'Deckhand: Lena Park',
    'Deckhands: 2',
    'Crew: 3',
    'Crew: 2 deckhands, arrive 4:00 PM',
    'Mate on board by 4:30 PM',
    'Chef brings lunch for 6',
    'Chef brings $50 of groceries for lunch',
    'Steward: Tess Quinn, 619-555-0142',
    'Captain Sam meets you at dock B',
    'Skipper: Alex Moreno',
    'Deckhand wages are paid by the owner',
    'Crew: Jo (deckhand), Lee (mate)',
    'Bring ₹500 cash for parking',
    'Party of 6, 2 deckhands',
  ])('%s stays', (line) => {
    const notes = `Dock B\n${line}\nArrive 4:30 PM`;
    expect(scrubNotes(notes)).toEqual({ notes, removed: [] });
  });
});
