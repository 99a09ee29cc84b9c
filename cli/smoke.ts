import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { documentClient, secretsManagerClient, sqsClient } from '../shared/aws';
import { secretNames } from '../shared/config';
import { MAIL_SIMULATOR } from '../shared/shadow';
import { signedDelivery } from '../shared/signed-delivery';
import { bookingRevisionAs } from '../samples';
import {
  applyTarget,
  declaredConsumers,
  parseCommandArgs,
  parseDuration,
  processIo,
  targetHelp,
  targetOptions,
  type Io,
} from './args';
import { forgetBooking } from './forget';
import { bookingStatus, type BookingStatus, type StatusReader } from './operator/status';
import { DEFAULT_WEBHOOK_URL } from './send-sample';
import { UsageError } from './usage-error';

export const smokeHelp = `Usage: npx charterflow smoke [--local | --stage NAME] [--webhook-url URL] [--timeout 60s]

Checks a deployed chain end to end with a synthetic booking, after a deploy: signs a booking with the smoke key
(secret ${secretNames.smokeSigningKey}, read with your credentials; never Boatsetter's secret), posts it to the
stage's webhook, follows it with the status logic until every step has acted, then sends its cancellation and
follows that, then forgets it. A synthetic booking reaches no person: no JADA entry, no SCC event (so no crew
invitation), no public page; its mail goes to SES's mailbox simulator (${MAIL_SIMULATOR}).
Exits 0 when all of that held; 1 when a step did not, naming it ("scrub did not act within 60 s").
  --webhook-url URL  the stage's webhook (its HttpApiUrl + /webhooks/boatsetter; default ${DEFAULT_WEBHOOK_URL}
                     with --local, needed with --stage)
  --timeout DUR      how long each step may take (default 60s)
${targetHelp}`;

export interface SmokeOptions {
  webhookUrl: string;
  timeoutMs: number;
  stage?: string;
  local: boolean;
}

