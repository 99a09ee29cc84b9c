import { SCHEMA_VERSION, type BookingSnapshot, type EventDetail } from '../../../shared/contract/events';
import { exampleData } from '../../../shared/contract/examples';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PrivateRecords } from '../../../shared/private-records';
import { bookingDetails, bookingSnapshot, eventMetadata } from '../../../samples';

/** A mail as the local mailbox (aws-ses-v2-local) lists it at GET /store. */
export interface StoredMail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
}

export async function mailsIn(mailboxUrl: string, to?: string): Promise<StoredMail[]> {
  const response = await fetch(new URL('/store', mailboxUrl));
  const { emails } = (await response.json()) as { emails: StoredMail[] };
  return to === undefined ? emails : emails.filter((mail) => mail.destination.to.includes(to));
}

/** A trip start `days` from now, 5 PM at the dock in San Diego's winter offset. */
export function tripStartIn(days: number): string {
  const day = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  return `${day}T17:00:00-08:00`;
}

/** A renter address of this booking only, so a test finds its own mails in the shared mailbox. */
export const renterAddress = (bookingId: string) => `dana+${bookingId.toLowerCase()}@example.com`;

export function guestBooking(bookingId: string, overrides: Partial<BookingSnapshot> = {}): BookingSnapshot {
  const base = bookingSnapshot({ bookingId });
  return {
    ...base,
    trip: { ...base.trip, start: tripStartIn(30) },
    ...overrides,
  };
}

/** The booking's private record for these revisions, as the webhook writes it: the renter's address is there. */
export async function rememberRenter(
  documents: DynamoDBDocumentClient,
  booking: Pick<BookingSnapshot, 'bookingId'>,
  revisions: number[] = [1],
  email = renterAddress(booking.bookingId),
): Promise<void> {
  const details = bookingDetails();
  const records = new PrivateRecords(documents);
  for (const revision of revisions) {
    await records.write(booking.bookingId, revision, { ...details, renter: { ...details.renter, email } });
  }
}

type PageEvent = 'GuestPagePublished' | 'GuestPageUpdated' | 'GuestPageWithdrawn';

/** A guest-page event of a booking, as guest-page emits it (example data, the booking's own url). */
export function pageEvent<T extends PageEvent>(
  type: T,
  booking: BookingSnapshot,
  data: Partial<EventDetail<T>['data']> = {},
): EventDetail<T> {
  return {
    metadata: eventMetadata({
      bookingId: booking.bookingId,
      correlationId: `msg_${booking.bookingId}`,
      causationId: `evt_${booking.bookingId}_r${booking.revision}`,
      schemaVersion: SCHEMA_VERSION,
      idempotencyKey: `${booking.bookingId}:r${booking.revision}:${type}`,
    }),
    data: { ...exampleData[type], url: `https://queenofsandiego.com/g/${booking.bookingId}`, booking, ...data },
  } as EventDetail<T>;
}
