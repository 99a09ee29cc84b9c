import { defineConsumer } from '../../shared/declaration';

export const declaration = defineConsumer({
  name: 'guest-page',
  description: 'Publishes the public guest page at queenofsandiego.com/g/{bookingId} (S3 + CloudFront invalidation)',
  consumes: ['CrewEventCreated', 'CrewEventUpdated', 'CrewEventCancelled'],
  emits: ['GuestPagePublished', 'GuestPageUpdated', 'GuestPageWithdrawn'],
});
