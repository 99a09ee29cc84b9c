import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { functionUses } from '../../bench/cost';
import { startBenchStack, type BenchStack } from '../../bench/harness';

/**
 * Keeps the count honest: the AWS calls one new booking makes, per consumer and operation, counted as the bench
 * counts them (bench/harness.ts: every SDK request made inside a function's invocation), against the figure
 * recorded beside this file. A change that adds a call fails here; one that removes a call records the lower
 * figure, so the next addition cannot hide behind it. It counts; it never times.
 */

type Counts = Record<string, Record<string, number>>;

const recorded = JSON.parse(readFileSync(new URL('./calls-per-booking.json', import.meta.url), 'utf8')) as {
  consumers: Counts;
};

let bench: BenchStack;

beforeAll(async () => {
  bench = await startBenchStack();
  // A first booking reads and caches the secrets and warms every handler: a new booking's calls are the second's.
  const warmUp = bench.nextBookingId();
  await bench.send(warmUp);
  await bench.published(warmUp);
  await bench.stack.eventBridge.idle();
}, 60_000);

afterAll(() => bench?.stop());

const total = (calls: Record<string, number>) => Object.values(calls).reduce((sum, n) => sum + n, 0);

it('a new booking makes no more AWS calls, per consumer, than the recorded figure', async () => {
  const before = bench.invocations.length;
  const bookingId = bench.nextBookingId();
  await bench.send(bookingId);
  await bench.published(bookingId);
  // The ledger and guest-mail finish after the page is published: their calls count too.
  await bench.stack.eventBridge.idle();

  const counted: Counts = Object.fromEntries(
    functionUses(bench.invocations.slice(before), 1).map((use) => [use.name, use.callsPerBooking]),
  );

  const consumers = [...new Set([...Object.keys(recorded.consumers), ...Object.keys(counted)])].sort();
  const risen = consumers.filter((c) => total(counted[c] ?? {}) > total(recorded.consumers[c] ?? {}));
  const lines = consumers.map(
    (c) => `${c}: ${total(counted[c] ?? {})} counted, ${total(recorded.consumers[c] ?? {})} recorded`,
  );
  expect(risen, `AWS calls per new booking rose above the recorded figure:\n${lines.join('\n')}`).toEqual([]);
  // Fewer calls, or the same number made differently: record the new figure in calls-per-booking.json.
  expect(
    counted,
    `AWS calls per new booking changed: record them in test/chain/calls-per-booking.json\n${lines.join('\n')}`,
  ).toEqual(recorded.consumers);
});
