import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORGOTTEN_SKIP, PrivateRecordMissing, PrivateRecords } from '../../shared/private-records';
import { bookingsTable } from '../../shared/config';
import { bookingDetails } from '../../samples';
import { startScrubTables, type ScrubTables } from '../services/scrub/dynamodb';

/** The booking's private record (the claim check) on DynamoDB (dynalite, in memory). */

let tables: ScrubTables;
let records: PrivateRecords;

beforeAll(async () => {
  tables = await startScrubTables();
  records = new PrivateRecords(tables.documents, bookingsTable());
});
afterAll(async () => {
  await tables?.stop();
});

describe('a private record', () => {
  it('is kept per booking and revision: a replay of revision 2 reads revision 2', async () => {
    await records.write('PRV0001', 1, bookingDetails());
    await records.write('PRV0001', 2, bookingDetails({ pricing: { ...bookingDetails().pricing, bookingTotal: 1600 } }));
    expect((await records.read('PRV0001', 1))?.pricing.bookingTotal).toBe(1450);
    expect(await records.detailsFor('PRV0001', 2)).toEqual({
      found: true,
      details: expect.objectContaining({ pricing: expect.objectContaining({ bookingTotal: 1600 }) }),
    });
  });

  it('keeps the first write of a revision: Boatsetter never changes a revision', async () => {
    await records.write('PRV0002', 1, bookingDetails());
    await records.write('PRV0002', 1, bookingDetails({ specialRequests: 'something else' }));
    expect((await records.read('PRV0002', 1))?.specialRequests).toBe('Birthday, bringing a cake');
  });

  it('gives back amounts exactly as written, however large or fine', async () => {
    const pricing = {
      currency: 'USD',
      bookingTotal: 7.228973616854543e66,
      boatsetterFee: 0.1 + 0.2,
      captainFee: 0,
      ownerPayout: 982.5,
    };
    await records.write('PRV0003', 1, bookingDetails({ pricing }));
    expect((await records.read('PRV0003', 1))?.pricing).toEqual(pricing);
  });

  it('missing, with the booking not forgotten, is an error naming booking and revision', async () => {
    await expect(records.detailsFor('PRV0004', 3)).rejects.toThrow(PrivateRecordMissing);
    await expect(records.detailsFor('PRV0004', 3)).rejects.toThrow('booking PRV0004: no private record for revision 3');
  });

  it('of an event of contract major 1 is what the event carried, unless the booking was forgotten', async () => {
    const carried = bookingDetails({ specialRequests: 'carried inline' });
    expect(await records.detailsFor('PRV0005', 1, carried)).toEqual({ found: true, details: carried });
    await records.forget('PRV0005');
    expect(await records.detailsFor('PRV0005', 1, carried)).toEqual({ found: false, forgotten: true });
  });
});

describe('forgetting', () => {
  it('deletes every revision and marks the booking, so consumers skip it rather than fail', async () => {
    await records.write('PRV0006', 1, bookingDetails());
    await records.write('PRV0006', 2, bookingDetails());
    expect(await records.forget('PRV0006')).toEqual({ revisions: [1, 2], alreadyForgotten: false });
    expect(await records.allOf('PRV0006')).toEqual([]);
    expect(await records.detailsFor('PRV0006', 1)).toEqual({ found: false, forgotten: true });
    expect(FORGOTTEN_SKIP).toBe('personal data forgotten; skipped');
  });

  it('twice is harmless, and says so', async () => {
    expect(await records.forget('PRV0006')).toEqual({ revisions: [], alreadyForgotten: true });
  });

  it('leaves room for a revision Boatsetter sends afterwards: its details came back from Boatsetter', async () => {
    await records.write('PRV0006', 3, bookingDetails());
    expect((await records.detailsFor('PRV0006', 3)).found).toBe(true);
  });
});
