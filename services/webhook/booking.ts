import type { BoatsetterWebhookPayload, BoatsetterWebhookType } from '../../shared/contract/boatsetter';
import { idempotencyKeyOf } from '../../shared/contract/metadata';
import type { ContractIssue } from '../../shared/contract/validate';
import type { BookingDetails } from '../../shared/contract/booking-details';
import type { BookingSnapshot, EventDetail } from '../../shared/contract/events';
import { SCHEMA_VERSION } from '../../shared/contract-validators.generated';

/**
 * The one place where Boatsetter's payload becomes our booking snapshot and event detail, so that a change in
 * Boatsetter's payload touches one module. Pure: plain data in, plain data out.
 */

export type BookingEventType = 'BookingReceived' | 'BookingModified' | 'BookingCancelled';

const detailTypes: Record<BoatsetterWebhookType, BookingEventType> = {
  'booking.confirmed': 'BookingReceived',
  'booking.modified': 'BookingModified',
  'booking.cancelled': 'BookingCancelled',
};

export function detailTypeOf(type: BoatsetterWebhookType): BookingEventType {
  return detailTypes[type];
}

const statusOfType: Record<BoatsetterWebhookType, BoatsetterWebhookPayload['data']['status']> = {
  'booking.confirmed': 'confirmed',
  'booking.modified': 'modified',
  'booking.cancelled': 'cancelled',
};

/**
 * The webhook type and the booking's status must tell the same story: a "booking.confirmed" whose status is
 * cancelled is not a fact anyone can act on. Both fields are named, since either may be the wrong one.
 */
export function typeStatusIssues(payload: BoatsetterWebhookPayload): ContractIssue[] {
  const expected = statusOfType[payload.type];
  if (payload.data.status === expected) return [];
  return [
    { path: 'data.status', message: `is "${payload.data.status}", but a ${payload.type} needs "${expected}"` },
    { path: 'type', message: `${payload.type} does not match status "${payload.data.status}"` },
  ];
}

/**
 * What rides the bus. The renter's last name, email and phone, the prices and the note go to the booking's
 * private record instead (bookingDetailsOf in shared/contract/booking-details.ts).
 */
export function toBookingSnapshot(payload: BoatsetterWebhookPayload): BookingSnapshot {
  const { data } = payload;
  return {
    bookingId: data.booking_id,
    revision: data.revision,
    status: data.status,
    boat: {
      listingId: data.listing.id,
      name: data.listing.boat_name,
      type: data.listing.boat_type,
      lengthFt: data.listing.length_ft,
    },
    trip: {
      start: data.trip.start,
      durationHours: data.trip.duration_hours,
      departure: { name: data.trip.departure.name, address: data.trip.departure.address },
    },
    renter: { firstName: data.renter.first_name },
    partySize: data.party_size,
    ...(data.captain ? { captain: { name: data.captain.name } } : {}),
    hasSpecialRequests: Boolean(data.special_requests?.trim()),
  };
}

export interface DeliveryContext {
  /** The webhook-id of the delivery that caused the event. */
  webhookId: string;
  /** The booking's first webhook id. */
  correlationId: string;
  occurredAt: Date;
  /** Signed with the smoke key, not Boatsetter's secret: a synthetic booking (shared/shadow.ts). */
  synthetic?: boolean;
}

export interface BookingEvent<T extends BookingEventType = BookingEventType> {
  detailType: T;
  detail: EventDetail<T>;
}

export function bookingEventOf(payload: BoatsetterWebhookPayload, context: DeliveryContext): BookingEvent {
  const booking = toBookingSnapshot(payload);
  const detailType = detailTypeOf(payload.type);
  return {
    detailType,
    detail: {
      metadata: {
        bookingId: booking.bookingId,
        correlationId: context.correlationId,
        causationId: context.webhookId,
        schemaVersion: SCHEMA_VERSION,
        occurredAt: context.occurredAt.toISOString(),
        idempotencyKey: idempotencyKeyOf(booking.bookingId, booking.revision, detailType),
        receivedAt: context.occurredAt.toISOString(),
        ...(context.synthetic ? { synthetic: true } : {}),
      },
      data: { booking },
    },
  };
}

/** What of the payload goes to the booking's private record instead of the bus (shared/private-records.ts). */
export function bookingDetailsOf(payload: BoatsetterWebhookPayload): BookingDetails {
  const { renter, pricing, special_requests } = payload.data;
  return {
    renter: { lastName: renter.last_name, email: renter.email, phone: renter.phone },
    pricing: {
      currency: pricing.currency,
      bookingTotal: pricing.booking_total,
      boatsetterFee: pricing.boatsetter_fee,
      captainFee: pricing.captain_fee,
      ownerPayout: pricing.owner_payout,
    },
    ...(special_requests !== undefined ? { specialRequests: special_requests } : {}),
  };
}
