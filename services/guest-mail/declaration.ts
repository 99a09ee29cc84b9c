import { defineConsumer } from '../../shared/declaration';

/**
 * guest-mail: what it consumes, emits and how failed deliveries are retried. The deploy (rule, DLQ, alarm,
 * role) and the local stack read this; add an access.ts beside it (deploy/access.ts) when the code needs
 * AWS resources beyond its own logs and the bus.
 */
export const declaration = defineConsumer({
  name: 'guest-mail',
  description: 'guest-mail: on GuestPagePublished',
  consumes: ['GuestPagePublished'],
  emits: [],
});
