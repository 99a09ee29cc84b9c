import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretCache } from '../../shared/secrets';
import { startStack } from '../../local/charterflow/stack';

let stack: Awaited<ReturnType<typeof startStack>>;
let client: SecretsManagerClient;
let reads = 0;

beforeAll(async () => {
  stack = await startStack({
    ephemeral: true,
    ports: { aws: 0, webhook: 0, guestSite: 0 },
    consumers: false,
    standIns: false,
  } as Parameters<typeof startStack>[0]);
  client = new SecretsManagerClient({
    region: 'us-west-2',
    endpoint: stack.endpoints.aws,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // Counts the GetSecretValue calls that really reach Secrets Manager.
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GetSecretValueCommand') reads++;
      return next(args);
    },
    { step: 'initialize', name: 'countReads' },
  );
});
afterAll(() => stack?.stop());

async function newSecret(value: string): Promise<string> {
  const name = `test/secret-${randomBytes(4).toString('hex')}`;
  await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return name;
}
const rotate = (name: string, value: string) =>
  client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));

describe('SecretCache', () => {
  it('reads a secret once and serves it from the cache within the TTL', async () => {
    const name = await newSecret('first');
    const cache = new SecretCache(client, { ttlMs: 60_000 });
    const before = reads;
    expect(await cache.get(name)).toBe('first');
    expect(await cache.get(name)).toBe('first');
    expect(reads - before).toBe(1);
  });

  it('picks up a rotated value once the TTL has passed, not before', async () => {
    let now = 1_000_000;
    const name = await newSecret('before-rotation');
    const cache = new SecretCache(client, { ttlMs: 1_000, now: () => now });
    expect(await cache.get(name)).toBe('before-rotation');
    await rotate(name, 'after-rotation');
    now += 999;
    expect(await cache.get(name)).toBe('before-rotation');
    now += 2;
    expect(await cache.get(name)).toBe('after-rotation');
  });

  it('reads again when the cached value is older than maxAgeMs, and after invalidate', async () => {
    let now = 0;
    const name = await newSecret('v1');
    const cache = new SecretCache(client, { ttlMs: 60_000, now: () => now });
    await cache.get(name);
    await rotate(name, 'v2');
    now = 5_000;
    expect(await cache.get(name, { maxAgeMs: 10_000 })).toBe('v1');
    expect(await cache.get(name, { maxAgeMs: 1_000 })).toBe('v2');
    await rotate(name, 'v3');
    cache.invalidate(name);
    expect(await cache.get(name)).toBe('v3');
  });

  it('shares one read among concurrent callers of a cold name', async () => {
    const name = await newSecret('shared');
    const cache = new SecretCache(client);
    const before = reads;
    const values = await Promise.all(Array.from({ length: 5 }, () => cache.get(name)));
    expect(values).toEqual(Array(5).fill('shared'));
    expect(reads - before).toBe(1);
  });

  it('parses JSON secrets, and names the secret when the value is not JSON', async () => {
    const name = await newSecret('{"distributionId":"E2EXAMPLE","bucket":"queenofsandiego.com"}');
    const cache = new SecretCache(client);
    expect(await cache.getJson<{ distributionId: string }>(name)).toEqual({
      distributionId: 'E2EXAMPLE',
      bucket: 'queenofsandiego.com',
    });
    const plain = await newSecret('not json');
    await expect(cache.getJson(plain)).rejects.toThrow(`secret ${plain} cannot be used: its value is not JSON`);
  });

  it('does not cache a failed read: a secret created afterwards is found', async () => {
    const name = `test/later-${randomBytes(4).toString('hex')}`;
    const cache = new SecretCache(client, { ttlMs: 60_000 });
    await expect(cache.get(name)).rejects.toThrow(/can't find/);
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'now here' }));
    expect(await cache.get(name)).toBe('now here');
  });
});
