import { defineConsumer } from '../../shared/declaration';

/**
 * guest-mail: the renter's mails about the guest page (confirmation, change, cancellation), through SES.
 * It emits nothing: what it did is on the booking, in its mail records (mail-records.ts).
 */
export const declaration = defineConsumer({
  name: 'guest-mail',
  description: 'Mails the renter the guest page link, then each change and the cancellation (SES)',
  consumes: ['GuestPagePublished', 'GuestPageUpdated', 'GuestPageWithdrawn'],
  emits: [],
});
