import type { BookingSnapshot, FieldChange } from '../../shared/contract/events';
import { claimEndsAt, type MailKey, type MailRecord } from './mail-records';
import type { MailKind } from './mails';
import { tripEndMs } from '../../shared/trip';

/**
 * Whether a mail goes out, from what the booking's mail records say: pure, so every rule is a table row in
 * a unit test. At most one mail per booking, revision and kind; none for a trip that is over (a replay of
 * last month's archive, a backfill); none that an earlier or later mail makes wrong; and one at a time, in
 * the order decided: a mail being sent counts, so nothing is decided past it until it settles.
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
  | { send: false; reason: string; record: boolean }
  /** Recorded 'waiting' and decided again once the mail it follows is settled. */
  | { send: false; waitFor: MailKind; reason: string };

const skip = (reason: string, record = true): MailDecision => ({ send: false, reason, record });

/** Decides one mail from the booking's records; a claim ('sending') of another mail counts as sent for the order. */
export function decideMail(request: MailRequest, records: readonly MailRecord[], now: number): MailDecision {
  const { kind, booking } = request;
  const revision = booking.revision;
  const own = records.find((r) => r.kind === kind && r.revision === revision);
  // A claim still 'sending' or a mail 'waiting' is this mail's recorded decision: it is finished, not redone.
  if (own && own.state !== 'sending' && own.state !== 'waiting') return skip(`already ${own.state}`, false);
  if (tripEndMs(booking.trip) <= now) return skip('the trip is over', false);

  const others = records.filter((r) => r !== own);
  const sent = others.filter((r) => r.state === 'sent' || r.state === 'sending');
  const later = sent.find((r) => r.revision > revision);
  if (later) return skip(`revision ${later.revision} was mailed already`);
  const cancellation = others.find((r) => r.kind === 'cancellation');

  switch (kind) {
    case 'confirmation': {
      // A cancellation waiting for this confirmation goes out right after it: the renter hears of both, in order.
      if (cancellation && cancellation.state !== 'waiting')
        return skip('the booking was cancelled before the confirmation went out');
      const confirmed = sent.find((r) => r.kind === 'confirmation');
      if (confirmed) return skip(`the renter has the confirmation of revision ${confirmed.revision}`);
      return { send: true };
    }
    case 'change':
      if (!request.changes?.length) return skip('nothing the renter sees changed');
      if (cancellation) return skip('the booking is cancelled');
      return { send: true };
    case 'cancellation': {
      const cancelled = sent.find((r) => r.kind === 'cancellation');
      if (cancelled) return skip(`the cancellation of revision ${cancelled.revision} was mailed already`);
      // A claim from before decisions were recorded, that nobody can finish, counts as sent.
      const heard = others.some(
        (r) => r.kind !== 'cancellation' && (r.state === 'sent' || (r.state === 'sending' && !r.request)),
      );
      if (heard) return { send: true };
      const confirmations = others.filter((r) => r.kind === 'confirmation');
      // guest-page withdraws only a page it published: the confirmation's event is on its way, or in flight.
      if (confirmations.length === 0 || confirmations.some((r) => r.state === 'sending' || r.state === 'waiting'))
        return { send: false, waitFor: 'confirmation', reason: 'the cancellation follows the confirmation' };
      return skip('no confirmation mail was sent');
    }
  }
}

/** What a run must do before it decides its own mail, from the booking's records. */
export type Ahead =
  /** A live claim: its invocation may be sending right now. Wait for it to settle or end. */
  | { wait: MailRecord }
  /** A claim whose invocation ended (a crash, a timeout, a throttle): finish its recorded decision first. */
  | { finish: MailRecord }
  /** A mail waiting for one that is now settled: decide it first. */
  | { decide: MailRecord }
  | undefined;

/**
 * Mails go one at a time, in the order decided: anything in flight or now decidable comes before the run's own
 * mail. A claim of this very invocation (`requestId`: Lambda keeps it across its retries, which start only once
 * the failed attempt ended) has ended, whatever its deadline says. `marginMs` allows for the clocks of two
 * invocations differing a little.
 */
export function aheadOf(
  key: MailKey,
  records: readonly MailRecord[],
  now: number,
  requestId: string,
  marginMs: number,
): Ahead {
  const claims = records.filter((r) => r.state === 'sending');
  const live = claims.find((r) => r.requestId !== requestId && now < claimEndsAt(r) + marginMs);
  if (live) return { wait: live };
  // An ended claim written before decisions were recorded can only be finished by its own event.
  const ended = claims.find((r) => r.request || isKey(r, key));
  if (ended) return { finish: ended };
  const waiting = records.find(
    (r) => r.state === 'waiting' && r.request && !('waitFor' in decideMail(requestOf(r), records, now)),
  );
  return waiting ? { decide: waiting } : undefined;
}

export const isKey = (record: MailRecord, key: MailKey) => record.kind === key.kind && record.revision === key.revision;

/** The request a waiting or claimed mail was recorded with. */
export function requestOf(record: MailRecord): MailRequest {
  const { booking, changes } = record.request!;
  return { kind: record.kind, booking, ...(changes ? { changes } : {}) };
}
