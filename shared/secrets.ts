import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface SecretCacheOptions {
  /** How long a value read from Secrets Manager is trusted; a rotation takes effect within this time. */
  ttlMs?: number;
  /** The clock, for tests of expiry. */
  now?: () => number;
}

export interface SecretReadOptions {
  /** Read again if the cached value is older than this, even within the TTL (e.g. after a failed check). */
  maxAgeMs?: number;
}

export class SecretNotFound extends Error {
  override readonly name = 'SecretNotFound';
  constructor(
    readonly secretName: string,
    reason: string,
  ) {
    super(`secret ${secretName} cannot be used: ${reason}`);
  }
}

interface Entry {
  value: Promise<string>;
  readAt: number;
}

export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;

/**
 * Secrets Manager values cached per name with a TTL, so a warm Lambda does not call Secrets Manager on every
 * request, yet a rotated secret is picked up without a redeploy. Concurrent reads of a cold name share one
 * call; a failed read is not cached. Own code rather than @aws-lambda-powertools/parameters' getSecret, which
 * offers a TTL (maxAge) and an unconditional re-read (forceFetch) but not "re-read only if the cached copy is
 * older than N": the webhook re-reads a secret after a failed signature only when its copy is over 30 s old, so
 * a flood of forged requests never becomes a flood of Secrets Manager calls. Keeping that rule on top of
 * getSecret would need this same bookkeeping of read times, so the package would add weight and no code less.
 */
export class SecretCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: SecretsManagerClient,
    opts: SecretCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_SECRET_TTL_MS;
    this.now = opts.now ?? Date.now;
  }

  get(name: string, opts: SecretReadOptions = {}): Promise<string> {
    const entry = this.entries.get(name);
    const maxAge = Math.min(this.ttlMs, opts.maxAgeMs ?? Infinity);
    if (entry && this.now() - entry.readAt < maxAge) return entry.value;
    const fresh: Entry = { value: this.read(name), readAt: this.now() };
    this.entries.set(name, fresh);
    fresh.value.catch(() => {
      if (this.entries.get(name) === fresh) this.entries.delete(name);
    });
    return fresh.value;
  }

  async getJson<T>(name: string, opts: SecretReadOptions = {}): Promise<T> {
    const value = await this.get(name, opts);
    try {
      return JSON.parse(value) as T;
    } catch {
      throw new SecretNotFound(name, 'its value is not JSON');
    }
  }

  invalidate(name: string): void {
    this.entries.delete(name);
  }

  private async read(name: string): Promise<string> {
    const result = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
    if (typeof result.SecretString !== 'string' || result.SecretString === '') {
      throw new SecretNotFound(name, 'it has no SecretString');
    }
    return result.SecretString;
  }
}
