/**
 * Wrong arguments: cli/main.ts prints the message as one line and exits 2. On its own so the commands throw it
 * without importing the dispatcher that loads them.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
