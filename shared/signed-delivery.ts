import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Signs a body the way Boatsetter does (Standard Webhooks), for the CLI's send-sample, tests, demo and bench.
 * Lives in shared/ so none of them imports test code, and no Lambda bundle includes it (no handler imports it).
 */

export interface SignedDeliveryOptions {
  webhookId?: string;
  /** Defaults to now; a stale one makes a delivery the webhook must reject. */
  timestamp?: Date;
  contentType?: string;
  /** 'raw': the secret is the key's own bytes (the smoke key), not a whsec_ base64 secret. */
  format?: 'raw';
}

export interface SignedDelivery {
  headers: Record<string, string>;
  body: string;
}

export const newWebhookId = () => `msg_${randomBytes(12).toString('base64url')}`;

/**
 * `payload` is sent as is when it is a string (so a test can sign malformed JSON), else as JSON.
 * With several secrets, the delivery carries one signature per secret, space-separated (rotation).
 */
export function signedDelivery(
  payload: unknown,
  secret: string | readonly string[],
  opts: SignedDeliveryOptions = {},
): SignedDelivery {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const webhookId = opts.webhookId ?? newWebhookId();
  const timestamp = opts.timestamp ?? new Date();
  const secrets = typeof secret === 'string' ? [secret] : secret;
  const signature = secrets
    .map((s) => new Webhook(s, opts.format ? { format: opts.format } : undefined).sign(webhookId, timestamp, body))
    .join(' ');
  return {
    headers: {
      'content-type': opts.contentType ?? 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body,
  };
}
