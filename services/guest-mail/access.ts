import { defineAccess } from '../../shared/access';

export const access = defineAccess({
  // Its mail records (mail-records.ts): read, decide (TransactWriteItems, which IAM checks as the PutItem and
  // UpdateItem inside it), settle, end a claim.
  bookingsTable: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  // The booking's private record: the renter's address, and their note the mail repeats to them.
  privateRecords: ['dynamodb:GetItem'],
  // ses:SendEmail as the guestMailFrom identity, with the guestMailConfigurationSet when one is set.
  guestMail: true,
});
