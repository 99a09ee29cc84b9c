import { defineAccess } from '../../deploy/access';

export const access = defineAccess({
  // Delivery and revision records (claim, complete, release a stale claim).
  bookingsTable: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  secrets: ['webhookSecret'],
});
