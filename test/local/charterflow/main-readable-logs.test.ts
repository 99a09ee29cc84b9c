import { describe, expect, it } from 'vitest';
import type { TappedEvent } from '../../../cli/bus-tap';
import { readableEventLine, readableOutput } from '../../../local/charterflow/readable-logs';

/** `npm start` in a terminal: the functions' JSON lines, as a person reads them. Lines as the functions log them. */

const envelope = {
  timestamp: '2026-12-05T07:37:18.055Z',
  cold_start: false,
  function_arn: 'arn:aws:lambda:us-west-2:000000000000:function:charterflow-local-calendar',
  function_memory_size: '1024',
  function_name: 'charterflow-local-calendar',
  function_request_id: '8be45747-37bf-4e44-922b-549c154fbc33',
  sampling_rate: 0,
  xray_trace_id: '1-6b13bf2d-1f66cea3663b83b6ec0733c6',
  bookingId: 'XHQGMDH',
  eventId: 'be531fb3-9039-4055-b131-6572422d0fb9',
  correlationId: 'msg_M-C6OkyRo3hff_bk',
};

const line = (record: Record<string, unknown>) => readableOutput(JSON.stringify({ ...envelope, ...record }));

describe('readable log lines', () => {
  it.each([
    [
      'a webhook delivery accepted',
      {
        level: 'INFO',
        message: 'webhook delivery accepted',
        service: 'charterflow.webhook',
        outcome: 'accepted',
        status: 202,
        detailType: 'BookingReceived',
        latencyMs: 456,
      },
      '07:37:18.055  XHQGMDH       webhook 202 accepted: BookingReceived, in 456 ms',
    ],
    [
      'a duplicate delivery',
      {
        level: 'INFO',
        message: 'webhook delivery duplicate',
        service: 'charterflow.webhook',
        outcome: 'duplicate',
        status: 202,
        reason: 'revision already accepted from msg_M-C6OkyRo3hff_bk',
        latencyMs: 16,
      },
      '07:37:18.055  XHQGMDH       webhook 202 duplicate (revision already accepted from msg_M-C6OkyRo3hff_bk); nothing emitted, in 16 ms',
    ],
    [
      'a downstream call',
      {
        level: 'INFO',
        message: 'jada-calendar createCalendarEntry: 201',
        service: 'charterflow.calendar',
        operation: 'createCalendarEntry',
        targetService: 'jada-calendar',
        method: 'POST',
        path: '/entries',
        attempt: 1,
        latencyMs: 35,
        status: 201,
        outcome: 'ok',
      },
      '07:37:18.055  XHQGMDH       calendar -> jada-calendar createCalendarEntry  201 in 35 ms',
    ],
    [
      'a downstream call that is retried',
      {
        level: 'WARN',
        message: 'scc createCrewEvent: 503; retrying',
        service: 'charterflow.crew',
        operation: 'createCrewEvent',
        targetService: 'scc',
        attempt: 2,
        latencyMs: 12,
        status: 503,
        outcome: 'retrying',
      },
      '07:37:18.055  XHQGMDH       WARN crew -> scc createCrewEvent  503 in 12 ms (attempt 2), retrying',
    ],
    [
      'a mail sent',
      {
        level: 'INFO',
        message: 'mail sent to the renter',
        service: 'charterflow.guest-mail',
        kind: 'confirmation',
        revision: 1,
        outcome: 'sent',
        messageId: 'ses-798622211',
      },
      '07:37:18.055  XHQGMDH       guest-mail -> SES SendEmail  confirmation mail sent (revision 1)',
    ],
    [
      'a warning, with what it adds',
      {
        level: 'WARN',
        message: 'the function failed on the event; Lambda sent it to the dead-letter queue',
        service: 'charterflow.local.eventbridge',
        ruleArn: 'arn:aws:events:us-west-2:000000000000:rule/calendar',
        errorMessage: 'boom',
        email: '[redacted]',
      },
      '07:37:18.055  XHQGMDH       WARN local.eventbridge: the function failed on the event; Lambda sent it to the dead-letter queue  ruleArn=arn:aws:events:us-west-2:000000000000:rule/calendar errorMessage=boom email=[redacted]',
    ],
  ])('%s is one line', (_, record, expected) => {
    expect(line(record)).toBe(expected);
  });

  it.each([
    ['an INFO line the event lines already tell', { level: 'INFO', message: 'revision applied', revision: 1 }],
    [
      'a metric line',
      { _aws: { Timestamp: 1, CloudWatchMetrics: [] }, service: 'calendar', eventsActedOn: 1, level: undefined },
    ],
    ['a DEBUG line', { level: 'DEBUG', message: 'lease taken' }],
  ])('%s is left out', (_, record) => {
    expect(line(record)).toBeUndefined();
  });

  it('leaves a line that is not a JSON object as it is', () => {
    for (const text of ['charterflow local stack ready in 420 ms', '{not json', '[1,2]', '    at handler (x.ts:1:1)'])
      expect(readableOutput(text)).toBe(text);
  });
});

describe('readable event lines', () => {
  const event = (overrides: Partial<TappedEvent> & { causationId?: string; receivedAt?: string }): TappedEvent => ({
    id: overrides.id ?? 'e1',
    source: overrides.source ?? 'charterflow.webhook',
    'detail-type': overrides['detail-type'] ?? 'BookingReceived',
    detail: {
      metadata: {
        bookingId: 'XHQGMDH',
        causationId: overrides.causationId ?? 'msg_1',
        receivedAt: overrides.receivedAt ?? '2026-12-05T07:37:17.600Z',
      },
      data: { booking: { revision: 1 } },
    },
    sentAt: overrides.sentAt ?? Date.parse('2026-12-05T07:37:17.721Z'),
  });

  it('names the booking and the hop from the event that caused it', () => {
    const received = event({});
    const created = event({
      id: 'e2',
      'detail-type': 'CalendarEntryCreated',
      source: 'charterflow.calendar',
      causationId: 'e1',
      sentAt: received.sentAt + 266,
    });
    expect(readableEventLine(created, received)).toBe(
      '07:37:17.987  XHQGMDH       CalendarEntryCreated        charterflow.calendar        +266 ms after BookingReceived',
    );
  });

  it('times an event whose cause it did not see from when the webhook received the booking', () => {
    expect(readableEventLine(event({}), undefined)).toMatch(
      /^07:37:17\.721 {2}XHQGMDH {7}BookingReceived +charterflow\.webhook +\+121 ms after the webhook received it$/,
    );
  });
});
