import { defineAccess } from '../../deploy/access';

export const access = defineAccess({
  // Its mail records (mail-records.ts): read, claim, settle, release.
  bookingsTable: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  // ses:SendEmail as the guestMailFrom identity, with the guestMailConfigurationSet when one is set.
  guestMail: true,
});
