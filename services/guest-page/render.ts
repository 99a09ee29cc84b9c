import { escapeHtml as text, guestDocument, mapsUrl, urlAttribute as url } from './html';
import { redact } from './redact';
import { tripTime, type TripTime } from './trip-time';

/**
 * The guest page: one self-contained HTML document (inline CSS, no script, no third-party resource) that a
 * guest opens on a phone at the dock. It shows what the guest needs and nothing of the business: only the
 * renter's first name, never their last name, email or phone, and no price of any kind. The page is public
 * to anyone with its address, so every free-text value also loses any email address, phone number or price
 * it carries (redact.ts), and the renter's own note is not shown at all: see the README, "The guest page".
 */

/** What the page reads of a booking: nothing else of it can reach the page. */
export interface GuestPageBooking {
  bookingId: string;
  boat: { name: string; type: string; lengthFt: number };
  trip: { start: string; durationHours: number; departure: { name: string; address: string } };
  renter: { firstName: string };
  partySize: number;
  captain?: { name: string };
  /** Whether the renter left a note; the note itself never reaches this service. */
  hasSpecialRequests: boolean;
}

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

export const firstWord = (name: string) => name.trim().split(/\s+/)[0] ?? name;

/** Every value the page shows, already stripped of email addresses, phone numbers and prices. */
export interface GuestPageView {
  bookingId: string;
  firstName: string;
  boat: { name: string; type: string; lengthFt: string };
  when: TripTime;
  departure: { name: string; address: string };
  captain?: string;
  guests: string;
  /** Whether the renter left a note: the page says we have it, and shows none of it. */
  leftANote: boolean;
}

export function guestPageView(
  booking: GuestPageBooking,
  options: Pick<GuestPageOptions, 'timeZone'> = {},
): GuestPageView {
  return {
    bookingId: booking.bookingId,
    firstName: redact(booking.renter.firstName.trim()),
    boat: { name: redact(booking.boat.name), type: redact(booking.boat.type), lengthFt: String(booking.boat.lengthFt) },
    when: tripTime(booking.trip.start, booking.trip.durationHours, options.timeZone),
    departure: { name: redact(booking.trip.departure.name), address: redact(booking.trip.departure.address) },
    ...(booking.captain ? { captain: firstWord(redact(booking.captain.name)) } : {}),
    guests: `${booking.partySize} ${booking.partySize === 1 ? 'guest' : 'guests'}`,
    leftANote: booking.hasSpecialRequests,
  };
}

export function renderGuestPage(booking: GuestPageBooking, options: GuestPageOptions = {}): string {
  const view = guestPageView(booking, options);
  const { when, departure, firstName, captain, guests } = view;
  const boat = `${view.boat.name}, a ${view.boat.lengthFt} ft ${view.boat.type}`;

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
<dt>Boat</dt><dd>${text(view.boat.name)} · ${text(view.boat.lengthFt)} ft ${text(view.boat.type)}</dd>
<dt>Captain</dt><dd>${captain ? text(captain) : 'To be confirmed'}</dd>
<dt>Party</dt><dd>${text(guests)}</dd>
</dl></section>`,
    view.leftANote ? `<section><h2>Your note to us</h2><p>Thank you: we have it.</p></section>` : '',
    `<section><h2>What to bring</h2><ul>
${WHAT_TO_BRING.map((item) => `<li>${text(item)}</li>`).join('\n')}
</ul></section>`,
  ];

  return guestDocument({
    title: `Your charter on ${view.boat.name} · Queen of San Diego`,
    css: CSS,
    main: `<p class="brand">Queen of San Diego</p>
<h1>Hi ${text(firstName)}, you are going sailing on ${text(view.boat.name)}!</h1>
${sections.filter(Boolean).join('\n')}
<footer>Booking ${text(view.bookingId)}</footer>`,
  });
}
