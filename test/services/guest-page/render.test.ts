import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { renderGuestPage, WHAT_TO_BRING } from '../../../services/guest-page/render';
import { escapeHtml, mapsUrl, safeUrl, sitePath, UnsafeUrl } from '../../../services/guest-page/html';
import { formatDuration, tripTime } from '../../../services/guest-page/trip-time';
import { bookingSnapshot } from '../../../samples';
import type { BookingSnapshot } from '../../../shared/contract/events';

// ICU puts a narrow no-break space before AM/PM; the page may keep it, the assertions read plain spaces.
const plain = (html: string) => html.replace(/[\u202f\u00a0]/g, ' ');
const tagsOf = (html: string) => [...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase());
/** Attribute names of every tag; quoted values are dropped first (a value cannot hold its quote: escaped). */
const attributesOf = (html: string) =>
  [...html.matchAll(/<[a-zA-Z][^>]*>/g)].flatMap((tag) =>
    [...tag[0].replace(/"[^"]*"/g, '""').matchAll(/\s([^\s=>"']+)(?==|\s|>)/g)].map((m) => m[1]!.toLowerCase()),
  );

describe('renderGuestPage', () => {
  const html = plain(renderGuestPage(bookingSnapshot(), { photoPath: '/assets/boats/lst_8812/hero.jpg' }));

  it('shows the boat, the local date and time, the duration, the meeting point and the party', () => {
    expect(html).toContain('Hi Dana, you are going sailing on JADA!');
    expect(html).toContain('Saturday, December 5, 2026');
    expect(html).toContain('5:00 PM – 8:00 PM <span>PST</span>');
    expect(html).toContain('3 hours on the water');
    expect(html).toContain('Shelter Island Marina');
    expect(html).toContain('2051 Shelter Island Dr, San Diego, CA 92106');
    expect(html).toContain('JADA · 47 ft Sailboat');
    expect(html).toContain('<dt>Captain</dt><dd>Sam</dd>');
    expect(html).toContain('<dt>Party</dt><dd>6 guests</dd>');
    expect(html).toContain('<h2>Your note to us</h2><p>Thank you: we have it.</p>');
    for (const item of WHAT_TO_BRING) expect(html).toContain(escapeHtml(item));
  });

  it('links the meeting point to a map search for its name and address, URL-encoded', () => {
    const href = /<a class="button" href="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&');
    const url = new URL(href);
    expect(url.origin + url.pathname).toBe('https://www.google.com/maps/search/');
    expect(url.searchParams.get('query')).toBe('Shelter Island Marina, 2051 Shelter Island Dr, San Diego, CA 92106');
    expect(href).toContain('query=Shelter+Island+Marina%2C+2051');
  });

  it('shows the boat photo from the same site only', () => {
    expect(html).toContain('<img class="photo" src="/assets/boats/lst_8812/hero.jpg" alt="JADA, a 47 ft Sailboat">');
    expect(html).not.toContain('sailjada');
    expect([...html.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1])).toEqual(['/assets/boats/lst_8812/hero.jpg']);
  });

  it("never shows the renter's own note: it is acknowledged, not published", () => {
    expect(html).not.toContain('Birthday');
    expect(html).not.toContain('cake');
  });

  it('never shows the last name, email, phone, captain surname or any price', () => {
    for (const secret of [
      'Reyes',
      'dana@example.com',
      '+16195550100',
      '6195550100',
      'Ortiz',
      '$',
      'USD',
      '1450',
      '1,450',
      '217.5',
      '982.5',
      '250',
    ]) {
      expect(html).not.toContain(secret);
    }
  });

  it('is self-contained: inline style, no script, a policy that forbids scripts', () => {
    expect(tagsOf(html)).not.toContain('script');
    expect(tagsOf(html)).not.toContain('link');
    expect(html).toMatch(/<style>[^<]+<\/style>/);
    expect(html).toContain(`content="default-src &#39;none&#39;; img-src &#39;self&#39;; style-src &#39;sha256-`);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('goes without a photo, and says the captain is to be confirmed, when there is none', () => {
    const page = renderGuestPage(bookingSnapshot({ captain: undefined, hasSpecialRequests: false }));
    expect(tagsOf(page)).not.toContain('img');
    expect(page).toContain('<dt>Captain</dt><dd>To be confirmed</dd>');
    expect(page).not.toContain('Your note to us');
  });

  it('says "guest" for a party of one', () => {
    expect(renderGuestPage(bookingSnapshot({ partySize: 1 }))).toContain('<dd>1 guest</dd>');
  });
});

describe('renderGuestPage with hostile values', () => {
  const hostile = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)> javascript:alert(3)';
  const booking: BookingSnapshot = bookingSnapshot({
    boat: { listingId: hostile, name: hostile, type: hostile, lengthFt: 47 },
    trip: {
      start: '2026-12-05T17:00:00-08:00',
      durationHours: 3,
      departure: { name: hostile, address: 'javascript:alert(4)' },
    },
    renter: { firstName: hostile },
    captain: { name: `${hostile} Ortiz` },
  });
  const html = renderGuestPage(booking, { photoPath: sitePath('assets', 'boats', hostile, 'hero.jpg') });

  it('escapes every value in its context: no markup, no event handler, no javascript: link', () => {
    expect(tagsOf(html)).toEqual(tagsOf(renderGuestPage(bookingSnapshot(), { photoPath: '/assets/boats/x/hero.jpg' })));
    expect(attributesOf(html)).toEqual(attributesOf(renderGuestPage(bookingSnapshot(), { photoPath: '/x.jpg' })));
    expect(attributesOf(html).filter((name) => name.startsWith('on'))).toEqual([]);
    expect(html).not.toMatch(/(href|src)="\s*javascript:/i);
    expect(html).toContain(escapeHtml(hostile));
  });

  it('keeps a javascript: address inside the map query, where it is only text', () => {
    const href = /<a class="button" href="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&');
    expect(new URL(href).hostname).toBe('www.google.com');
    expect(new URL(href).searchParams.get('query')).toBe(`${hostile}, javascript:alert(4)`);
  });

  it('any text in any field leaves the page structure as it is (property)', () => {
    const base = tagsOf(renderGuestPage(bookingSnapshot()));
    expect(attributesOf(renderGuestPage(bookingSnapshot()))).toContain('href');
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim().length > 0),
        (value) => {
          const page = renderGuestPage(
            bookingSnapshot({
              boat: { listingId: 'lst_1', name: value, type: value, lengthFt: 30 },
              trip: {
                start: '2026-07-04T10:00:00-07:00',
                durationHours: 2,
                departure: { name: value, address: value },
              },
              renter: { firstName: value },
              captain: { name: value },
            }),
          );
          expect(tagsOf(page)).toEqual(base);
          expect(attributesOf(page)).toEqual(attributesOf(renderGuestPage(bookingSnapshot())));
        },
      ),
    );
  });
});

