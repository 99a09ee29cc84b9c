import { describe, expect, it } from 'vitest';
import type { Io } from '../../cli/args';
import {
  FORGOTTEN,
  forgetHeld,
  holdsPersonalData,
  parseForgetArgs,
  personalValuesOf,
  runForget,
} from '../../cli/forget';
import { bookingDetails } from '../../samples';

const io = (lines: string[]): Io => ({
  out: (l) => lines.push(l),
  err: (l) => lines.push(l),
  rewrite: () => undefined,
  isTTY: false,
});

describe('forget arguments', () => {
  it('takes one booking id, --yes, --force and the target options', () => {
    expect(parseForgetArgs(['XHQGMDH', '--yes', '--stage', 'prod'])).toEqual({
      bookingId: 'XHQGMDH',
      yes: true,
      force: false,
      stage: 'prod',
      local: false,
    });
    expect(parseForgetArgs(['XHQGMDH', '--force'])).toMatchObject({ force: true });
    expect(parseForgetArgs(['XHQGMDH'])).toMatchObject({ bookingId: 'XHQGMDH', yes: false });
  });

  it.each([
    [[], 'which booking?'],
    [['xhqgmdh'], 'booking id must be 6 to 12 upper-case letters and digits (like XHQGMDH), got "xhqgmdh"'],
    [['XHQ-GMDH'], 'booking id must be 6 to 12 upper-case letters and digits'],
    [['XHQGMDH', 'KP4RT2Z'], 'unexpected argument "KP4RT2Z"'],
    [['XHQGMDH', '--forse'], "unknown option '--forse' (see --help)"],
    [['XHQGMDH', '--yes=no'], "'--yes' takes no value"],
  ])('refuses %j, saying why', (argv, message) => {
    expect(() => parseForgetArgs(argv as string[])).toThrow(message);
  });

  it('off a terminal, wants --yes rather than waiting for an answer no one can give', async () => {
    await expect(runForget(['XHQGMDH'], { io: io([]) })).rejects.toThrow(
      'forget erases for good: confirm on a terminal, or pass --yes',
    );
  });
});

describe("what a consumer's record keeps once the renter is forgotten", () => {
  const values = personalValuesOf([bookingDetails({ specialRequests: 'Call Dana on +16195550100' })]);

  it("are the renter's own values, from every revision's private record", () => {
    expect(values).toEqual(['dana@example.com', '+16195550100', 'Reyes', 'Call Dana on +16195550100']);
  });

  it('calendar: the entry title goes, the ids and the slot stay', () => {
    const held = {
      entryId: 'cal_1',
      status: 'active',
      entry: {
        bookingId: 'XHQGMDH',
        title: 'JADA charter, Dana R. (party of 6)',
        start: '2026-12-05T17:00:00-08:00',
        partySize: 6,
      },
      slot: { listingId: 'lst_8812', start: '2026-12-05T17:00:00-08:00' },
      conflictsWith: [],
    };
    expect(forgetHeld(held, values)).toEqual({
      ...held,
      entry: { bookingId: 'XHQGMDH', start: '2026-12-05T17:00:00-08:00', partySize: 6 },
    });
  });

  it('crew: the notes and the pricing go, the SCC event id and the crew-facing facts stay', () => {
    const held = {
      sccEventId: 'scc_1',
      status: 'active',
      request: {
        bookingId: 'XHQGMDH',
        notes: 'Special requests: call +16195550100',
        pricing: { bookingTotal: 1450 },
        crew: [{ name: 'Sam Ortiz', role: 'captain' }],
      },
      facts: { captain: 'Sam Ortiz', 'party size': '6' },
    };
    const forgotten = forgetHeld(held, values);
    expect(forgotten).toEqual({
      sccEventId: 'scc_1',
      status: 'active',
      request: { bookingId: 'XHQGMDH', crew: [{ name: 'Sam Ortiz', role: 'captain' }] },
      facts: { captain: 'Sam Ortiz', 'party size': '6' },
    });
    expect(holdsPersonalData(forgotten, values)).toBe(false);
  });

  it('any other string repeating one of them becomes "(forgotten)", matched as a whole word', () => {
    expect(forgetHeld({ a: 'mail dana@example.com', b: ['Reyes'], c: 'Reyesville' }, values)).toEqual({
      a: FORGOTTEN,
      b: [FORGOTTEN],
      c: 'Reyesville',
    });
    expect(holdsPersonalData({ note: 'REYES party' }, values)).toBe(true);
    expect(holdsPersonalData({ note: 'anything' }, [])).toBe(false);
  });
});
