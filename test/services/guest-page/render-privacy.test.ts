import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { guestPageView, renderGuestPage, type GuestPageBooking } from '../../../services/guest-page/render';
import { redact, REMOVED } from '../../../services/guest-page/redact';
import { bookingSnapshot } from '../../../samples';

/**
 * The public page never shows an email address, a phone number or a price, whatever field they come in:
 * the renter's note is not shown at all, and every other free-text value loses them.
 */

const htmlEntities: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#96;': '`',
};
/** Everything a visitor can read or follow: the page's text with entities decoded, and each link's query decoded. */
function everythingShown(html: string): string {
  const decoded = html.replace(/&(?:amp|lt|gt|quot|#39|#96);/g, (entity) => htmlEntities[entity]!);
  const links = [...decoded.matchAll(/href="([^"]*)"/g)].map((m) =>
    [...new URL(m[1]!).searchParams.values()].join(' '),
  );
  return [decoded, ...links].join('\n');
}

describe('redact', () => {
  it.each([
    ['an email address', 'email me at me@example.net', 'email me at (removed)'],
    ['an email address with a plus and dots', 'd.reyes+boat@mail.example.co.uk', REMOVED],
    ['an email address without a domain', 'dana@example', REMOVED],
    ['an email address with [at] and [dot]', 'dana [at] example [dot] net', REMOVED],
    ['an email address with (at)', 'dana(at)example.net', REMOVED],
    ['a phone number in international form', 'call me on +1 619 555 0142', 'call me on (removed)'],
    ['a phone number in E.164', '+16195550142', REMOVED],
    ['a phone number with parentheses', '(619) 555-0142', REMOVED],
    ['a phone number with dots', '619.555.0142', REMOVED],
    ['a local phone number', 'text 555-0142 when here', 'text (removed) when here'],
    ['a UK phone number', '+44 20 7946 0958', REMOVED],
    ['a price in dollars', 'we paid $1,450', 'we paid (removed)'],
    ['a price with a code before', 'USD 250', REMOVED],
    ['a price with a code after', '250 USD', REMOVED],
    ['a price in words', '1450 dollars', REMOVED],
    ['a price with cents and no currency', 'it was 1,450.00 in the end', 'it was (removed) in the end'],
    ['a price in euros', '€99 each', '(removed) each'],
    ['a price in thousands', '£1.4k', REMOVED],
    ['a Canadian dollar price', 'CA$250', REMOVED],
    [
      'all three at once',
      'call me on +1 619 555 0142, email me at me@example.net, we paid $1,450',
      'call me on (removed), email me at (removed), we paid (removed)',
    ],
  ])('removes %s', (_, value, expected) => {
    expect(redact(value)).toBe(expected);
  });

  it.each([
    ['a first name', 'Dana'],
    ['a name with an apostrophe', "Dana O'Neil"],
    ['a marina', 'Shelter Island Marina'],
    ['a street address with a ZIP code', '2051 Shelter Island Dr, San Diego, CA 92106'],
    ['another street address', 'Pier 32 Marina, 3201 Marina Way, National City, CA 91950'],
    ['a dock and a slip', 'Dock 14, slip A-12'],
    ['a time', 'Meet at dock B at 4:30 PM'],
    ['a boat and its length', 'the 47 ft Catalina'],
    ['a party', 'Party of 6, 2 kids'],
    ['an "@" standing for "at"', 'Meet @ dock B'],
    ['a dollar sign inside a name', 'Ca$h Flow'],
    ['a gate code', 'gate code 1234'],
  ])('keeps %s', (_, value) => {
    expect(redact(value)).toBe(value);
  });
});

describe('the guest page with private data in its fields', () => {
  const email = 'dana.reyes@example.net';
  const phone = '+1 619 555 0142';
  const price = '$1,450.00';
  const planted = `${email} ${phone} ${price}`;
  const booking: GuestPageBooking = bookingSnapshot({
    boat: { listingId: 'lst_8812', name: `JADA ${planted}`, type: `Sailboat ${planted}`, lengthFt: 47 },
    trip: {
      start: '2026-12-05T17:00:00-08:00',
      durationHours: 3,
      departure: { name: `Shelter Island Marina ${planted}`, address: `2051 Shelter Island Dr ${planted}` },
    },
    renter: { firstName: `Dana ${planted}` },
    captain: { name: `${phone} Sam` },
    hasSpecialRequests: true,
  });
  const shown = everythingShown(renderGuestPage(booking));

  it.each([
    ['the email address', email],
    ['the phone number', phone],
    ['the price', price],
    ['the digits of the phone number', '555 0142'],
    ['the amount of the price', '1,450'],
    ["the renter's note", 'call me on'],
    ['the email address in the note', 'me@example.net'],
  ])('shows nowhere %s, not even in the map link', (_, secret) => {
    expect(shown).not.toContain(secret);
  });

  it('still shows the rest of each field', () => {
    const view = guestPageView(booking);
    expect(view.firstName).toBe('Dana (removed) (removed) (removed)');
    expect(view.boat.name).toBe('JADA (removed) (removed) (removed)');
    expect(view.departure.address).toBe('2051 Shelter Island Dr (removed) (removed) (removed)');
    expect(view.captain).toBe('(removed)');
    expect(view.leftANote).toBe(true);
  });
});

describe('the guest page never shows an email address, a phone number or a price (property)', () => {
  const emailAddress = fc.emailAddress();
  const phoneNumber = fc
    .tuple(
      fc.constantFrom('', '+1 ', '+44 ', '1-'),
      fc.integer({ min: 200, max: 999 }),
      fc.integer({ min: 200, max: 999 }),
      fc.integer({ min: 1000, max: 9999 }),
      fc.constantFrom(' ', '-', '.'),
    )
    .map(([country, area, exchange, line, sep]) => `${country}(${area}) ${exchange}${sep}${line}`);
  const price = fc
    .tuple(fc.constantFrom('$', 'USD ', '€', 'US$'), fc.integer({ min: 100, max: 99_999 }), fc.boolean())
    .map(([currency, amount, cents]) => `${currency}${amount.toLocaleString('en-US')}${cents ? '.50' : ''}`);
  const secret = fc.oneof(emailAddress, phoneNumber, price);
  // Ordinary words around the planted value, as a renter or an operator would write them.
  const words = fc.array(
    fc.constantFrom('Dana', 'dock', 'B', 'call', 'me', 'we', 'paid', 'the', 'Marina', 'at', '4:30 PM'),
    {
      maxLength: 4,
    },
  );
  const field = fc.tuple(words, secret, words).map(([before, value, after]) => ({
    text: [...before, value, ...after].join(' '),
    secret: value,
  }));
  const fieldNames = [
    'firstName',
    'boatName',
    'boatType',
    'departureName',
    'departureAddress',
    'captain',
    'note',
  ] as const;

  it('whichever field the value comes in', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fieldNames), field, (name, { text, secret }) => {
        const base = bookingSnapshot();
        const booking: GuestPageBooking = {
          ...base,
          renter: { ...base.renter, firstName: name === 'firstName' ? text : 'Dana' },
          boat: {
            ...base.boat,
            name: name === 'boatName' ? text : 'JADA',
            type: name === 'boatType' ? text : 'Sailboat',
          },
          trip: {
            ...base.trip,
            departure: {
              name: name === 'departureName' ? text : 'Shelter Island Marina',
              address: name === 'departureAddress' ? text : '2051 Shelter Island Dr',
            },
          },
          captain: { name: name === 'captain' ? text : 'Sam' },
          hasSpecialRequests: name === 'note',
        };
        const shown = everythingShown(renderGuestPage(booking));
        expect(shown).not.toContain(secret);
        // No part of it either: the local part of an address, the last four digits, the amount.
        for (const part of secret
          .split(/[\s@$€()]+/)
          .filter((p) => p.length >= 4 && !/^(?:USD|Dana|dock|paid|Marina)$/i.test(p))) {
          expect(shown.replace(/2051|2026/g, '')).not.toContain(part);
        }
      }),
    );
  });
});
