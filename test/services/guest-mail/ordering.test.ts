import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailRecords } from '../../../services/guest-mail/mail-records';
import { busName, region } from '../../../shared/config';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from '../calendar/support';
import { guestBooking, mailsIn, pageEvent, rememberRenter, renterAddress } from './support';

/**
 * The order of the renter's mails when the bus hands guest-mail a booking's events at the same moment: a
 * confirmation still being sent counts, so the cancellation follows it instead of being dropped.
 */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let documents: DynamoDBDocumentClient;
let events: EventBridgeClient;

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['guest-mail']);
  const config = { region: region(), endpoint: env.stack.endpoints.aws };
  documents = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  events = new EventBridgeClient(config);
}, 60_000);

afterAll(async () => {
  documents?.destroy();
  events?.destroy();
  await env?.stop();
  logs?.restore();
});

const entry = (detailType: string, detail: unknown) => ({
  EventBusName: busName(),
  Source: 'charterflow.guest-page',
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

describe('a confirmation and a cancellation at the same moment', () => {
  it('30 bookings published and withdrawn in one PutEvents each: every renter gets the confirmation, then the cancellation', async () => {
    const bookings = Array.from({ length: 30 }, () => guestBooking(uniqueBookingId('O')));
    for (const booking of bookings) await rememberRenter(documents, booking, [1, 2]);

    await Promise.all(
      bookings.map((booking) =>
        events.send(
          new PutEventsCommand({
            Entries: [
              entry('GuestPagePublished', pageEvent('GuestPagePublished', booking)),
              entry(
                'GuestPageWithdrawn',
                pageEvent('GuestPageWithdrawn', { ...booking, revision: 2, status: 'cancelled' }),
              ),
            ],
          }),
        ),
      ),
    );
    await env.stack.eventBridge.idle();

    const mailbox = await mailsIn(env.stack.endpoints.mailbox);
    const got = bookings.map((booking) =>
      mailbox
        .filter((mail) => mail.destination.to.includes(renterAddress(booking.bookingId)))
        .map((mail) => (mail.subject.endsWith(', is cancelled') ? 'cancellation' : 'confirmation')),
    );
    expect(got).toEqual(bookings.map(() => ['confirmation', 'cancellation']));
    const records = await Promise.all(bookings.map((b) => new MailRecords(documents).of(b.bookingId)));
    expect(records.map((r) => r.map((m) => [m.kind, m.state]))).toEqual(
      bookings.map(() => [
        ['cancellation', 'sent'],
        ['confirmation', 'sent'],
      ]),
    );
    expect(await env.deadLetters('guest-mail')).toEqual([]);
  }, 60_000);
});
