import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSendSample } from '../../cli/send-sample';
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

  it('--local posts a fresh booking each run, so each runs its chain: no duplicate after a restart', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const out: string[] = [];
      const err: string[] = [];
      const io = {
        out: (l: string) => out.push(l),
        err: (l: string) => err.push(l),
        rewrite: () => undefined,
        isTTY: false,
      };
      expect(await runSendSample(['--local', '--url', s.webhookUrl], io)).toBe(0);
      expect(err).toEqual([`target: local stack ${process.env.AWS_ENDPOINT_URL} (stage local)`]);
      runs.push(/booking (\w+),/.exec(out[0]!)![1]!);
    }
    expect(runs[0]).not.toBe(runs[1]);
    for (const bookingId of runs)
      expect((await s.eventsOf(bookingId)).map((e) => e['detail-type'])).toEqual(['BookingReceived']);
  });

  it.each([
    ['booking.modified', 'BookingModified'],
    ['booking.cancelled', 'BookingCancelled'],
  ])('sends the %s sample as that type', async (type, detailType) => {
    const bookingId = uniqueBookingId('S');
    expect(await runSendSample(['--booking', bookingId, '--type', type, '--url', s.webhookUrl], () => {})).toBe(0);
    expect((await s.eventsOf(bookingId)).map((e) => e['detail-type'])).toEqual([detailType]);
  });
});