export function parseSmokeArgs(argv: string[]): SmokeOptions | 'help' {
  const { values } = parseCommandArgs(argv, {
    ...targetOptions,
    'webhook-url': { type: 'string' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return 'help';
  const toStage = values.stage !== undefined && !values.local;
  if (toStage && values['webhook-url'] === undefined)
    throw new UsageError(`--webhook-url is needed with --stage ${values.stage}: the stage's webhook URL`);
  const webhookUrl = values['webhook-url'] ?? DEFAULT_WEBHOOK_URL;
  try {
    new URL(webhookUrl);
  } catch {
    throw new UsageError(`--webhook-url ${webhookUrl}: not a URL`);
  }
  const timeoutMs = values.timeout === undefined ? 60_000 : parseDuration(values.timeout);
  if (timeoutMs === undefined)
    throw new UsageError(`--timeout must be a duration such as 60s, got "${values.timeout}"`);
  return {
    webhookUrl,
    timeoutMs,
    ...(values.stage !== undefined ? { stage: values.stage } : {}),
    local: !toStage,
  };
}

/** A smoke step that did not hold: its words say which, for the operator and the exit line. */
export class SmokeStepFailed extends Error {
  override readonly name = 'SmokeStepFailed';
}

/** A synthetic booking id: the webhook takes the smoke key's signature for no other. */
// Boatsetter ids are 6 to 12 capitals and digits: SMOKE and 7 random hex digits.
export const smokeBookingId = () => `SMOKE${randomBytes(4).toString('hex').toUpperCase().slice(0, 7)}`;

export interface SmokeHooks {
  io?: Io;
  /** Between two looks at the booking's status. */
  pollMs?: number;
}

/** The command as cli/main.ts runs it. */
export async function runSmoke(argv: string[], hooks: SmokeHooks = {}): Promise<number> {
  const io = hooks.io ?? processIo();
  const options = parseSmokeArgs(argv);
  if (options === 'help') {
    io.out(smokeHelp);
    return 0;
  }
  io.err(applyTarget(options));
  const documents = documentClient();
  const sqs = sqsClient();
  const secrets = secretsManagerClient();
  const bookingId = smokeBookingId();
  const reader: StatusReader = {
    documents,
    sqs,
    consumers: await declaredConsumers(),
    stuckAfterMs: options.timeoutMs,
  };
  const poll = hooks.pollMs ?? 500;
  let sent = false;
  try {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.smokeSigningKey }));
    const key = SecretString?.trim();
    if (!key) throw new SmokeStepFailed(`the smoke key ${secretNames.smokeSigningKey} has no value`);
    io.out(`smoke: synthetic booking ${bookingId} through ${options.webhookUrl}`);

    const post = async (revision: number, type: 'booking.confirmed' | 'booking.cancelled') => {
      const payload = bookingRevisionAs(bookingId, revision, type, (d) => {
        // Belt and braces: even the renter's address on it reaches no one.
        d.renter.email = MAIL_SIMULATOR;
      });
      const delivery = signedDelivery(payload, key, { format: 'raw' });
      const response = await fetch(options.webhookUrl, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      }).catch((error: unknown) => {
        throw new SmokeStepFailed(`the webhook could not be reached (${(error as Error).message})`);
      });
      const body = await response.text();
      if (response.status !== 202)
        throw new SmokeStepFailed(`the webhook answered ${response.status} to the ${type}: ${body.slice(0, 300)}`);
      sent = true;
      io.out(`  ok  webhook accepted the ${type} (revision ${revision})`);
    };

    await post(1, 'booking.confirmed');
    await follow(reader, bookingId, 1, 'complete', options.timeoutMs, poll, io);
    await post(2, 'booking.cancelled');
    await follow(reader, bookingId, 2, 'cancelled', options.timeoutMs, poll, io);

    const report = await forgetBooking(documents, bookingId);
    if (report.stillHolding.length > 0) {
      throw new SmokeStepFailed(
        `forget left personal data in ${report.stillHolding.map((h) => `${h.table} ${h.sk}`).join(', ')}`,
      );
    }
    io.out(`  ok  forgotten: ${report.privateRevisions} private record(s) erased`);
    io.out(`smoke passed: booking ${bookingId} went through every step, was cancelled and forgotten`);
    return 0;
  } catch (error) {
    if (!(error instanceof SmokeStepFailed)) throw error;
    io.err(`smoke FAILED: ${error.message}`);
    // Still forget what was sent: a failed smoke leaves no personal data behind either.
    if (sent) await forgetBooking(documents, bookingId).catch(() => undefined);
    return 1;
  } finally {
    documents.destroy();
    sqs.destroy();
    secrets.destroy();
  }
}

/** Looks at the booking's status until every step holds `revision` (state `want`), or names the step that did not. */
async function follow(
  reader: StatusReader,
  bookingId: string,
  revision: number,
  want: BookingStatus['state'],
  timeoutMs: number,
  pollMs: number,
  io: Pick<Io, 'out'>,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let status: BookingStatus | undefined;
  for (;;) {
    status = await bookingStatus(reader, bookingId, { force: true });
    if (status?.revision === revision && status.state === want) {
      io.out(`  ok  every step acted on revision ${revision} (${want})`);
      return;
    }
    const failed = status?.steps.find((s) => s.state === 'failed');
    if (failed || (status?.deadLetters ?? 0) > 0) {
      const where = failed?.label ?? status?.stuckAt?.join(', ') ?? 'a consumer';
      const error = status?.lastError ? `: ${status.lastError.errorMessage ?? status.lastError.errorCode ?? ''}` : '';
      throw new SmokeStepFailed(`${where} failed on revision ${revision} (dead-lettered${error})`);
    }
    if (Date.now() >= until) {
      const waiting = status?.steps.find(
        (s) => s.state === 'pending' || (s.state === 'done' && s.holdsRevision !== revision),
      );
      throw new SmokeStepFailed(
        `${waiting?.label ?? 'the booking'} did not act on revision ${revision} within ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    await sleep(pollMs);
  }
}
