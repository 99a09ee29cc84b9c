import { defineAccess } from '../../shared/access';

export const access = defineAccess({
  // The revision record that keeps the SCC event at the latest revision (shared/revisions.ts).
  bookingsTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  // The booking's private record: the pricing SCC makes the revenue lines from, and the renter's note.
  privateRecords: ['dynamodb:GetItem'],
  // SCC's own table, read to find the crew event the hand-made Lambdas made for a calendar entry the calendar
  // adopted (no index: a Scan).
  sccTable: ['dynamodb:Scan'],
  secrets: ['sccServiceKey'],
});