describe('escaping helpers', () => {
  it('escapes the characters that end text or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\``)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;');
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    '  javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.example/x',
    '/\\evil.example/x',
    'not a url',
  ])('refuses to link %j', (url) => {
    expect(() => safeUrl(url)).toThrow(UnsafeUrl);
  });

  it.each([
    ['https://www.google.com/maps/search/?api=1&query=a', 'https://www.google.com/maps/search/?api=1&query=a'],
    ['/assets/boats/lst_8812/hero.jpg', '/assets/boats/lst_8812/hero.jpg'],
    ['/g/XHQGMDH', '/g/XHQGMDH'],
  ])('links %s', (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });

  it('encodes every path segment and the map query', () => {
    expect(sitePath('assets', '../x', 'a b?.jpg')).toBe('/assets/..%2Fx/a%20b%3F.jpg');
    expect(mapsUrl('Dock "B" & <C>')).toBe('https://www.google.com/maps/search/?api=1&query=Dock+%22B%22+%26+%3CC%3E');
  });
});

describe('tripTime', () => {
  const t = (start: string, hours: number) => {
    const r = tripTime(start, hours);
    return { ...r, start: plain(r.start), end: plain(r.end) };
  };

  it('names the San Diego zone in winter and summer', () => {
    expect(t('2026-12-05T17:00:00-08:00', 3)).toEqual({
      date: 'Saturday, December 5, 2026',
      start: '5:00 PM',
      end: '8:00 PM',
      zone: 'PST',
      duration: '3 hours',
    });
    expect(t('2026-07-04T19:30:00-07:00', 2.5)).toMatchObject({ start: '7:30 PM', end: '10:00 PM', zone: 'PDT' });
  });

  it('shows the wall-clock time of the offset, and the offset, when it is not San Diego time', () => {
    expect(t('2026-12-05T10:00:00+01:00', 2)).toMatchObject({
      date: 'Saturday, December 5, 2026',
      start: '10:00 AM',
      end: '12:00 PM',
      zone: 'UTC+01:00',
    });
    expect(t('2026-12-05T10:00:00-05:00', 1)).toMatchObject({ start: '10:00 AM', zone: 'UTC−05:00' });
  });

  it("shows an instant written in UTC at the departure's zone", () => {
    expect(t('2026-12-06T01:00:00Z', 3)).toMatchObject({
      date: 'Saturday, December 5, 2026',
      start: '5:00 PM',
      zone: 'PST',
    });
  });

  it.each([
    [
      'an evening charter across the November change',
      '2026-10-31T23:00:00-07:00',
      4,
      '11:00 PM PDT',
      'Sun, Nov 1, 2:00 AM',
      'PST',
    ],
    ['the same charter written in UTC', '2026-11-01T06:00:00Z', 4, '11:00 PM PDT', 'Sun, Nov 1, 2:00 AM', 'PST'],
    ['a night charter across the March change', '2026-03-08T01:00:00-08:00', 2, '1:00 AM PST', '4:00 AM', 'PDT'],
  ])('names each end’s own zone across a DST change: %s', (_, start, hours, from, to, zone) => {
    expect(t(start, hours)).toMatchObject({ start: from, end: to, zone });
  });

  it('dates the end when the trip ends on another day', () => {
    expect(t('2026-12-05T22:00:00-08:00', 3)).toMatchObject({ start: '10:00 PM', end: 'Sun, Dec 6, 1:00 AM' });
  });

  it.each([
    [3, '3 hours'],
    [1, '1 hour'],
    [1.5, '1 hour 30 minutes'],
    [0.75, '45 minutes'],
    [2.25, '2 hours 15 minutes'],
    [24, '24 hours'],
  ])('formats a duration of %s hours as "%s"', (hours, text) => {
    expect(formatDuration(hours)).toBe(text);
  });
});
