import { z } from 'zod';
import { LONGEST_TRIP_HOURS } from './limits';

/**
 * The Boatsetter webhook payload, version 1. We define it (Boatsetter's own docs are not public);
 * the mapping to our booking snapshot lives in services/webhook/booking.ts and nowhere else.
 */

export const BOOKING_ID_PATTERN = /^[A-Z0-9]{6,12}$/;

export const bookingId = z.string().regex(BOOKING_ID_PATTERN, 'must be 6 to 12 upper-case letters and digits');

/** An ISO 8601 instant with an explicit offset, so the trip's local time zone is never guessed. */
export const instantWithOffset = z.iso.datetime({ offset: true });

const money = z.number().finite().nonnegative();

export const webhookTypes = ['booking.confirmed', 'booking.modified', 'booking.cancelled'] as const;

export const BoatsetterWebhookPayload = z
  .object({
    type: z.enum(webhookTypes),
    created_at: instantWithOffset,
    data: z.object({
      booking_id: bookingId,
      revision: z.number().int().positive(),
      status: z.enum(['confirmed', 'modified', 'cancelled']),
      listing: z.object({
        id: z.string().min(1).max(64),
        boat_name: z.string().min(1).max(200),
        boat_type: z.string().min(1).max(100),
        length_ft: z.number().positive().max(1000),
      }),
      trip: z.object({
        start: instantWithOffset,
        duration_hours: z.number().positive().max(LONGEST_TRIP_HOURS),
        departure: z.object({
          name: z.string().min(1).max(200),
          address: z.string().min(1).max(500),
        }),
      }),
      renter: z.object({
        first_name: z.string().min(1).max(100),
        last_name: z.string().min(1).max(100),
        email: z.email(),
        phone: z.string().min(3).max(40),
      }),
      party_size: z.number().int().positive().max(500),
      captain: z.object({ name: z.string().min(1).max(200) }).optional(),
      pricing: z.object({
        currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
        booking_total: money,
        boatsetter_fee: money,
        captain_fee: money,
        owner_payout: money,
      }),
      special_requests: z.string().max(2000).optional(),
    }),
  })
  .meta({ title: 'BoatsetterWebhookPayload', description: 'Boatsetter booking webhook, version 1' });

export type BoatsetterWebhookPayload = z.infer<typeof BoatsetterWebhookPayload>;
export type BoatsetterWebhookType = (typeof webhookTypes)[number];
