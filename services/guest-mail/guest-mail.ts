import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { ConsumedEvent } from '../../shared/consumer';
import type { DetailType } from '../../shared/contract/events';
import type { BookingDetails } from '../../shared/contract/booking-details';
import type { Logger } from '../../shared/logger';
import { FORGOTTEN_SKIP, type PrivateRecords } from '../../shared/private-records';
import {
  claimEndsAt,
  keyOf,
  mailKeyOf,
  type MailKey,
  type MailRecord,
  type MailRecords,
  type RecordedRequest,
} from './mail-records';
import { cancellationMail, changeMail, confirmationMail, guestPageLink, type Mail, type MailKind } from './mails';
import { aheadOf, decideMail, isKey, requestOf, type MailDecision, type MailRequest } from './rules';
import { refusalOf, sendMail, type MailSettings } from './send';
import { tripEndMs } from '../../shared/trip';

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
  /** The Lambda invocation running this: its request id and its deadline (from the context). */
  invocation?: Invocation;
  /** The first wait of a run for another mail of the booking before it looks again (the waits grow to a second). */
  pollMs?: number;
}

export interface Invocation {
  /** Lambda's request id: the same across Lambda's retries of one asynchronous invocation. */
  requestId: string;
  /** Epoch ms at which Lambda stops the invocation: now plus context.getRemainingTimeInMillis(). */
  deadline: number;
}

/**
 * The function's timeout (serverless.yml provider.timeout): the deadline of a run given no Lambda context.
 * A claim ends by then: before Lambda's first retry of a failed invocation (about a minute later in AWS), and
 * the retry, under the same request id, takes it over at once anyway (the local stack retries within seconds).
 * Any other delivery (a redrive, the booking's next event) waits for it inside its own invocation, which ends
 * later than the claim does, so an event is not dead-lettered while a retry could still succeed.
 */
export const FUNCTION_TIMEOUT_MS = 29_000;
/** Two invocations' clocks may differ this much: a claim is taken to last this much past its deadline. */
const CLOCK_MARGIN_MS = 1_000;
/** What a run keeps in hand to claim, send and settle: less than this left, and it fails to be retried. */
const SEND_RESERVE_MS = 5_000;
const POLL_MS = 50;
const MAX_POLL_MS = 1_000;

export type MailOutcome = 'sent' | 'refused' | 'skipped' | 'waiting';

/**
 * Another mail of the booking is being sent by an invocation that runs past this one's time: fail, so the
 * retry finds it settled (or its claim ended, to be finished).
 */
export class MailInFlight extends Error {
  override readonly name = 'MailInFlight';
  constructor(
    readonly key: MailKey,
    options?: ErrorOptions,
  ) {
    super(
      `booking ${key.bookingId}: the ${key.kind} mail of revision ${key.revision} is being sent by another delivery; this event will be retried`,
      options,
    );
  }
}

/**
 * Where the renter's address (and their own note, which the mail repeats to them) comes from: the booking's
 * private record for that revision, or what an event of contract major 1 carried. None once the booking was
 * forgotten.
 */
