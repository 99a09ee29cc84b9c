import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../../../local/aws/eventbridge/model';
import { BusStore } from '../../../../local/aws/eventbridge/store';
import { tempDir } from './helpers';

const dirs: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

const delivery = (n: number): Delivery => ({
  id: `d${n}`,
  event: {
    version: '0',
    id: `e${n}`,
    'detail-type': 'BookingReceived',
    source: 'charterflow.webhook',
    account: '000000000000',
    time: '2026-11-24T17:03:00Z',
    region: 'us-west-2',
    resources: [],
    detail: { metadata: { bookingId: 'XHQGMDH' } },
  },
  ruleArn: 'arn:aws:events:us-west-2:000000000000:rule/charterflow-local/calendar',
  target: { Id: 'calendar', Arn: 'arn:aws:lambda:us-west-2:000000000000:function:calendar' },
  ingestedAt: 1,
  attempts: 0,
  nextAttemptAt: 1,
});

describe('the delivery journal', () => {
  it('rebuilds what is pending, with its attempts, after a restart', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = new BusStore(dir.path);
    await store.open();
    await store.recordDeliveries([delivery(1), delivery(2), delivery(3)]);
    await store.recordAttempt({ ...delivery(2), attempts: 2, nextAttemptAt: 99 });
    await store.recordDone('d1');
    await store.close();

    const reopened = await new BusStore(dir.path).open();
    expect(reopened.pending.map((d) => [d.id, d.attempts, d.nextAttemptAt])).toEqual([
      ['d2', 2, 99],
      ['d3', 0, 1],
    ]);
  });

  it('compacts itself while running once finished deliveries make up most of it, losing nothing pending', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = new BusStore(dir.path);
    await store.open();
    const all = Array.from({ length: 6000 }, (_, i) => delivery(i));
    await store.recordDeliveries(all);
    const stillPending = new Map([
      [all[17]!.id, all[17]!],
      [all[4242]!.id, all[4242]!],
    ]);
    await Promise.all(all.filter((d) => !stillPending.has(d.id)).map((d) => store.recordDone(d.id)));
    const before = statSync(join(dir.path, 'deliveries.jsonl')).size;
    store.compactIfWorthIt(() => stillPending.values(), stillPending.size);
    // Appended after the compaction was asked for: must survive it.
    await store.recordDeliveries([delivery(9999)]);
    await store.close();

    expect(statSync(join(dir.path, 'deliveries.jsonl')).size).toBeLessThan(before / 100);
    const reopened = await new BusStore(dir.path).open();
    expect(reopened.pending.map((d) => d.id).sort()).toEqual(['d17', 'd4242', 'd9999']);
  });
});
