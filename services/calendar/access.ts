import { defineAccess } from '../../shared/access';

export const access = defineAccess({
  // The revision record that keeps the JADA entry at the latest revision (shared/revisions.ts).
  bookingsTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  secrets: ['jadaDashboardToken'],
});
