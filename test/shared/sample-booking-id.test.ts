import { describe, expect, it } from 'vitest';
import { BOOKING_ID_PATTERN } from '../../shared/contract/boatsetter';
import { freshSampleBookingId } from '../../shared/sample-booking-id';

describe('a fresh sample booking id', () => {
  it('is a booking id the webhook accepts, different on every call', () => {
    const ids = Array.from({ length: 200 }, freshSampleBookingId);
    for (const id of ids) expect(id).toMatch(BOOKING_ID_PATTERN);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
