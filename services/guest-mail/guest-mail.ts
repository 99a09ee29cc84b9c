import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { ConsumedEvent } from '../../shared/consumer';
import type { DetailType } from '../../shared/contract/events';
import type { BookingDetails } from '../../shared/contract/booking-details';
import type { Logger } from '../../shared/logger';
import { FORGOTTEN_SKIP, type PrivateRecords } from '../../shared/private-records';
import type { MailKey, MailRecords } from './mail-records';
import { cancellationMail, changeMail, confirmationMail, guestPageLink, type Mail, type MailKind } from './mails';
import { decideMail, type MailRequest } from './rules';
import { refusalOf, sendMail, type MailSettings } from './send';

/**
 * The renter's mails: on GuestPagePublished the confirmation with the page's link, on GuestPageUpdated what
 * changed, on GuestPageWithdrawn the cancellation. Each at most once per booking, revision and kind
 * (mail-records.ts), never for a trip that is over, and an address SES refuses is recorded, not retried.
 */

export type GuestMailType = 'GuestPagePublished' | 'GuestPageUpdated' | 'GuestPageWithdrawn';
export type GuestMailEvent = ConsumedEvent<GuestMailType>;

export const kindOf: Record<GuestMailType, MailKind> = {
  GuestPagePublished: 'confirmation',
  GuestPageUpdated: 'change',
  GuestPageWithdrawn: 'cancellation',
};

export interface GuestMailDeps {
  ses: SESv2Client;
  records: MailRecords;
  privateRecords: PrivateRecords;
  settings: MailSettings;
  logger: Logger;
  now?: () => number;
}

export type MailOutcome = 'sent' | 'refused' | 'skipped';

/** Another delivery of the same event is sending this very mail: fail, so the retry finds it settled. */
export class MailInFlight extends Error {
  override readonly name = 'MailInFlight';
  constructor(
    readonly key: MailKey,
    options?: ErrorOptions,
  ) {
    super(
      `booking ${key.bookingId}: the ${key.kind} mail of revision ${key.revision} is being sent by another delivery`,
      options,
    );
  }
}

/**
 * Where the renter's address (and their own note, which the mail repeats to them) comes from: the booking's
 * private record for this revision, or what an event of contract major 1 carried. None once the booking was
 * forgotten.
 */
export async function renterAddressOf(
  event: GuestMailEvent,
  deps: GuestMailDeps,
): Promise<{ address: string; details: BookingDetails } | undefined> {
  const { booking } = event.detail.data;
  const lookup = await deps.privateRecords.detailsFor(booking.bookingId, booking.revision, event.carried);
  return lookup.found ? { address: lookup.details.renter.email, details: lookup.details } : undefined;
}

export function mailFor(
  request: MailRequest,
  settings: MailSettings,
  details?: Pick<BookingDetails, 'specialRequests'>,
): Mail {
  const options = {
    link: guestPageLink(request.booking.bookingId, settings.siteDomain),
    ...(details?.specialRequests !== undefined ? { note: details.specialRequests } : {}),
  };
  switch (request.kind) {
    case 'confirmation':
      return confirmationMail(request.booking, options);
    case 'change':
      return changeMail(request.booking, request.changes ?? [], options);
    case 'cancellation':
      return cancellationMail(request.booking, options);
  }
}

export async function mailGuestFor(event: GuestMailEvent, deps: GuestMailDeps): Promise<MailOutcome> {
  const { data } = event.detail;
  const { booking } = data;
  const kind = kindOf[event.detailType];
  const key: MailKey = { bookingId: booking.bookingId, kind, revision: booking.revision };
  const request: MailRequest = { kind, booking, ...('changes' in data ? { changes: data.changes } : {}) };
  const now = deps.now?.() ?? Date.now();
  const log = { kind, revision: booking.revision };

  const decision = decideMail(request, await deps.records.of(booking.bookingId), now);
  const noMail = (reason: string) => {
    deps.logger.info('no mail to the renter', { ...log, outcome: 'skipped', reason });
    return 'skipped' as const;
  };
  // A mail already settled (every replay) needs nothing else: the private record is not read.
  if (!decision.send && !decision.record) return noMail(decision.reason);
  // A forgotten booking is skipped, and nothing is recorded for it.
  const renter = await renterAddressOf(event, deps);
  if (!renter) {
    deps.logger.info(FORGOTTEN_SKIP, { ...log, outcome: 'skipped' });
    return 'skipped';
  }
  if (!decision.send) {
    await deps.records.skip(key, decision.reason);
    return noMail(decision.reason);
  }

  const { address } = renter;
  // Rendered before the claim: a booking the mail cannot be written for fails without holding a claim.
  const mail = mailFor(request, deps.settings, renter.details);
  const claimId = await deps.records.claim(key, now);
  if (!claimId) {
    const current = (await deps.records.of(booking.bookingId)).find(
      (r) => r.kind === kind && r.revision === booking.revision,
    );
    if (current && current.state !== 'sending') {
      deps.logger.info('mail settled by a concurrent delivery', { ...log, outcome: 'skipped', state: current.state });
      return 'skipped';
    }
    throw new MailInFlight(key);
  }

  let messageId: string;
  try {
    messageId = await sendMail(deps.ses, deps.settings, { to: address, mail, kind, bookingId: booking.bookingId });
  } catch (error) {
    const refusal = refusalOf(error, address);
    if (!refusal) {
      await deps.records.release(key, claimId).catch((releaseError: unknown) =>
        deps.logger.error('could not release the mail claim; the retry takes it over after the lease', {
          ...log,
          error: (releaseError as Error).message,
        }),
      );
      throw error;
    }
    await deps.records.settle(key, claimId, { state: 'refused', refusal });
    deps.logger.warn("SES refused the renter's address: recorded on the booking, not retried", {
      ...log,
      outcome: 'refused',
      sesError: refusal.code,
    });
    return 'refused';
  }
  await deps.records.settle(key, claimId, { state: 'sent', messageId });
  deps.logger.info('mail sent to the renter', { ...log, outcome: 'sent', messageId });
  return 'sent';
}

/** What guest-mail notes about one event: the booking, the step, and the ids that tie the chain together. */
export interface GuestMailNote {
  bookingId: string;
  revision: number;
  detailType: DetailType;
  eventId: string;
  correlationId: string;
  causationId: string;
  occurredAt: string;
  replayed: boolean;
}

export function guestMailNote<T extends DetailType>(event: ConsumedEvent<T>): GuestMailNote {
  const { metadata, data } = event.detail;
  return {
    bookingId: metadata.bookingId,
    revision: data.booking.revision,
    detailType: event.detailType,
    eventId: event.id,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    occurredAt: metadata.occurredAt,
    replayed: event.replayName !== undefined,
  };
}
