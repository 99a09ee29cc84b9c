import { createHash } from 'node:crypto';
import type { BookingSnapshot } from '../../shared/contract/events';
import { escapeHtml as text, mapsUrl, urlAttribute as url } from './html';
import { tripTime } from './trip-time';

/**
 * The guest page: one self-contained HTML document (inline CSS, no script, no third-party resource) that a
 * guest opens on a phone at the dock. It shows what the guest needs and nothing of the business: only the
 * renter's first name, never their last name, email or phone, and no price of any kind.
 */

export interface GuestPageOptions {
  /** Same-site path of the boat photo copied into the guest-site bucket, e.g. /assets/boats/lst_8812/hero.jpg */
  photoPath?: string;
  /** IANA zone of the departure, for the zone's name next to the time (trip-time.ts). */
  timeZone?: string;
}

export const WHAT_TO_BRING = [
  'Soft-soled, non-marking shoes',
  'A warm layer: it is cooler on the water',
  'Sunscreen, sunglasses and a hat',
  'Food and drinks you would like (no glass, please)',
  'A photo ID for the person who booked',
] as const;

const CSS = `
:root{color-scheme:light;--sea:#0b4f6c;--sand:#f6f1e7;--ink:#1d2b36;--muted:#5b6b77}
*{box-sizing:border-box}
body{margin:0;background:var(--sand);color:var(--ink);font:17px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;overflow-wrap:anywhere}
main{max-width:34rem;margin:0 auto;padding:1.25rem 1rem 2rem}
.brand{margin:0;color:var(--sea);font-weight:700;letter-spacing:.08em;text-transform:uppercase;font-size:.8rem}
h1{margin:.25rem 0 1rem;font-size:1.6rem;line-height:1.25}
h2{margin:0 0 .4rem;font-size:.85rem;color:var(--muted);text-transform:uppercase;letter-spacing:.06em}
section{background:#fff;border-radius:14px;padding:1rem 1.1rem;margin:0 0 .9rem;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.photo{display:block;width:100%;height:auto;aspect-ratio:3/2;object-fit:cover;border-radius:14px;margin:0 0 .9rem}
.big{font-size:1.25rem;font-weight:600;margin:0}
p{margin:.2rem 0}
dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem;margin:0}
dt{color:var(--muted)}
dd{margin:0;font-weight:600}
ul{margin:0;padding-left:1.2rem}
.button{display:inline-block;margin-top:.6rem;padding:.6rem 1rem;border-radius:999px;background:var(--sea);color:#fff;text-decoration:none;font-weight:600}
footer{color:var(--muted);font-size:.85rem;text-align:center;margin-top:1.2rem}
`.trim();

const CSS_HASH = createHash('sha256').update(CSS, 'utf8').digest('base64');

/**
 * No script may run on this page, even if an escaping bug ever let markup through: the policy allows no
 * script at all, only our own inline style (by hash) and images from this site.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "img-src 'self'",
  `style-src 'sha256-${CSS_HASH}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export const firstWord = (name: string) => name.trim().split(/\s+/)[0] ?? name;

export function renderGuestPage(booking: BookingSnapshot, options: GuestPageOptions = {}): string {
  const when = tripTime(booking.trip.start, booking.trip.durationHours, options.timeZone);
  const { departure } = booking.trip;
  const firstName = booking.renter.firstName.trim();
  const captain = booking.captain ? firstWord(booking.captain.name) : undefined;
  const guests = `${booking.partySize} ${booking.partySize === 1 ? 'guest' : 'guests'}`;
  const boat = `${booking.boat.name}, a ${booking.boat.lengthFt} ft ${booking.boat.type}`;

  const sections = [
    options.photoPath ? `<img class="photo" src="${url(options.photoPath)}" alt="${text(boat)}">` : '',
    `<section><h2>When</h2>
<p class="big">${text(when.date)}</p>
<p>${text(when.start)} – ${text(when.end)} <span>${text(when.zone)}</span></p>
<p>${text(when.duration)} on the water</p></section>`,
    `<section><h2>Where to meet</h2>
<p class="big">${text(departure.name)}</p>
<p>${text(departure.address)}</p>
<a class="button" href="${url(mapsUrl(`${departure.name}, ${departure.address}`))}" rel="noopener noreferrer">Open in Maps</a>
<p>Please be at the dock 15 minutes before departure.</p></section>`,
    `<section><h2>Your trip</h2><dl>
<dt>Boat</dt><dd>${text(booking.boat.name)} · ${text(String(booking.boat.lengthFt))} ft ${text(booking.boat.type)}</dd>
<dt>Captain</dt><dd>${captain ? text(captain) : 'To be confirmed'}</dd>
<dt>Party</dt><dd>${text(guests)}</dd>
</dl></section>`,
    booking.specialRequests
      ? `<section><h2>Your note to us</h2><p>${text(booking.specialRequests)}</p></section>`
      : '',
    `<section><h2>What to bring</h2><ul>
${WHAT_TO_BRING.map((item) => `<li>${text(item)}</li>`).join('\n')}
</ul></section>`,
  ];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${text(CONTENT_SECURITY_POLICY)}">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>Your charter on ${text(booking.boat.name)} · Queen of San Diego</title>
<style>${CSS}</style>
</head>
<body>
<main>
<p class="brand">Queen of San Diego</p>
<h1>Hi ${text(firstName)}, you are going sailing on ${text(booking.boat.name)}!</h1>
${sections.filter(Boolean).join('\n')}
<footer>Booking ${text(booking.bookingId)}</footer>
</main>
</body>
</html>
`;
}
