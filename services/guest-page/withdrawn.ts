import { createHash } from 'node:crypto';
import type { BookingSnapshot } from '../../shared/contract/events';
import { escapeHtml as text } from './html';

/**
 * The page that replaces a cancelled charter's guest page: friendly, and with nothing of the trip (no date,
 * boat, meeting point or party) since the link may have been forwarded; the first name and booking id at most.
 * Still noindex, no script, inline style by hash only.
 */

const CSS = `
body{margin:0;background:#f6f1e7;color:#1d2b36;font:17px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;overflow-wrap:anywhere}
main{max-width:34rem;margin:0 auto;padding:2rem 1rem}
.brand{margin:0;color:#0b4f6c;font-weight:700;letter-spacing:.08em;text-transform:uppercase;font-size:.8rem}
h1{margin:.25rem 0 1rem;font-size:1.5rem;line-height:1.25}
footer{color:#5b6b77;font-size:.85rem;margin-top:1.5rem}
`.trim();

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function renderWithdrawnPage(booking: Pick<BookingSnapshot, 'bookingId' | 'renter'>): string {
  const firstName = booking.renter.firstName.trim();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${text(CONTENT_SECURITY_POLICY)}">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>Charter cancelled · Queen of San Diego</title>
<style>${CSS}</style>
</head>
<body>
<main>
<p class="brand">Queen of San Diego</p>
<h1>Hi ${text(firstName)}, this charter was cancelled.</h1>
<p>We are sorry to miss you on the water. If you did not expect this, or would like to sail another day, just reply to your booking mail and we will help.</p>
<footer>Booking ${text(booking.bookingId)}</footer>
</main>
</body>
</html>
`;
}
