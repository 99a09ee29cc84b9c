import { defineHttpRoute } from '../../shared/declaration';

export const declaration = defineHttpRoute({
  name: 'webhook',
  description: 'Boatsetter booking webhook: verifies, validates and deduplicates deliveries, emits the booking event',
  route: { method: 'POST', path: '/webhooks/boatsetter' },
  emits: ['BookingReceived', 'BookingModified', 'BookingCancelled'],
});
