import { defineAccess } from '../../shared/access';

export const access = defineAccess({
  // The revision record that keeps the SCC event at the latest revision (shared/revisions.ts).
  bookingsTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  // The booking's private record: the pricing SCC makes the revenue lines from, and the renter's note.
  privateRecords: ['dynamodb:GetItem'],
  secrets: ['sccServiceKey'],
});
