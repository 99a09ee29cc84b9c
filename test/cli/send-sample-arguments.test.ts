import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { freshBookingId } from '../../cli/booking-id';
import { parseSendSampleArgs } from '../../cli/send-sample';
import { BOOKING_ID_PATTERN } from '../../shared/contract/boatsetter';

describe('npx charterflow send-sample: arguments', () => {
  it.each([
    [['--booking', 'lower1'], /--booking must be 6 to 12 upper-case letters and digits \(like XHQGMDH\), got "lower1"/],
    [['--booking', '-1'], /--booking must be 6 to 12 upper-case letters and digits/],
    [['--booking'], /'--booking' needs a value \(see --help\)/],
    [['--stage', 'prod'], /--url is needed with --stage prod/],
    [
      ['--type', 'booking.paid'],
      /--type booking.paid: must be one of booking.confirmed, booking.modified, booking.cancelled/,
    ],
    [['--url', 'not a url'], /--url not a url: not a URL/],
    [['--colour', 'blue'], /unknown option '--colour' \(see --help\)/],
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
    expect(errors).toEqual([expect.stringMatching(/^charterflow send-sample: --booking must be /)]);
  });

  it('takes --local and --stage, and a fresh booking id unless --booking names one', () => {
    let made = 0;
    const fresh = () => `SFRESH${++made}`;
    expect(parseSendSampleArgs(['--local'], fresh)).toMatchObject({ bookingId: 'SFRESH1', local: true });
    expect(parseSendSampleArgs([], fresh)).toMatchObject({ bookingId: 'SFRESH2', local: true });
    expect(parseSendSampleArgs(['--booking', 'XHQGMDH'], fresh)).toMatchObject({ bookingId: 'XHQGMDH' });
    expect(made).toBe(2);
    expect(
      parseSendSampleArgs(['--stage', 'prod', '--url', 'https://api.example.com/webhooks/boatsetter'], fresh),
    ).toMatchObject({ stage: 'prod', local: false });
  });

  it('makes booking ids that fit the contract and differ run to run', () => {
    const ids = Array.from({ length: 200 }, freshBookingId);
    for (const id of ids) expect(id).toMatch(BOOKING_ID_PATTERN);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
