import type { BookingSnapshot, FieldChange } from '../../shared/contract/events';
import { escapeHtml } from '../../shared/html-escape';
import { tripWhen } from './trip-when';

/**
 * The three mails a renter gets, as pure functions of the booking: a subject, a plain-text part and an HTML
 * part. Each mail is written once as blocks of text; toText and toHtml put every value in its context (plain
 * text: one line, no control characters; HTML: escaped), so no renderer writes markup around a raw value.
 * The HTML has no script, no image and no style sheet from anywhere; its one link is the guest page on the
 * Queen of San Diego site. Only the renter's first name appears; never the last name, phone, address or price.
 */

export type MailKind = 'confirmation' | 'change' | 'cancellation';

export interface Mail {
  subject: string;
  text: string;
  html: string;
}

export interface MailOptions {
  /** The guest page on the public site: https://queenofsandiego.com/g/{bookingId} (guestPageLink). */
  link: string;
  /** The renter's own note, from the booking's private record: the mail goes to them alone. */
  note?: string;
}

type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'details'; rows: readonly (readonly [label: string, value: string])[] }
  | { kind: 'link'; label: string; href: string };

export const SITE_NAME = 'Queen of San Diego';

/** The guest page of a booking on the public site; the only link a mail carries. */
export function guestPageLink(bookingId: string, siteDomain: string): string {
  return `https://${siteDomain}/g/${encodeURIComponent(bookingId)}`;
}

export function confirmationMail(booking: BookingSnapshot, options: MailOptions): Mail {
  const when = tripWhen(booking.trip.start);
  return compose(`Your charter on ${booking.boat.name}, ${when.day}`, booking, [
    { kind: 'paragraph', text: `Your charter on ${booking.boat.name} is confirmed. Here is what you need to know.` },
    tripDetails(booking),
    ...noteOf(options),
    { kind: 'paragraph', text: 'Please be at the dock 15 minutes before departure.' },
    { kind: 'link', label: 'Your trip page, kept up to date', href: options.link },
  ]);
}

export function changeMail(booking: BookingSnapshot, changes: readonly FieldChange[], options: MailOptions): Mail {
  const when = tripWhen(booking.trip.start);
  return compose(`Your charter on ${booking.boat.name}, ${when.day}: what changed`, booking, [
    { kind: 'paragraph', text: `Your charter on ${booking.boat.name} has changed:` },
    {
      kind: 'details',
      rows: changes.map((change) => [labelOf(change.field), `${change.after} (was ${change.before})`] as const),
    },
    { kind: 'paragraph', text: 'Your trip as it stands now:' },
    tripDetails(booking),
    ...noteOf(options),
    { kind: 'link', label: 'Your trip page, kept up to date', href: options.link },
  ]);
}

export function cancellationMail(booking: BookingSnapshot, options: MailOptions): Mail {
  const when = tripWhen(booking.trip.start);
  return compose(`Your charter on ${booking.boat.name}, ${when.day}, is cancelled`, booking, [
    {
      kind: 'paragraph',
      text: `Your charter on ${booking.boat.name} on ${when.date} at ${when.time} is cancelled. We are sorry to miss you on the water.`,
    },
    { kind: 'paragraph', text: 'If you have a question about the cancellation, reply to this mail.' },
    { kind: 'link', label: 'Your trip page', href: options.link },
  ]);
}

function tripDetails(booking: BookingSnapshot): Block {
  const when = tripWhen(booking.trip.start);
  const { departure } = booking.trip;
  return {
    kind: 'details',
    rows: [
      ['When', `${when.date} at ${when.time}, local time at the dock`],
      ['How long', hoursText(booking.trip.durationHours)],
      ['Where to meet', `${departure.name}, ${departure.address}`],
      ['Boat', booking.boat.name],
    ],
  };
}

const noteOf = (options: MailOptions): Block[] =>
  options.note?.trim() ? [{ kind: 'details', rows: [['Your note to us', options.note]] }] : [];

/** "time" -> "Time", "meetingPoint" -> "Meeting point": the guest page names what changed. */
const labelOf = (field: string) => {
  const words = field
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function hoursText(hours: number): string {
  const minutes = Math.round(hours * 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts = [h > 0 ? `${h} ${h === 1 ? 'hour' : 'hours'}` : '', m > 0 ? `${m} minutes` : ''];
  return parts.filter(Boolean).join(' ') || '0 minutes';
}

/** A value on one line of plain text or of a subject: no line breaks or other control characters. */
export function oneLine(value: string): string {
  return value
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

function compose(subject: string, booking: BookingSnapshot, blocks: Block[]): Mail {
  const greeting = `Hi ${booking.renter.firstName.trim()},`;
  return {
    subject: oneLine(subject),
    text: toText(greeting, blocks),
    html: toHtml(oneLine(subject), greeting, blocks),
  };
}

function toText(greeting: string, blocks: Block[]): string {
  const body = blocks.map((block) => {
    switch (block.kind) {
      case 'paragraph':
        return oneLine(block.text);
      case 'details':
        return block.rows.map(([label, value]) => `${label}: ${oneLine(value)}`).join('\n');
      default:
        return `${block.label}:\n${block.href}`;
    }
  });
  return `${[oneLine(greeting), ...body, `See you on the water,\n${SITE_NAME}`].join('\n\n')}\n`;
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const STYLE = {
  body: `margin:0;padding:0;background:#f6f1e7;color:#1d2b36;font:16px/1.5 ${FONT}`,
  main: 'max-width:34rem;margin:0 auto;padding:20px 16px 32px;overflow-wrap:anywhere',
  brand: 'margin:0 0 12px;color:#0b4f6c;font-weight:700;letter-spacing:.08em;text-transform:uppercase;font-size:13px',
  paragraph: 'margin:0 0 14px',
  details: 'margin:0 0 14px;padding:12px 14px;background:#ffffff;border-radius:12px',
  label: 'margin:0;color:#5b6b77;font-size:13px',
  value: 'margin:0 0 8px;font-weight:600',
  link: 'display:inline-block;margin:4px 0 18px;padding:10px 18px;border-radius:999px;background:#0b4f6c;color:#ffffff;text-decoration:none;font-weight:600',
  footer: 'margin:18px 0 0;color:#5b6b77;font-size:13px',
};

// Mail clients ignore it; a browser opening the HTML (the viewer, a test) runs nothing and loads nothing.
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

function toHtml(subject: string, greeting: string, blocks: Block[]): string {
  const text = (value: string) => escapeHtml(oneLine(value));
  const body = blocks.map((block) => {
    switch (block.kind) {
      case 'paragraph':
        return `<p style="${STYLE.paragraph}">${text(block.text)}</p>`;
      case 'details':
        return `<div style="${STYLE.details}">${block.rows
          .map(
            ([label, value]) =>
              `<p style="${STYLE.label}">${text(label)}</p><p style="${STYLE.value}">${text(value)}</p>`,
          )
          .join('')}</div>`;
      default:
        return `<p style="${STYLE.paragraph}"><a href="${escapeHtml(block.href)}" style="${STYLE.link}">${text(block.label)}</a></p>`;
    }
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">
<title>${text(subject)}</title>
</head>
<body style="${STYLE.body}">
<div style="${STYLE.main}">
<p style="${STYLE.brand}">${SITE_NAME}</p>
<p style="${STYLE.paragraph}">${text(greeting)}</p>
${body.join('\n')}
<p style="${STYLE.footer}">See you on the water,<br>${SITE_NAME}</p>
</div>
</body>
</html>
`;
}
