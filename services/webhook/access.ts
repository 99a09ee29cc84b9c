import { defineAccess } from '../../shared/access';

export const access = defineAccess({
  // Delivery and revision records (claim, complete, release a stale claim).
  bookingsTable: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  // The booking's private record: written once per revision, before the event goes out.
  privateRecords: ['dynamodb:PutItem'],
  // The smoke key: a delivery it signs is a synthetic booking (charterflow smoke).
  secrets: ['webhookSecret', 'smokeSigningKey'],
});
