import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { parseSendSampleArgs } from '../../cli/send-sample';

describe('npx charterflow send-sample: arguments', () => {
  it.each([
    [['--booking', 'lower1'], /--booking lower1: must be 6 to 12 upper-case letters and digits/],
    [
      ['--type', 'booking.paid'],
      /--type booking.paid: must be one of booking.confirmed, booking.modified, booking.cancelled/,
    ],
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
