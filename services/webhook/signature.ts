import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/**
 * Standard Webhooks verification through the `standardwebhooks` package (HMAC-SHA256 over id.timestamp.body,
 * constant-time compare, 5-minute tolerance both ways, several space-separated signatures in the header).
 */

/**
 * The secret's value in Secrets Manager holds one `whsec_...` secret, or several separated by whitespace while
 * a rotation is under way (the old one stays active until Boatsetter signs with the new one).
 */
export function parseSecrets(value: string): string[] {
  const secrets = value.split(/\s+/).filter(Boolean);
  if (secrets.length === 0) throw new Error('the webhook secret is empty');
  return secrets;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * The spec's timestamp is an integer of seconds. The package reads it with parseInt and signs the number it
 * read, so "<now>abc" or "<now>.9" would verify as "<now>": one signed delivery could travel under many
 * timestamp headers. Only the plain decimal form is let through (digits, no leading zero), so a signature
 * stands for exactly one header value.
 */
const SECONDS = /^(?:0|[1-9][0-9]*)$/;

export function verifySignature(
  rawBody: string,
  headers: Record<string, string | undefined>,
  secrets: readonly string[],
): SignatureCheck {
  const signed = {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  };
  if (signed['webhook-timestamp'] !== '' && !SECONDS.test(signed['webhook-timestamp'])) {
    return { ok: false, reason: 'webhook-timestamp is not an integer of seconds' };
  }
  let reason = 'no matching signature';
  for (const secret of secrets) {
    try {
      // jsonParse: false, so a genuine but malformed body is our 400, not an exception from the verifier.
      new Webhook(secret).verify(rawBody, signed, { jsonParse: false });
      return { ok: true };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      reason = error.message;
    }
  }
  return { ok: false, reason };
}
