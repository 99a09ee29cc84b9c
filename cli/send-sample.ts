import { parseArgs } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BOOKING_ID_PATTERN, webhookTypes, type BoatsetterWebhookType } from '../shared/contract/boatsetter';
import { region, secretNames } from '../shared/config';
import { signedDelivery } from '../shared/signed-delivery';
import { parseSecrets } from '../services/webhook/signature';
import { bookingCancelled, bookingConfirmed, bookingModified } from '../samples';
import { UsageError } from './usage-error';

export const DEFAULT_WEBHOOK_URL = 'http://127.0.0.1:3000/webhooks/boatsetter';
const DEFAULT_AWS_ENDPOINT = 'http://127.0.0.1:4566';

const samples = {
  'booking.confirmed': bookingConfirmed,
  'booking.modified': bookingModified,
  'booking.cancelled': bookingCancelled,
} satisfies Record<BoatsetterWebhookType, unknown>;

export const sendSampleHelp = `Usage: npx charterflow send-sample [--booking XHQGMDH] [--type booking.confirmed] [--url ${DEFAULT_WEBHOOK_URL}]

Signs the sample Boatsetter payload of that type with the webhook secret read from the stack's Secrets Manager
(AWS_ENDPOINT_URL, default ${DEFAULT_AWS_ENDPOINT}), with a fresh webhook-id and timestamp, posts it and prints
the response. Types: ${webhookTypes.join(', ')}.`;

export interface SendSampleOptions {
  bookingId: string;
  type: BoatsetterWebhookType;
  url: string;
}

export function parseSendSampleArgs(argv: string[]): SendSampleOptions | 'help' {
  const config = {
    args: argv,
    options: {
      booking: { type: 'string', default: 'XHQGMDH' },
      type: { type: 'string', default: 'booking.confirmed' },
      url: { type: 'string', default: DEFAULT_WEBHOOK_URL },
      help: { type: 'boolean', short: 'h', default: false },
    } as const,
    strict: true as const,
    allowPositionals: false as const,
  };
  let values: ReturnType<typeof parseArgs<typeof config>>['values'];
  try {
    ({ values } = parseArgs(config));
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  if (values.help) return 'help';
  if (!BOOKING_ID_PATTERN.test(values.booking)) {
    throw new UsageError(`--booking ${values.booking}: must be 6 to 12 upper-case letters and digits`);
  }
  if (!(webhookTypes as readonly string[]).includes(values.type)) {
    throw new UsageError(`--type ${values.type}: must be one of ${webhookTypes.join(', ')}`);
  }
  try {
    new URL(values.url);
  } catch {
    throw new UsageError(`--url ${values.url}: not a URL`);
  }
  return { bookingId: values.booking, type: values.type as BoatsetterWebhookType, url: values.url };
}

export async function readWebhookSecret(client?: SecretsManagerClient): Promise<string> {
  const secrets =
    client ??
    new SecretsManagerClient({
      region: region(),
      endpoint: process.env.AWS_ENDPOINT_URL ?? DEFAULT_AWS_ENDPOINT,
      // The local stack accepts any credentials; real ones, when set, are used as they are.
      ...(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE
        ? {}
        : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    });
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
export async function runSendSample(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const options = parseSendSampleArgs(argv);
  if (options === 'help') {
    out(sendSampleHelp);
    return 0;
  }
  let result: Awaited<ReturnType<typeof sendSample>>;
  try {
    result = await sendSample(options);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`could not send the sample (${cause}); is the local stack running (npm start)?`, { cause: error });
  }
  out(`POST ${options.url} (${options.type}, booking ${options.bookingId}, webhook-id ${result.webhookId})`);
  out(`${result.status} ${result.body}`);
  return result.status >= 200 && result.status < 300 ? 0 : 1;
}
