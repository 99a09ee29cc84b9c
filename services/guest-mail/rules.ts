import type { BookingSnapshot, FieldChange } from '../../shared/contract/events';
import type { MailRecord } from './mail-records';
import type { MailKind } from './mails';
import { tripEndsAt } from './trip-when';

/**
 * Whether a mail goes out, from what the booking's mail records say: pure, so every rule is a table row in
 * a unit test. At most one mail per booking, revision and kind; none for a trip that is over (a replay of
 * last month's archive, a backfill); none that an earlier or later mail makes wrong.
 */

export interface MailRequest {
  kind: MailKind;
  booking: BookingSnapshot;
  /** GuestPageUpdated's changes: what the renter sees differently. */
  changes?: readonly FieldChange[];
}

export type MailDecision =
  | { send: true }
  /** `record`: keep the reason on the booking, because a later decision depends on it. */
  | { send: false; reason: string; record: boolean };

const skip = (reason: string, record = true): MailDecision => ({ send: false, reason, record });

export function decideMail(request: MailRequest, records: readonly MailRecord[], now: number): MailDecision {
  const { kind, booking } = request;
  const revision = booking.revision;
  const own = records.find((r) => r.kind === kind && r.revision === revision);
  // A claim still 'sending' is for the claim to sort out (a live sender, or one that died mid-send).
  if (own && own.state !== 'sending') return skip(`already ${own.state}`, false);
  if (tripEndsAt(booking.trip) <= now) return skip('the trip is over', false);

  const sent = records.filter((r) => r.state === 'sent');
  const later = sent.find((r) => r.revision > revision);
  if (later) return skip(`revision ${later.revision} was mailed already`);
  const cancellation = records.find((r) => r.kind === 'cancellation');

  switch (kind) {
    case 'confirmation': {
      if (cancellation) return skip('the booking was cancelled before the confirmation went out');
      const confirmed = sent.find((r) => r.kind === 'confirmation');
      if (confirmed) return skip(`the renter has the confirmation of revision ${confirmed.revision}`);
      return { send: true };
    }
    case 'change':
      if (!request.changes?.length) return skip('nothing the renter sees changed');
      if (cancellation) return skip('the booking is cancelled');
      return { send: true };
    case 'cancellation': {
      if (!sent.some((r) => r.kind === 'confirmation')) return skip('no confirmation mail was sent');
      const cancelled = sent.find((r) => r.kind === 'cancellation');
      if (cancelled) return skip(`the cancellation of revision ${cancelled.revision} was mailed already`);
      return { send: true };
    }
  }
}
