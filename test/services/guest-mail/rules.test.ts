import { describe, expect, it } from 'vitest';
import type { MailRecord, MailState } from '../../../services/guest-mail/mail-records';
import type { MailKind } from '../../../services/guest-mail/mails';
import { decideMail, type MailRequest } from '../../../services/guest-mail/rules';
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
      'a cancellation without a confirmation',
      request('cancellation', 2),
      [],
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
