import { contractDetailTypes } from '../../shared/contract-validators.generated';
import { defineConsumer } from '../../shared/declaration';

/**
 * booking-ledger: a readable timeline of every booking across the chain (step, time, ids, outcome), the
 * source of `charterflow status`. Second wave: it only listens, so adding it changed no other service.
 * Every detail-type of the contract, so a new event shows up in timelines without touching this file.
 */
export const declaration = defineConsumer({
  name: 'booking-ledger',
  description: 'Keeps a readable timeline of every booking across the chain, for charterflow status',
  consumes: contractDetailTypes,
  emits: [],
  tables: [
    {
      name: 'timeline',
      partitionKey: 'pk',
      sortKey: 'sk',
      // Each booking's own lines are indexed here, newest first: "list recent bookings" and their latest step.
      indexes: [{ name: 'recent', partitionKey: 'recentPk', sortKey: 'lastEventAt' }],
    },
  ],
});
