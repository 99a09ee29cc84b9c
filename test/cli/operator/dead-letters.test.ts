import { describe, expect, it } from 'vitest';
import { deadLetterOf } from '../../../cli/operator/dead-letters';

const event = {
  version: '0',
  id: '0af58817-8afa-471b-8ee6-47930f1a5161',
  'detail-type': 'CalendarEntryCreated',
  source: 'charterflow.calendar',
  time: '2026-11-24T17:03:02Z',
  detail: { metadata: { bookingId: 'XHQGMDH' } },
};
const string = (StringValue: string) => ({ DataType: 'String', StringValue });

describe('a dead letter', () => {
  it('reads the reason EventBridge gives when it could not deliver', () => {
    const letter = deadLetterOf('crew', 'q', {
      MessageId: 'm1',
      ReceiptHandle: 'r1',
      Body: JSON.stringify(event),
      Attributes: { SentTimestamp: '1795500000000' },
      MessageAttributes: {
        ERROR_CODE: string('ERROR_FROM_TARGET'),
        ERROR_MESSAGE: string('scc createCrewEvent failed for booking XHQGMDH: HTTP 503'),
        RETRY_ATTEMPTS: string('8'),
        RULE_ARN: string('arn:aws:events:us-west-2:000000000000:rule/charterflow-local/charterflow-local-crew'),
      },
    });
    expect(letter).toMatchObject({
      bookingId: 'XHQGMDH',
      errorCode: 'ERROR_FROM_TARGET',
      errorMessage: 'scc createCrewEvent failed for booking XHQGMDH: HTTP 503',
      retryAttempts: 8,
    });
    expect(letter.deadAt.getTime()).toBe(1795500000000);
  });

  it('reads the reason Lambda gives when the function failed after its asynchronous retries', () => {
    const letter = deadLetterOf('crew', 'q', {
      MessageId: 'm2',
      ReceiptHandle: 'r2',
      Body: JSON.stringify(event),
      MessageAttributes: {
        RequestID: string('4b3c1f1e-0c6a-4bd1-9a0e-3f8c0e1c2d3e'),
        ErrorCode: { DataType: 'Number', StringValue: '200' },
        ErrorMessage: string('jada-calendar createCalendarEntry failed for booking XHQGMDH: HTTP 401'),
      },
    });
    expect(letter).toMatchObject({
      bookingId: 'XHQGMDH',
      errorCode: '200',
      errorMessage: 'jada-calendar createCalendarEntry failed for booking XHQGMDH: HTTP 401',
    });
  });

  it('keeps a letter whose body is not an event, without a booking', () => {
    const letter = deadLetterOf('crew', 'q', { MessageId: 'm3', ReceiptHandle: 'r3', Body: 'hello' });
    expect(letter.event).toBeUndefined();
    expect(letter.bookingId).toBeUndefined();
  });
});
