import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { webhookTypes, type BoatsetterWebhookType } from '../shared/contract/boatsetter';
import { secretsManagerClient } from '../shared/aws';
import { secretNames } from '../shared/config';
import { signedDelivery } from '../shared/signed-delivery';
import { parseSecrets } from '../services/webhook/signature';
import { bookingCancelled, bookingConfirmed, bookingModified } from '../samples';
import { applyTarget, parseBookingId, parseCommandArgs, processIo, targetHelp, targetOptions, type Io } from './args';
import { freshBookingId } from './booking-id';
import { UsageError } from './usage-error';

export const DEFAULT_WEBHOOK_URL = 'http://127.0.0.1:3000/webhooks/boatsetter';
const DEFAULT_AWS_ENDPOINT = 'http://127.0.0.1:4566';

const samples = {
  'booking.confirmed': bookingConfirmed,
  'booking.modified': bookingModified,
  'booking.cancelled': bookingCancelled,
} satisfies Record<BoatsetterWebhookType, unknown>;

export const sendSampleHelp = `Usage: npx charterflow send-sample [--booking XHQGMDH] [--type booking.confirmed] [--url ${DEFAULT_WEBHOOK_URL}] [--local | --stage NAME]

Signs the sample Boatsetter payload of that type with the webhook secret read from the stack's Secrets Manager,
with a fresh webhook-id and timestamp, posts it and prints the response. Types: ${webhookTypes.join(', ')}.
  --booking ID    the booking id to send (default: a fresh one each run, so a restarted stack runs the chain)
  --type TYPE     the webhook type (default booking.confirmed)
  --url URL       the webhook (default ${DEFAULT_WEBHOOK_URL}; needed with --stage)
${targetHelp}
Without --stage, the local stack is the target (AWS_ENDPOINT_URL, default ${DEFAULT_AWS_ENDPOINT}).`;

export interface SendSampleOptions {
  bookingId: string;
  type: BoatsetterWebhookType;
  url: string;
  stage?: string;
  local: boolean;
}

export function parseSendSampleArgs(argv: string[], newBookingId = freshBookingId): SendSampleOptions | 'help' {
  const { values } = parseCommandArgs(argv, {
    ...targetOptions,
    booking: { type: 'string' },
    type: { type: 'string', default: 'booking.confirmed' },
    url: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return 'help';
  const bookingId = values.booking === undefined ? newBookingId() : parseBookingId(values.booking, '--booking');
  if (!(webhookTypes as readonly string[]).includes(values.type)) {
    throw new UsageError(`--type ${values.type}: must be one of ${webhookTypes.join(', ')}`);
  }
  const toStage = values.stage !== undefined && !values.local;
  if (toStage && values.url === undefined)
    throw new UsageError(`--url is needed with --stage ${values.stage}: the stage's webhook URL (its HttpApiUrl)`);
  const url = values.url ?? DEFAULT_WEBHOOK_URL;
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url ${url}: not a URL`);
  }
  return {
    bookingId,
    type: values.type as BoatsetterWebhookType,
    url,
    ...(values.stage !== undefined ? { stage: values.stage } : {}),
    local: !toStage,
  };
}

export async function readWebhookSecret(client?: SecretsManagerClient): Promise<string> {
  const secrets = client ?? secretsManagerClient();
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  if (!SecretString) throw new Error(`secret ${secretNames.webhookSecret} has no value`);
  return parseSecrets(SecretString)[0]!;
}

export async function sendSample(options: SendSampleOptions, secret?: string) {
  const payload = samples[options.type]();
  payload.data.booking_id = options.bookingId;
  const delivery = signedDelivery(payload, secret ?? (await readWebhookSecret()));
  const response = await fetch(options.url, { method: 'POST', headers: delivery.headers, body: delivery.body });
  return { status: response.status, body: await response.text(), webhookId: delivery.headers['webhook-id']! };
}

/** The command as cli/main.ts runs it (a UsageError becomes a one-line reason and exit 2 there). */
export async function runSendSample(
  argv: string[],
  output: Io | ((line: string) => void) = processIo(),
): Promise<number> {
  const io: Pick<Io, 'out' | 'err'> =
    typeof output === 'function' ? { out: output, err: (line) => process.stderr.write(`${line}\n`) } : output;
  const out = io.out;
  const options = parseSendSampleArgs(argv);
  if (options === 'help') {
    out(sendSampleHelp);
    return 0;
  }
  io.err(applyTarget(options));
  let result: Awaited<ReturnType<typeof sendSample>>;
  try {
    result = await sendSample(options);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    const hint = options.local
      ? 'is the local stack running (npm start)?'
      : `is ${options.url} the webhook of that stage?`;
    throw new Error(`could not send the sample (${cause}); ${hint}`, { cause: error });
  }
  out(`POST ${options.url} (${options.type}, booking ${options.bookingId}, webhook-id ${result.webhookId})`);
  out(`${result.status} ${result.body}`);
  return result.status >= 200 && result.status < 300 ? 0 : 1;
}
