import { eventContracts, READABLE_MAJORS } from '../contract-validators.generated';
import type { BookingDetails } from './booking-details';
import type { BookingSnapshot, BookingSnapshotV1, DetailType, EventDetail } from './events';
import { ContractViolation, parseOrThrow } from './validate';

export interface ReadDetail<T extends DetailType> {
  /** The detail in the current major's shape, whichever major it was written in. */
  detail: EventDetail<T>;
  /** What a major-1 event carried inline of the booking's private details; none for the current major. */
  carried?: BookingDetails;
}

/**
 * Reads an event's detail in any major consumers still accept (metadata.schemaVersion says which): a current
 * one as it is, a major-1 one (still in the archive, replayed) upgraded to the current shape, its private
 * details split off, so no consumer forwards them onto the bus again.
 */
export function readEventDetail<T extends DetailType>(detailType: T, raw: unknown): ReadDetail<T> {
  // The contract's compiled form (zod/mini): the zod contract itself stays out of the Lambda bundles.
  const contract = eventContracts[detailType];
  const subject = `${detailType} detail`;
  const major = majorOf(raw);
  if (major === 1) {
    const v1 = parseOrThrow(contract.v1, raw, subject) as { metadata: unknown; data: { booking: BookingSnapshotV1 } };
    const booking = v1.data.booking;
    return {
      detail: { ...v1, data: { ...v1.data, booking: upgradeSnapshot(booking) } } as EventDetail<T>,
      carried: detailsCarriedBy(booking),
    };
  }
  if (major !== undefined && !(READABLE_MAJORS as readonly number[]).includes(major)) {
    throw new ContractViolation(subject, [
      {
        path: 'metadata.schemaVersion',
        message: `major ${major} is not one this consumer reads (${READABLE_MAJORS.join(', ')})`,
      },
    ]);
  }
  return { detail: parseOrThrow(contract.schema, raw, subject) as EventDetail<T> };
}

export function upgradeSnapshot(booking: BookingSnapshotV1): BookingSnapshot {
  const { renter, pricing: _pricing, specialRequests, ...facts } = booking;
  return { ...facts, renter: { firstName: renter.firstName }, hasSpecialRequests: Boolean(specialRequests?.trim()) };
}

function majorOf(raw: unknown): number | undefined {
  const version = (raw as { metadata?: { schemaVersion?: unknown } } | null)?.metadata?.schemaVersion;
  const match = typeof version === 'string' ? /^(\d+)\.\d+$/.exec(version) : null;
  return match ? Number(match[1]) : undefined;
}

/** The details a major-1 event carried inline, in the private record's shape. */
export function detailsCarriedBy(booking: BookingSnapshotV1): BookingDetails {
  const { firstName: _firstName, ...renter } = booking.renter;
  return {
    renter,
    pricing: booking.pricing,
    ...(booking.specialRequests !== undefined ? { specialRequests: booking.specialRequests } : {}),
  };
}
