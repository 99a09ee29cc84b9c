import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Keys whose values never reach a log line, wherever they sit in the logged object: secrets, signatures,
 * tokens, and a guest's email or phone. Powertools Logger serialises through this replacer.
 */
const REDACTED_KEYS = new Set(
  [
    'email',
    'phone',
    'renter',
    'secret',
    'signature',
    'webhook-signature',
    'authorization',
    'token',
    'password',
    'servicekey',
    'x-service-key',
    'x-dashboard-token',
    'dashboardtoken',
    'magiclinktoken',
    'secretstring',
  ].map((k) => k.toLowerCase()),
);

export function isRedactedKey(key: string): boolean {
  return REDACTED_KEYS.has(key.toLowerCase());
}

function redact(key: string, value: unknown): unknown {
  if (key && isRedactedKey(key)) return '[redacted]';
  return value;
}

export type { Logger };

export function createLogger(serviceName: string): Logger {
  return new Logger({
    serviceName: `charterflow.${serviceName}`,
    jsonReplacerFn: redact as (key: string, value: unknown) => unknown,
  });
}
