import { describe, expect, it } from 'vitest';
import type { MailRecord, MailState } from '../../../services/guest-mail/mail-records';
import type { MailKind } from '../../../services/guest-mail/mails';
import { aheadOf, decideMail, type MailRequest } from '../../../services/guest-mail/rules';
import { bookingSnapshot } from '../../../samples';

const BEFORE_TRIP = Date.parse('2026-11-29T12:00:00Z');
const change = [{ field: 'time', before: '5:00 PM', after: '6:00 PM' }];

const record = (kind: MailKind, revision: number, state: MailState): MailRecord => ({
  bookingId: 'XHQGMDH',
  kind,
  revision,
  state,
  at: '2026-11-28T12:00:00.000Z',
});
const recorded = (revision: number) => ({ booking: bookingSnapshot({ revision }) });
/** A claim as this version records it: the decision, and when its invocation ends. */
const claimed = (kind: MailKind, revision: number): MailRecord => ({
  ...record(kind, revision, 'sending'),
  claimId: 'c1',
  until: BEFORE_TRIP + 20_000,
  requestId: 'req-1',
  request: recorded(revision),
});
const waiting = (kind: MailKind, revision: number): MailRecord => ({
  ...record(kind, revision, 'waiting'),
  request: recorded(revision),
});
const request = (kind: MailKind, revision: number, extra: Partial<MailRequest> = {}): MailRequest => ({
  kind,
  booking: bookingSnapshot({ revision }),
  ...(kind === 'change' ? { changes: change } : {}),
  ...extra,
});

describe('whether a mail goes out', () => {
  it.each<[string, MailRequest, MailRecord[], number, ReturnType<typeof decideMail>]>([
    ['a first confirmation', request('confirmation', 1), [], BEFORE_TRIP, { send: true }],
    [
      'a confirmation already sent',
      request('confirmation', 1),
      [record('confirmation', 1, 'sent')],
      BEFORE_TRIP,
      { send: false, reason: 'already sent', record: false },
    ],
    [
      'a confirmation SES refused',
      request('confirmation', 1),
      [record('confirmation', 1, 'refused')],
      BEFORE_TRIP,
      { send: false, reason: 'already refused', record: false },
    ],
    [
      'a claim still sending (for the claim to settle)',
      request('confirmation', 1),
      [record('confirmation', 1, 'sending')],
      BEFORE_TRIP,
      { send: true },
    ],
    [
      'a trip already over',
      request('confirmation', 1),
      [],
      Date.parse('2026-12-06T04:00:00Z'),
      { send: false, reason: 'the trip is over', record: false },
    ],
    [
      'a trip under way (not over yet)',
      request('confirmation', 1),
      [],
      Date.parse('2026-12-06T03:59:00Z'),
      { send: true },
    ],
    [
      'a confirmation for a second revision',
      request('confirmation', 2),
      [record('confirmation', 1, 'sent')],
      BEFORE_TRIP,
      { send: false, reason: 'the renter has the confirmation of revision 1', record: true },
    ],
    [
      'a confirmation after the cancellation',
      request('confirmation', 1),
      [record('cancellation', 2, 'skipped')],
      BEFORE_TRIP,
      { send: false, reason: 'the booking was cancelled before the confirmation went out', record: true },
    ],
    ['a change', request('change', 2), [record('confirmation', 1, 'sent')], BEFORE_TRIP, { send: true }],
    [
      'a change nobody sees',
      request('change', 2, { changes: [] }),
      [record('confirmation', 1, 'sent')],
      BEFORE_TRIP,
      { send: false, reason: 'nothing the renter sees changed', record: true },
    ],
    [
      'a late change, after a newer one was mailed',
      request('change', 2),
      [record('change', 3, 'sent')],
      BEFORE_TRIP,
      { send: false, reason: 'revision 3 was mailed already', record: true },
    ],
    [
      'a change after the cancellation',
      request('change', 3),
      [record('confirmation', 1, 'sent'), record('cancellation', 2, 'skipped')],
      BEFORE_TRIP,
      { send: false, reason: 'the booking is cancelled', record: true },
    ],
    [
      'a cancellation after a confirmation',
      request('cancellation', 3),
      [record('confirmation', 1, 'sent'), record('change', 2, 'sent')],
      BEFORE_TRIP,
      { send: true },
    ],
    [
      'a cancellation before any confirmation (guest-page withdraws only a page it published: it is coming)',
      request('cancellation', 2),
      [],
      BEFORE_TRIP,
      { send: false, waitFor: 'confirmation', reason: 'the cancellation follows the confirmation' },
    ],
    [
      'a cancellation while the confirmation is being sent',
      request('cancellation', 2),
      [claimed('confirmation', 1)],
      BEFORE_TRIP,
      { send: false, waitFor: 'confirmation', reason: 'the cancellation follows the confirmation' },
    ],
    [
      'a cancellation after a claim from before decisions were recorded (nobody can finish it: counted as sent)',
      request('cancellation', 2),
      [record('confirmation', 1, 'sending')],
      BEFORE_TRIP,
      { send: true },
    ],
    [
      'a cancellation to a renter who got a change but no confirmation',
      request('cancellation', 3),
      [record('change', 2, 'sent')],
      BEFORE_TRIP,
      { send: true },
    ],
    [
      'a confirmation with the cancellation waiting for it',
      request('confirmation', 1),
      [waiting('cancellation', 2)],
      BEFORE_TRIP,
      { send: true },
    ],
    [
      'a confirmation while the cancellation is being sent',
      request('confirmation', 2),
      [record('confirmation', 1, 'sent'), claimed('cancellation', 3)],
      BEFORE_TRIP,
      { send: false, reason: 'revision 3 was mailed already', record: true },
    ],
    [
      'a waiting cancellation, decided again once the confirmation is sent',
      request('cancellation', 2),
      [record('confirmation', 1, 'sent'), waiting('cancellation', 2)],
      BEFORE_TRIP,
      { send: true },
    ],
    [
      'a waiting cancellation, once the confirmation was skipped',
      request('cancellation', 2),
      [record('confirmation', 1, 'skipped'), waiting('cancellation', 2)],
      BEFORE_TRIP,
      { send: false, reason: 'no confirmation mail was sent', record: true },
    ],
    [
      'a cancellation when the confirmation was refused',
      request('cancellation', 2),
      [record('confirmation', 1, 'refused')],
      BEFORE_TRIP,
      { send: false, reason: 'no confirmation mail was sent', record: true },
    ],
    [
      'a second cancellation',
      request('cancellation', 4),
      [record('confirmation', 1, 'sent'), record('cancellation', 3, 'sent')],
      BEFORE_TRIP,
      { send: false, reason: 'the cancellation of revision 3 was mailed already', record: true },
    ],
  ])('%s', (_name, mailRequest, records, now, expected) => {
    expect(decideMail(mailRequest, records, now)).toEqual(expected);
  });
});

