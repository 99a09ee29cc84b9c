import { z } from 'zod';

/**
 * What of a booking never rides the bus: the renter's last name, email and phone, the prices and the renter's
 * own note (which can hold anything the renter typed: a phone number, an address, what they paid). The webhook
 * writes it to the booking's private record (shared/private-records.ts) before the event goes out; crew (SCC's
 * revenue lines, the note in the crew notes) and guest-mail (the address, the note in the mail) read it there.
 */
/** The renter's details beyond the first name (contract major 1 carried them on the bus; now only here). */
export const RenterContact = z.object({
  lastName: z.string().min(1),
  email: z.string().min(3),
  phone: z.string().min(3),
});

export const Pricing = z.object({
  currency: z.string().length(3),
  bookingTotal: z.number().nonnegative(),
  boatsetterFee: z.number().nonnegative(),
  captainFee: z.number().nonnegative(),
  ownerPayout: z.number().nonnegative(),
});

export const BookingDetails = z.object({
  renter: RenterContact,
  pricing: Pricing,
  specialRequests: z.string().optional(),
});
export type BookingDetails = z.infer<typeof BookingDetails>;
