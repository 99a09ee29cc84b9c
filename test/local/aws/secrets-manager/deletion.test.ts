import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalSecretsManager } from '../../../../local/aws/secrets-manager';

/** What no client can wait for: a recovery window running out (days, so the clock is moved). */
describe('Secrets Manager deletion', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a secret scheduled for deletion is gone once its DeletionDate passes, and its name is free again', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-04T17:00:00Z') });
    const secrets = new LocalSecretsManager({ region: 'us-west-2' });
    const Name = 'charterflow/scc/service-key';
    await secrets.handle('CreateSecret', { Name, SecretString: 'key' });
    await secrets.handle('DeleteSecret', { SecretId: Name, RecoveryWindowInDays: 7 });

    vi.setSystemTime(new Date('2026-12-11T16:59:00Z'));
    await expect(secrets.handle('RestoreSecret', { SecretId: Name })).resolves.toMatchObject({ Name });
    await secrets.handle('DeleteSecret', { SecretId: Name, RecoveryWindowInDays: 7 });

    vi.setSystemTime(new Date('2026-12-18T17:00:00Z'));
    await expect(secrets.handle('DescribeSecret', { SecretId: Name })).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
    await expect(secrets.handle('CreateSecret', { Name, SecretString: 'new key' })).resolves.toMatchObject({
      Name,
    });
  });
});
