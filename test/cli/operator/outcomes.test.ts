import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { consumerRecords } from '../../../cli/operator/outcomes';
import { bookingsTable } from '../../../shared/config';
import { bookingKey, consumerStateKey } from '../../../shared/tables';
import { startScrubTables, type ScrubTables } from '../../services/scrub/dynamodb';

/**
 * What replay's summary reads of the consumers' own records: who keeps any (a consumer that keeps none cannot
 * have skipped an event as already done), and whose records the replay advanced.
 */

let tables: ScrubTables;
beforeAll(async () => {
  tables = await startScrubTables();
});
afterAll(() => tables?.stop());

const put = (item: Record<string, unknown>) =>
  tables.documents.send(new PutCommand({ TableName: bookingsTable(), Item: item }));

describe('the consumers’ records, as a replay’s summary reads them', () => {
  it('revision records and guest-mail’s mail records; the mail order counter and other items are not records', async () => {
    const since = new Date('2026-11-24T18:00:00.000Z');
    const before = '2026-11-24T17:00:00.000Z';
    const after = '2026-11-24T18:00:05.000Z';
    const state = (bookingId: string, consumer: string, appliedAt: string) =>
      put({ pk: bookingKey(bookingId), sk: consumerStateKey(consumer), bookingId, consumer, revision: 1, appliedAt });
    await state('XHQGMDH', 'calendar', before);
    await state('KQ7TZ2M', 'calendar', after);
    await state('XHQGMDH', 'crew', before);
    await put({ pk: bookingKey('XHQGMDH'), sk: 'MAIL#confirmation#r1', state: 'sent', at: after });
    await put({ pk: bookingKey('KQ7TZ2M'), sk: 'MAIL#confirmation#r1', state: 'sent', at: before });
    await put({ pk: bookingKey('XHQGMDH'), sk: 'MAIL#order', version: 3, at: after });
    await put({ pk: bookingKey('XHQGMDH'), sk: 'BOOKING', latestRevision: 1 });

    const records = await consumerRecords(tables.documents, since);
    expect([...records.keeping].sort()).toEqual(['calendar', 'crew', 'guest-mail']);
    expect(Object.fromEntries(records.since)).toEqual({ calendar: 1, 'guest-mail': 1 });
  });
});
