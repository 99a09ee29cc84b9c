import { randomInt } from 'node:crypto';
import { BOOKING_ID_PATTERN } from '../shared/contract/boatsetter';

/**
 * A booking id no stack has seen: the sample sent again after a restart with the state kept would otherwise be
 * a duplicate delivery, answered 202 with no chain run. Eight characters from Boatsetter's alphabet, starting
 * with S for "sample" so that a person reading the ledger tells it from a real booking.
 */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function freshBookingId(): string {
  let id = 'S';
  while (id.length < 8) id += ALPHABET[randomInt(ALPHABET.length)];
  if (!BOOKING_ID_PATTERN.test(id)) throw new Error(`fresh booking id ${id} does not fit the contract`);
  return id;
}
