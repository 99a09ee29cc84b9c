import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSendSampleArgs, runSendSample } from '../../cli/send-sample';
import { main } from '../../cli/main';
import { startWebhookStack, uniqueBookingId, type WebhookStack } from '../services/webhook/support';

let s: WebhookStack;
beforeAll(async () => {
  s = await startWebhookStack();
});
afterAll(() => s?.stop());

describe('npx charterflow send-sample', () => {
  it('signs the sample with the stack’s secret, posts it, prints 202, and the booking reaches the bus', async () => {
    const bookingId = uniqueBookingId('S');
    const lines: string[] = [];
    const code = await runSendSample(['--booking', bookingId, '--url', s.webhookUrl], (line) => lines.push(line));
    expect(code).toBe(0);
    expect(lines[1]).toMatch(new RegExp(`^202 \\{"bookingId":"${bookingId}","eventId":"[^"]+"\\}$`));
    const events = await s.eventsOf(bookingId);
    expect(events.map((e) => e['detail-type'])).toEqual(['BookingReceived']);
  });

  it.each([
    ['booking.modified', 'BookingModified'],
    ['booking.cancelled', 'BookingCancelled'],
  ])('sends the %s sample as that type', async (type, detailType) => {
    const bookingId = uniqueBookingId('S');
    expect(await runSendSample(['--booking', bookingId, '--type', type, '--url', s.webhookUrl], () => {})).toBe(0);
    expect((await s.eventsOf(bookingId)).map((e) => e['detail-type'])).toEqual([detailType]);
  });

  it.each([
    [['--booking', 'lower1'], /--booking lower1: must be 6 to 12 upper-case letters and digits/],
    [['--type', 'booking.paid'], /--type booking.paid: must be one of booking.confirmed, booking.modified, booking.cancelled/],
    [['--url', 'not a url'], /--url not a url: not a URL/],
    [['--colour', 'blue'], /Unknown option '--colour'/],
  ])('refuses %j with a reason', (argv, reason) => {
    expect(() => parseSendSampleArgs(argv)).toThrow(reason);
  });

  it('is registered with the charterflow dispatcher and exits 2 on bad arguments', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      expect(await main(['send-sample', '--booking', 'x'])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors).toEqual([expect.stringMatching(/^charterflow send-sample: --booking x: /)]);
  });
});
