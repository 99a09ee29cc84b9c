import type { BookingSnapshot } from '../../shared/contract/events';
import { escapeHtml as text, guestDocument } from './html';
import { redact } from './redact';

/**
 * The page that replaces a cancelled charter's guest page: friendly, and with nothing of the trip (no date,
 * boat, meeting point or party) since the link may have been forwarded; the first name (redacted as on the
 * guest page) and booking id at most.
 */

const CSS = `
body{margin:0;background:#f6f1e7;color:#1d2b36;font:17px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;overflow-wrap:anywhere}
main{max-width:34rem;margin:0 auto;padding:2rem 1rem}
.brand{margin:0;color:#0b4f6c;font-weight:700;letter-spacing:.08em;text-transform:uppercase;font-size:.8rem}
h1{margin:.25rem 0 1rem;font-size:1.5rem;line-height:1.25}
footer{color:#5b6b77;font-size:.85rem;margin-top:1.5rem}
`.trim();

export function renderWithdrawnPage(
  booking: Pick<BookingSnapshot, 'bookingId'> & { renter: { firstName: string } },
): string {
  return guestDocument({
    title: 'Charter cancelled · Queen of San Diego',
    css: CSS,
    main: `<p class="brand">Queen of San Diego</p>
<h1>Hi ${text(redact(booking.renter.firstName.trim()))}, this charter was cancelled.</h1>
<p>We are sorry to miss you on the water. If you did not expect this, or would like to sail another day, just reply to your booking mail and we will help.</p>
<footer>Booking ${text(booking.bookingId)}</footer>`,
  });
}
