import { randomInt } from 'node:crypto';

/**
 * A booking id no stack has seen, shaped as Boatsetter's (seven upper-case letters, like XHQGMDH), for the
 * samples the operator sends by hand: the banner's curl line, send-sample and the demo. State survives a restart,
 * so a fixed id would be a duplicate the webhook rightly ignores, and nothing would run.
 */
export function freshSampleBookingId(): string {
  let id = '';
  for (let i = 0; i < 7; i++) id += String.fromCharCode(65 + randomInt(26));
  return id;
}