async function renterOf(bookingId: string, revision: number, carried: BookingDetails | undefined, deps: GuestMailDeps) {
  const lookup = await deps.privateRecords.detailsFor(bookingId, revision, carried);
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

export const contentSha256 = (mail: Mail) =>
  createHash('sha256').update(`${mail.subject}\n${mail.text}\n${mail.html}`).digest('hex');

/**
 * The renter's mail for one event. Each round reads the booking's mail records (one query) and first deals
 * with what comes before this event's mail: waits for a mail another invocation is sending, finishes a recorded
 * mail whose invocation ended, sends a cancellation that waited for its confirmation; then decides this event's
 * mail, records the decision and acts on it. A replay of a settled mail costs the one query.
 */
export async function mailGuestFor(event: GuestMailEvent, deps: GuestMailDeps): Promise<MailOutcome> {
  const { data } = event.detail;
  const { booking } = data;
  const kind = kindOf[event.detailType];
  const key: MailKey = { bookingId: booking.bookingId, kind, revision: booking.revision };
  const request: MailRequest = { kind, booking, ...('changes' in data ? { changes: data.changes } : {}) };
  const invocation = deps.invocation ?? { requestId: randomUUID(), deadline: Date.now() + FUNCTION_TIMEOUT_MS };
  const clock = () => deps.now?.() ?? Date.now();
  let outcome: MailOutcome | undefined;
  let waited: Waiting | undefined;
  // A booking's first page, live, is most likely its first mail: decided as if none were recorded, which the
  // claim's own write holds true (it needs the booking's decisions unversioned, that is none at all) or
  // refuses as raced, and the next look reads them. A replay is most likely done: it reads first.
  let firstMail = kind === 'confirmation' && booking.revision === 1 && event.replayName === undefined;

  for (;;) {
    if (invocation.deadline - Date.now() < SEND_RESERVE_MS) throw new MailInFlight(waited?.key ?? key);
    const { records, version } = firstMail
      ? { records: [] as MailRecord[], version: 0 }
      : await deps.records.read(booking.bookingId);
    firstMail = false;
    const own = records.find((r) => isKey(r, key));
    const ahead = aheadOf(key, records, clock(), invocation.requestId, CLOCK_MARGIN_MS);
    const done = outcome !== undefined || (own !== undefined && own.state !== 'sending' && own.state !== 'waiting');

    if (ahead && 'wait' in ahead) {
      // Whoever holds that claim goes on with the booking's mails after it: this one's is done.
      if (done) return outcome ?? alreadyDone(own!, deps);
      waited = await pause(ahead.wait, waited, invocation, deps);
      continue;
    }
    const next = ahead && ('finish' in ahead ? ahead.finish : ahead.decide);
    if (next) {
      const mine = isKey(next, key);
      const result = await actOn(
        keyOf(next),
        { prior: next, version, records, request: next.request ? requestOf(next) : request },
        mine ? event.carried : undefined,
        invocation,
        deps,
      );
      if (mine && result !== 'raced') outcome = result;
      continue;
    }
    if (done) return outcome ?? alreadyDone(own!, deps);
    if (own?.state === 'waiting') {
      deps.logger.info('the cancellation waits for the confirmation; it goes out right after it', {
        kind,
        revision: key.revision,
        outcome: 'waiting',
      });
      return 'waiting';
    }
    const result = await actOn(key, { prior: undefined, version, records, request }, event.carried, invocation, deps);
    if (result === 'raced') continue;
    // A mail that waits for this one was in the records read: one written later would have moved the version
    // (and lost this decision), or met this claim and waited for it. None: the booking's mails are done.
    if (!records.some((r) => r.state === 'waiting' && !isKey(r, key))) return result;
    outcome = result;
  }
}

function alreadyDone(own: MailRecord, deps: GuestMailDeps): MailOutcome {
  deps.logger.info('no mail to the renter', {
    kind: own.kind,
    revision: own.revision,
    outcome: 'skipped',
    reason: `already ${own.state}`,
  });
  return 'skipped';
}

interface Waiting {
  key: MailKey;
  polls: number;
}

/**
 * Waits a poll for a live claim, or fails (to be retried) when this invocation has no time left to wait. The
 * polls grow to a second: a claim usually settles in milliseconds, and one a crash left lasts its deadline.
 */
async function pause(claim: MailRecord, waited: Waiting | undefined, invocation: Invocation, deps: GuestMailDeps) {
  const key = keyOf(claim);
  const same = waited && waited.key.kind === key.kind && waited.key.revision === key.revision;
  const polls = same ? waited.polls + 1 : 0;
  const pollMs = Math.min(MAX_POLL_MS, (deps.pollMs ?? POLL_MS) * 2 ** Math.min(polls, 10));
  if (invocation.deadline - Date.now() - pollMs < SEND_RESERVE_MS) throw new MailInFlight(key);
  if (!same) {
    deps.logger.info('another mail of the booking is being sent; this one follows it', {
      kind: key.kind,
      revision: key.revision,
      claimEndsAt: new Date(claimEndsAt(claim)).toISOString(),
    });
  }
  await sleep(pollMs);
  return { key, polls };
}

interface Basis {
  /** The mail's record as read: none, waiting, or a claim that ended. */
  prior: MailRecord | undefined;
  version: number;
  records: readonly MailRecord[];
  request: MailRequest;
}

/**
 * Decides one mail and acts on it: records the decision at the version read ('raced' when another run
 * decided first), then for a send, calls SES and settles. A claim that ended is finished as it was decided.
 */
async function actOn(
  key: MailKey,
  { prior, version, records, request }: Basis,
  carried: BookingDetails | undefined,
  invocation: Invocation,
  deps: GuestMailDeps,
): Promise<MailOutcome | 'raced'> {
  const now = deps.now?.() ?? Date.now();
  const log = { kind: key.kind, revision: key.revision };
  const decision: MailDecision =
    prior?.state === 'sending'
      ? tripEndMs(request.booking.trip) <= now
        ? { send: false, reason: 'the trip is over', record: true }
        : { send: true }
      : decideMail(request, records, now);
  if (prior?.state === 'sending') deps.logger.info('finishing a mail whose invocation ended before it settled', log);
  const noMail = (reason: string) => {
    deps.logger.info('no mail to the renter', { ...log, outcome: 'skipped', reason });
    return 'skipped' as const;
  };
  // Nothing to keep, and nothing recorded to end: the private record is not read.
  if (!decision.send && !('waitFor' in decision) && !decision.record && !prior) return noMail(decision.reason);

  const renter = await renterOf(key.bookingId, key.revision, carried, deps);
  if (!renter) {
    // A forgotten booking gets no mail, and nothing is recorded for it unless a decision must be ended.
    deps.logger.info(FORGOTTEN_SKIP, { ...log, outcome: 'skipped' });
    if (prior && !(await deps.records.decide(key, version, prior, { state: 'skipped', reason: FORGOTTEN_SKIP })))
      return 'raced';
    return 'skipped';
  }
  const recorded = recordedRequestOf(request);
  if ('waitFor' in decision) {
    if (prior?.state === 'waiting') return 'waiting';
    if (!(await deps.records.decide(key, version, prior, { state: 'waiting', request: recorded }))) return 'raced';
    deps.logger.info('the cancellation waits for the confirmation; it goes out right after it', {
      ...log,
      outcome: 'waiting',
    });
    return 'waiting';
  }
  if (!decision.send) {
    if (!(await deps.records.decide(key, version, prior, { state: 'skipped', reason: decision.reason })))
      return 'raced';
    return noMail(decision.reason);
  }

  // Rendered before the claim: a booking the mail cannot be written for fails without holding a claim.
  const mail = mailFor(request, deps.settings, renter.details);
  const sha = contentSha256(mail);
  if (prior?.contentSha256 && prior.contentSha256 !== sha) {
    deps.logger.warn(
      'the recorded mail renders differently now (a deploy in between); it is sent as it renders now',
      log,
    );
  }
  const claimId = randomUUID();
  const claim = {
    state: 'sending' as const,
    claimId,
    // The claim ends when this invocation does: Lambda stops it at the deadline, so no sender outlives it.
    until: invocation.deadline,
    requestId: invocation.requestId,
    contentSha256: sha,
    request: recorded,
  };
  if (!(await deps.records.decide(key, version, prior, claim))) return 'raced';

  let messageId: string;
  try {
    messageId = await sendMail(deps.ses, deps.settings, {
      to: renter.address,
      mail,
      kind: key.kind,
      bookingId: key.bookingId,
      mailKey: mailKeyOf(key),
    });
  } catch (error) {
    const refusal = refusalOf(error, renter.address);
    if (!refusal) {
      await deps.records.endClaim(key, claimId).catch((endError: unknown) =>
        deps.logger.error('could not end the mail claim; the retry finishes the mail after its deadline', {
          ...log,
          error: (endError as Error).message,
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
  // A crash here, after SES took the mail and before it is recorded, makes the retry send it once more: SES has
  // no idempotency key, and a lost mail (the trip page, the meeting time) costs the renter more than a second copy.
  await deps.records.settle(key, claimId, { state: 'sent', messageId });
  deps.logger.info('mail sent to the renter', { ...log, outcome: 'sent', messageId });
  return 'sent';
}

/** The request as it is kept on the record: what the event carried, without undefined fields DynamoDB refuses. */
const recordedRequestOf = (request: MailRequest): RecordedRequest =>
  JSON.parse(JSON.stringify({ booking: request.booking, ...(request.changes ? { changes: request.changes } : {}) }));

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
