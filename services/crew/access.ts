import { defineAccess } from '../../deploy/access';

export const access = defineAccess({
  // The step record that keeps a second SCC event from being made (shared/steps.ts).
  bookingsTable: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  secrets: ['sccServiceKey'],
});
