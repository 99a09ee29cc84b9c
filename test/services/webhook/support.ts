import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { region, secretNames } from '../../../shared/config';
import { parseSecrets } from '../../../services/webhook/signature';
import { startStack } from '../../../local/charterflow/stack';
import { openBusTap } from '../../../cli/bus-tap';
import { lambdaContext as localLambdaContext } from '../../../local/lambda';
import { httpApiEvent } from '../../../local/charterflow/webhook-route';
import { deployedNames } from '../../../shared/declaration';
import { declaration } from '../../../services/webhook/declaration';

/**
 * The local stack with a tap on the bus: a catch-all rule for the webhook's events with an SQS target, so a
 * test sees what really crossed the bus (never a spy on the publisher).
 */

export interface BusEvent {
  id: string;
  'detail-type': string;
  source: string;
  detail: { metadata: Record<string, string>; data: { booking: { bookingId: string; revision: number } } };
}

export type WebhookStack = Awaited<ReturnType<typeof startWebhookStack>>;

export const uniqueBookingId = (prefix = 'T') =>
  (prefix + randomBytes(8).toString('hex').toUpperCase()).replace(/[^A-Z0-9]/g, '').slice(0, 12);

export async function startWebhookStack() {
  const stack = await startStack({
    ephemeral: true,
    ports: { aws: 0, webhook: 0, guestSite: 0 },
    consumers: false,
    standIns: false,
  } as Parameters<typeof startStack>[0]);
  Object.assign(process.env, stack.env);
  const clientConfig = { region: region(), endpoint: stack.endpoints.aws };
  const sqs = new SQSClient(clientConfig);
  const eventBridge = new EventBridgeClient(clientConfig);

  const tap = await openBusTap(eventBridge, sqs, {
    name: `webhook-tap-${randomBytes(4).toString('hex')}`,
    pattern: { source: ['charterflow.webhook'] },
  });

  const seen: BusEvent[] = [];
  /** Every webhook event that crossed the bus so far (waits until the bus has delivered all). */
  async function busEvents(): Promise<BusEvent[]> {
    await stack.eventBridge.idle();
    seen.push(...((await tap.drain()) as unknown as BusEvent[]));
    return [...seen];
  }
  const eventsOf = async (bookingId: string) =>
    (await busEvents()).filter((e) => e.detail.metadata.bookingId === bookingId);

  const secretValue = async () =>
    (
      await new SecretsManagerClient(clientConfig).send(
        new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }),
      )
    ).SecretString!;
  const secret = parseSecrets(await secretValue())[0]!;

  const webhookUrl = stack.endpoints.webhook.endsWith('/webhooks/boatsetter')
    ? stack.endpoints.webhook
    : `${stack.endpoints.webhook.replace(/\/$/, '')}/webhooks/boatsetter`;

  async function post(delivery: { headers: Record<string, string>; body: string | Buffer }) {
    const response = await fetch(webhookUrl, { method: 'POST', headers: delivery.headers, body: delivery.body });
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  }

  return { stack, clientConfig, secret, webhookUrl, post, busEvents, eventsOf, stop: () => stack.stop() };
}

/** The event API Gateway (HTTP API, payload 2.0) gives the handler for a delivery, for in-process calls. */
export function httpApiEventOf(
  delivery: { headers: Record<string, string>; body: string },
  opts: { base64?: boolean } = {},
) {
  const url = new URL(declaration.route.path, 'http://127.0.0.1');
  return httpApiEvent(
    { method: 'POST', url, headers: delivery.headers, body: Buffer.from(delivery.body), base64: opts.base64 },
    declaration,
  );
}

export const lambdaContext = () => localLambdaContext(deployedNames('webhook').functionName);
