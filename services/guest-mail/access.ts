import { defineAccess } from '../../shared/access';

export const access = defineAccess({
  // Its mail records (mail-records.ts): read, claim, settle, release.
  bookingsTable: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  // The booking's private record: the renter's address, and their note the mail repeats to them.
  privateRecords: ['dynamodb:GetItem'],
  // ses:SendEmail as the guestMailFrom identity, with the guestMailConfigurationSet when one is set.
  guestMail: true,
});
