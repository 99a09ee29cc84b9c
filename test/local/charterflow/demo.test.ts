import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CANCEL_CHAIN,
  CHAIN,
  CHANGE_CHAIN,
  runDemo,
  SAMPLE_BOOKING_ID,
  type DemoResult,
} from '../../../local/charterflow/demo';
import { startStack, type LocalStack } from '../../../local/charterflow/stack';
import { stackMode } from '../../stack-mode';

/** `npm run demo` without the process around it: the demo's own logic on an ephemeral stack with free ports. */

let stack: LocalStack;
const first: string[] = [];
const second: string[] = [];
let firstResult: DemoResult;
let secondResult: DemoResult;

beforeAll(async () => {
  stack = await startStack({
    ...stackMode(),
    ephemeral: true,
    ports: { aws: 0, webhook: 0, guestSite: 0, standIns: {} },
    log: false,
  });
  firstResult = await runDemo(stack, (line) => first.push(line));
  secondResult = await runDemo(stack, (line) => second.push(line));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/** The printed chain lines of the first booking revision, as the detail-types they name, in printed order. */
const chainLines = (lines: string[], chain: readonly string[] = CHAIN) =>
  lines.slice(0, firstChange(lines)).flatMap((line) => {
    const type = chain.find((t) => new RegExp(`^\\s+\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\s+${t}\\s`).test(line));
    return type ? [type] : [];
  });

const firstChange = (lines: string[]) => {
  const at = lines.findIndex((l) => l.startsWith('Boatsetter changes the booking'));
  return at < 0 ? lines.length : at;
};

describe('npm run demo', () => {
  it('sends the sample booking XHQGMDH, signed, and the webhook accepts it', () => {
    expect(firstResult.bookingId).toBe(SAMPLE_BOOKING_ID);
    expect(first.join('\n')).toMatch(/POST \/webhooks\/boatsetter\s+booking XHQGMDH, signed .*->\s+202 in \d+ ms/);
  });

  it('prints all five events of the chain once each, in causal order, with hop latencies', () => {
    const printed = chainLines(first);
    expect([...printed].sort()).toEqual([...CHAIN].sort());
    expect(printed.slice(0, 3)).toEqual(['BookingReceived', 'CalendarEntryCreated', 'CrewEventCreated']);
    const chain = first.filter((line) => CHAIN.some((t) => line.includes(` ${t} `)));
    expect(chain.find((l) => l.includes('CalendarEntryCreated'))).toMatch(
      /charterflow\.calendar\s+XHQGMDH\s+\+\d+ ms after BookingReceived\s+\+\d+ ms$/,
    );
    expect(chain.find((l) => l.includes('GuestPagePublished'))).toMatch(/\+\d+ ms after CrewEventCreated/);
    expect(firstResult.events).toEqual(printed);
  });

  it('ends with the guest page (fetched), the scrubbed SCC notes, the removed lines and the calendar entry', () => {
    const text = first.join('\n');
    expect(firstResult.guestPageUrl).toBe(`${stack.endpoints.guestSite}/g/XHQGMDH`);
    expect(firstResult.guestPageStatus).toBe(200);
    expect(text).toContain(`Guest page: ${stack.endpoints.guestSite}/g/XHQGMDH\n  200 text/html`);

    const notesAt = first.findIndex((l) => l.startsWith('SCC crew event '));
    const removedAt = first.findIndex((l) => l.startsWith('Revenue lines removed'));
    const calendarAt = first.findIndex((l) => l.startsWith('JADA calendar entry '));
    expect(notesAt).toBeGreaterThan(0);
    expect(removedAt).toBeGreaterThan(notesAt);
    expect(calendarAt).toBeGreaterThan(removedAt);

    const notes = first.slice(notesAt + 1, removedAt).join('\n');
    expect(notes).toContain('| Meeting point: Shelter Island Marina');
    expect(notes).not.toMatch(/revenue|captain fee|net:/i);
    expect(first.slice(removedAt + 1, calendarAt)).toEqual(
      expect.arrayContaining(['  - Revenue: $1,450.00', '  - Captain Fee: $250.00', '  - Your Net: $827.50']),
    );
    expect(first.slice(calendarAt + 1, calendarAt + 3).join('\n')).toMatch(
      /JADA charter, Dana \(party of 6\)\n\s+2026-12-05, starts 2026-12-05T17:00:00-08:00, 3 h/,
    );
  });

  it('goes on with a change and a cancellation, and shows what each system holds after each', () => {
    expect([...firstResult.changeEvents].sort()).toEqual([...CHANGE_CHAIN].sort());
    expect([...firstResult.cancelEvents].sort()).toEqual([...CANCEL_CHAIN].sort());
    const holdings = first.flatMap((line, i) =>
      line === 'What each system holds now:' ? [first.slice(i + 1, i + 5).join('\n')] : [],
    );
    expect(holdings).toHaveLength(2);
    const [afterChange, afterCancel] = holdings;
    expect(afterChange).toMatch(/JADA calendar {2}active: 2026-12-05T18:30:00-08:00, 4 h, party of 8/);
    expect(afterChange).toMatch(/SCC event {6}active: 2026-12-05T18:30:00-08:00, party of 8/);
    expect(afterChange).toMatch(/crew notices {3}2 changed/);
    expect(afterChange).toMatch(/guest page {5}200: "Hi Dana, you are going sailing on JADA!", 6:30 PM – 10:30 PM/);
    expect(afterCancel).toMatch(/JADA calendar {2}cancelled/);
    expect(afterCancel).toMatch(/SCC event {6}cancelled/);
    expect(afterCancel).toMatch(/crew notices {3}2 changed, 3 cancelled/);
    expect(afterCancel).toMatch(/guest page {5}200: "Hi Dana, this charter was cancelled\."/);
  });

  it('times each event from the POST, never negative (BookingReceived crosses the bus before the 202 comes back)', () => {
    const header = first.find((line) => line.includes('detail-type'));
    expect(header).toMatch(/since the POST$/);
    const timed = [...first, ...second].filter((line) => /^\s+\d{2}:\d{2}:\d{2}\.\d{3}\s+[A-Z]/.test(line));
    expect(timed.length).toBeGreaterThanOrEqual(2 * (CHAIN.length + CHANGE_CHAIN.length + CANCEL_CHAIN.length));
    for (const line of timed) expect(line).toMatch(/\s\+\d+ ms$/);
  });

  it('run again on the same state, it says XHQGMDH is done and sends the sample under a fresh id', () => {
    expect(secondResult.bookingId).not.toBe(SAMPLE_BOOKING_ID);
    expect(second[0]).toBe(
      `Booking XHQGMDH was already done in this stack's state: sending the same sample as booking ${secondResult.bookingId}.`,
    );
    expect(second[1]).toMatch(
      /^Its trip moves from 2026-12-05 to 2026-12-\d\d, a day of its own \(same time, 17:00\), so that it does not overlap XHQGMDH on JADA\.$/,
    );
    expect(second[1]).not.toContain('to 2026-12-05');
    expect(first.some((line) => line.startsWith('Its trip moves'))).toBe(false);
    expect(chainLines(second).sort()).toEqual([...CHAIN].sort());
    expect(secondResult.guestPageStatus).toBe(200);
  });
});