describe('what comes before a mail', () => {
  const key = { bookingId: 'XHQGMDH', kind: 'cancellation' as const, revision: 2 };
  const now = BEFORE_TRIP;

  it.each<[string, MailRecord[], string, ReturnType<typeof aheadOf>]>([
    ['nothing', [record('confirmation', 1, 'sent')], 'req-2', undefined],
    [
      'a live claim of another invocation: wait for it',
      [claimed('confirmation', 1)],
      'req-2',
      { wait: claimed('confirmation', 1) },
    ],
    [
      "a claim within the clocks' margin past its deadline: still waited for",
      [{ ...claimed('confirmation', 1), until: now - 500 }],
      'req-2',
      { wait: { ...claimed('confirmation', 1), until: now - 500 } },
    ],
    [
      'a claim whose invocation ended: finish it',
      [{ ...claimed('confirmation', 1), until: now - 1_500 }],
      'req-2',
      { finish: { ...claimed('confirmation', 1), until: now - 1_500 } },
    ],
    [
      "a claim of this invocation's earlier attempt (Lambda's retry): finished at once, deadline or not",
      [claimed('confirmation', 1)],
      'req-1',
      { finish: claimed('confirmation', 1) },
    ],
    [
      'an ended claim from before decisions were recorded, of another mail: left to its own event',
      [record('confirmation', 1, 'sending')],
      'req-2',
      undefined,
    ],
    [
      'a cancellation waiting for a confirmation now sent: decide it',
      [record('confirmation', 1, 'sent'), waiting('cancellation', 2)],
      'req-2',
      { decide: waiting('cancellation', 2) },
    ],
    ['a cancellation still waiting for its confirmation', [waiting('cancellation', 2)], 'req-2', undefined],
  ])('%s', (_name, records, requestId, expected) => {
    expect(aheadOf(key, records, now, requestId, 1_000)).toEqual(expected);
  });
});
