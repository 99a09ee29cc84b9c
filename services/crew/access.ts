import { defineAccess } from '../../deploy/access';

export const access = defineAccess({
  // The revision record that keeps the SCC event at the latest revision (shared/revisions.ts).
  bookingsTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  secrets: ['sccServiceKey'],
});
