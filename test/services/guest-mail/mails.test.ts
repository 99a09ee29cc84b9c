import { describe, expect, it } from 'vitest';
import {
  cancellationMail,
  changeMail,
  confirmationMail,
  guestPageLink,
  oneLine,
  type Mail,
} from '../../../services/guest-mail/mails';
import { tripWhen } from '../../../services/guest-mail/trip-when';
import { tripEndMs } from '../../../shared/trip';
import type { BookingSnapshot } from '../../../shared/contract/events';
import { bookingDetails, bookingSnapshot } from '../../../samples';

const link = guestPageLink('XHQGMDH', 'queenofsandiego.com');
const booking = bookingSnapshot();

// Each would run or load something if it reached the HTML unescaped.
const script = '<script>window.__pwned = "script"; alert(1)</script>';
const attribute = `"'><img src=x onerror="window.__pwned='onerror'">`;
const hostile = (label: string) => `${label} ${script} ${attribute} javascript:alert(1)`;

const hostileBooking = (overrides: Partial<BookingSnapshot> = {}): BookingSnapshot =>
  bookingSnapshot({
    boat: { listingId: 'lst_8812', name: hostile('Boat'), type: 'Sailboat', lengthFt: 47 },
    trip: { ...booking.trip, departure: { name: hostile('Dock'), address: hostile('Address') } },
    renter: { firstName: hostile('Dana') },
    ...overrides,
  });

const mails = (b: BookingSnapshot, note = hostile('Request')): [string, Mail][] => [
  ['confirmation', confirmationMail(b, { link, note })],
  ['change', changeMail(b, [{ field: 'time', before: hostile('before'), after: hostile('after') }], { link, note })],
  ['cancellation', cancellationMail(b, { link, note })],
];

describe('the confirmation mail', () => {
  const mail = confirmationMail(booking, { link, note: bookingDetails().specialRequests! });

  it('is titled with the boat and the day of the trip', () => {
    expect(mail.subject).toBe('Your charter on JADA, Saturday, December 5');
  });

  it('links the guest page on the public site, and gives the date, local time, meeting point and first name', () => {
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('https://queenofsandiego.com/g/XHQGMDH');
      expect(part).toContain('Saturday, December 5, 2026 at 5:00 PM');
      expect(part).toContain('Shelter Island Marina, 2051 Shelter Island Dr, San Diego, CA 92106');
      expect(part).toContain('Hi Dana,');
      expect(part).toContain('Birthday, bringing a cake');
    }
    expect(mail.html).toContain('<a href="https://queenofsandiego.com/g/XHQGMDH"');
  });

  it('says nothing of the last name, the contact details or the price', () => {
    for (const part of [mail.subject, mail.text, mail.html]) {
      for (const secret of ['Reyes', 'dana@example.com', '6195550100', '1450', '982.5', 'USD'])
        expect(part).not.toContain(secret);
    }
  });
});

describe('the change mail', () => {
  it('says what changed, old and new, with the trip as it stands and the link', () => {
    const moved = bookingSnapshot({ revision: 2, trip: { ...booking.trip, start: '2026-12-05T18:00:00-08:00' } });
    const mail = changeMail(
      moved,
      [{ field: 'time', before: 'Saturday, December 5, 5:00 PM', after: 'Saturday, December 5, 6:00 PM' }],
      { link },
    );
    expect(mail.subject).toBe('Your charter on JADA, Saturday, December 5: what changed');
    expect(mail.text).toContain('Time: Saturday, December 5, 6:00 PM (was Saturday, December 5, 5:00 PM)');
    expect(mail.text).toContain('Saturday, December 5, 2026 at 6:00 PM');
    expect(mail.text).toContain(link);
    expect(mail.html).toContain('Saturday, December 5, 6:00 PM (was Saturday, December 5, 5:00 PM)');
  });
});

describe('the cancellation mail', () => {
  it('says the charter of that day is cancelled, with the link', () => {
    const mail = cancellationMail(bookingSnapshot({ status: 'cancelled', revision: 3 }), { link });
    expect(mail.subject).toBe('Your charter on JADA, Saturday, December 5, is cancelled');
    expect(mail.text).toContain('on Saturday, December 5, 2026 at 5:00 PM is cancelled');
    expect(mail.text).toContain(link);
  });
});

describe('every mail, for a booking whose every text is hostile', () => {
  it.each(mails(hostileBooking()))('%s: the HTML holds no markup of the booking, only escaped text', (_kind, mail) => {
    // Every tag and attribute is one of the mail's own: the booking's values are all text.
    const tags = [...mail.html.matchAll(/<\/?([a-z!]+)([^>]*)>/gi)];
    expect(new Set(tags.map((t) => t[1]!.toLowerCase()))).toEqual(
      new Set(['!doctype', 'html', 'head', 'meta', 'title', 'body', 'div', 'p', 'a', 'br']),
    );
    const attributes = tags.flatMap((t) =>
      [...t[2]!.matchAll(/\s([a-z-]+)="[^"]*"/gi)].map((a) => a[1]!.toLowerCase()),
    );
    expect(new Set(attributes)).toEqual(new Set(['lang', 'charset', 'name', 'content', 'http-equiv', 'style', 'href']));
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).toContain('Hi Dana &lt;script&gt;');
    // The only link is the guest page on the public site.
    expect([...mail.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual([
      'https://queenofsandiego.com/g/XHQGMDH',
    ]);
  });

  it.each(mails(hostileBooking()))(
    '%s: the subject and the text lines carry no line break from a value',
    (_kind, mail) => {
      const broken = hostileBooking({ boat: { ...hostileBooking().boat, name: 'JADA\r\nBcc: everyone@example.com' } });
      const [, again] = mails(broken).find(([kind]) => kind === _kind)!;
      expect(again.subject).not.toMatch(/[\r\n]/);
      expect(again.text).not.toContain('\r');
      expect(again.text.split('\n').some((line) => line.startsWith('Bcc:'))).toBe(false);
      expect(mail.subject).not.toMatch(/[\r\n]/);
    },
  );
});

describe('one line of text', () => {
  it.each([
    ['a\r\nb', 'a b'],
    ['  tabs\tand\u2028separators  ', 'tabs and separators'],
    ['\u0000nul', 'nul'],
    ['plain', 'plain'],
  ])('%j -> %j', (value, expected) => expect(oneLine(value)).toBe(expected));
});

describe('the trip time, at the departure', () => {
  it.each([
    ['2026-12-05T17:00:00-08:00', 'Saturday, December 5', '5:00 PM'],
    ['2026-07-04T19:30:00-07:00', 'Saturday, July 4', '7:30 PM'],
    // Late in the evening at the dock is already the next day in UTC: the dock's day is the one shown.
    ['2026-12-05T23:30:00-08:00', 'Saturday, December 5', '11:30 PM'],
    // A start written in UTC is shown in San Diego's zone.
    ['2026-12-06T01:00:00Z', 'Saturday, December 5', '5:00 PM'],
  ])('%s is %s at %s', (start, day, time) => {
    expect(tripWhen(start)).toMatchObject({ day, time });
  });

  it('ends after its duration', () => {
    expect(tripEndMs({ ...booking.trip, durationHours: 2.5 })).toBe(Date.parse('2026-12-06T03:30:00Z'));
  });
});
