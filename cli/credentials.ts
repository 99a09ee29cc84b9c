/**
 * The SDK's "Could not load credentials from any providers", said as what to do. On its own so cli/main.ts
 * recognises it without loading the commands' dependencies.
 */

/** Whether the error, or one it was caused by, is the SDK finding no credentials. */
export function isMissingCredentials(error: unknown): boolean {
  for (let e = error as { name?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.name === 'CredentialsProviderError' || /^Could not load credentials/.test(e.message ?? '')) return true;
  }
  return false;
}

export const missingCredentialsHelp =
  'no AWS credentials: use --local for the local stack (npm start), or set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) for a deployed stage';
