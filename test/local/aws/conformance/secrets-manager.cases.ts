import { describe, expect } from 'vitest';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  type ListSecretsCommandInput,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { clientConfig, conformance } from './support';

describe('Secrets Manager', () => {
  const secretsManager = () => new SecretsManagerClient(clientConfig());
  let secrets = 0;
  /** A fresh name per case, so cases never see each other's secrets. */
  const prefix = () => `conformance/sm-${++secrets}`;

  async function names(client: SecretsManagerClient, input: ListSecretsCommandInput): Promise<string[]> {
    const { SecretList } = await client.send(new ListSecretsCommand(input));
    return (SecretList ?? []).map((s) => s.Name!).sort();
  }

  const errorOf = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: { name: string; $metadata?: { httpStatusCode?: number } }) => ({
        name: error.name,
        status: error.$metadata?.httpStatusCode,
      }),
    );

  conformance('sm-list-filter-name', async () => {
    const client = secretsManager();
    const p = prefix();
    for (const name of [`${p}/jada/dashboard-token`, `${p}/jada/Backup`, `${p}/scc/service-key`]) {
      await client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    }
    expect(await names(client, { Filters: [{ Key: 'name', Values: [`${p}/jada`] }] })).toEqual([
      `${p}/jada/Backup`,
      `${p}/jada/dashboard-token`,
    ]);
    expect(await names(client, { Filters: [{ Key: 'name', Values: [`${p}/JADA`] }] })).toEqual([]);
    expect(
      await names(client, {
        Filters: [
          { Key: 'name', Values: [p] },
          { Key: 'name', Values: [`!${p}/jada`] },
        ],
      }),
    ).toEqual([`${p}/scc/service-key`]);
    client.destroy();
  });

  conformance('sm-list-filter-keys', async () => {
    const client = secretsManager();
    const p = prefix();
    await client.send(
      new CreateSecretCommand({
        Name: `${p}/boatsetter`,
        SecretString: 'x',
        Description: 'Boatsetter webhook signing key',
        Tags: [{ Key: 'owner', Value: 'bookings' }],
      }),
    );
    await client.send(
      new CreateSecretCommand({
        Name: `${p}/guest-site`,
        SecretString: 'x',
        Description: 'Guest page signing key',
        Tags: [{ Key: 'team', Value: 'guests' }],
      }),
    );
    const within = (filters: ListSecretsCommandInput['Filters']) =>
      names(client, { Filters: [{ Key: 'name', Values: [p] }, ...(filters ?? [])] });
    expect(await within([{ Key: 'description', Values: ['boatsetter'] }])).toEqual([`${p}/boatsetter`]);
    expect(await within([{ Key: 'tag-key', Values: ['tea'] }])).toEqual([`${p}/guest-site`]);
    expect(await within([{ Key: 'tag-value', Values: ['book'] }])).toEqual([`${p}/boatsetter`]);
    expect(await within([{ Key: 'tag-value', Values: ['Book'] }])).toEqual([]);
    expect(await within([{ Key: 'all', Values: ['GUESTS'] }])).toEqual([`${p}/guest-site`]);
    expect(await within([{ Key: 'tag-key', Values: ['owner', 'team'] }])).toEqual([
      `${p}/boatsetter`,
      `${p}/guest-site`,
    ]);
    client.destroy();
  });

  conformance('sm-list-pages', async () => {
    const client = secretsManager();
    const p = prefix();
    const created = ['a', 'b', 'c', 'd', 'e'].map((n) => `${p}/${n}`);
    for (const Name of created) await client.send(new CreateSecretCommand({ Name, SecretString: 'x' }));
    const listed: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [p] }], MaxResults: 2, NextToken }),
      );
      expect(page.SecretList!.length).toBeLessThanOrEqual(2);
      listed.push(...page.SecretList!.map((s) => s.Name!));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    expect([listed.sort(), pages]).toEqual([created, 3]);
    client.destroy();
  });

  conformance('sm-update-new-version', async () => {
    const client = secretsManager();
    const SecretId = `${prefix()}/jada/dashboard-token`;
    const first = await client.send(new CreateSecretCommand({ Name: SecretId, SecretString: 'old-token' }));
    const updated = await client.send(
      new UpdateSecretCommand({ SecretId, SecretString: 'new-token', Description: 'JADA dashboard token' }),
    );
    expect(updated.VersionId).toBeDefined();
    expect(updated.VersionId).not.toBe(first.VersionId);
    const described = await client.send(new DescribeSecretCommand({ SecretId }));
    expect(described.Description).toBe('JADA dashboard token');
    expect(described.VersionIdsToStages).toEqual({
      [updated.VersionId!]: ['AWSCURRENT'],
      [first.VersionId!]: ['AWSPREVIOUS'],
    });
    const previous = await client.send(new GetSecretValueCommand({ SecretId, VersionStage: 'AWSPREVIOUS' }));
    expect(previous.SecretString).toBe('old-token');
    // A description alone is no new version.
    const renamed = await client.send(new UpdateSecretCommand({ SecretId, Description: 'JADA token' }));
    expect(renamed.VersionId).toBeUndefined();
    const current = await client.send(new GetSecretValueCommand({ SecretId }));
    expect([current.SecretString, current.VersionId]).toEqual(['new-token', updated.VersionId]);
    client.destroy();
  });

  conformance('sm-delete-recovery-window', async () => {
    const client = secretsManager();
    const p = prefix();
    const SecretId = `${p}/scc/service-key`;
    await client.send(new CreateSecretCommand({ Name: SecretId, SecretString: 'key' }));
    expect(await errorOf(client.send(new DeleteSecretCommand({ SecretId, RecoveryWindowInDays: 6 })))).toEqual({
      name: 'InvalidParameterException',
      status: 400,
    });
    const before = Date.now();
    const deleted = await client.send(new DeleteSecretCommand({ SecretId }));
    const days = (deleted.DeletionDate!.getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThan(30.01);
    for (const call of [
      client.send(new GetSecretValueCommand({ SecretId })),
      client.send(new PutSecretValueCommand({ SecretId, SecretString: 'other' })),
      client.send(new UpdateSecretCommand({ SecretId, SecretString: 'other' })),
      client.send(new DeleteSecretCommand({ SecretId })),
    ]) {
      expect(await errorOf(call)).toEqual({ name: 'InvalidRequestException', status: 400 });
    }
    const described = await client.send(new DescribeSecretCommand({ SecretId }));
    expect(described.DeletedDate).toBeInstanceOf(Date);
    expect(await names(client, { Filters: [{ Key: 'name', Values: [p] }] })).toEqual([]);
    expect(await names(client, { Filters: [{ Key: 'name', Values: [p] }], IncludePlannedDeletion: true })).toEqual([
      SecretId,
    ]);
    const week = await client.send(new CreateSecretCommand({ Name: `${p}/week`, SecretString: 'x' }));
    const shortly = await client.send(new DeleteSecretCommand({ SecretId: week.ARN, RecoveryWindowInDays: 7 }));
    expect(Math.round((shortly.DeletionDate!.getTime() - Date.now()) / 86_400_000)).toBe(7);
    client.destroy();
  });

  conformance('sm-delete-force', async () => {
    const client = secretsManager();
    const SecretId = `${prefix()}/guest-site`;
    await client.send(new CreateSecretCommand({ Name: SecretId, SecretString: 'x' }));
    expect(
      await errorOf(
        client.send(new DeleteSecretCommand({ SecretId, ForceDeleteWithoutRecovery: true, RecoveryWindowInDays: 7 })),
      ),
    ).toEqual({ name: 'InvalidParameterException', status: 400 });
    const deleted = await client.send(new DeleteSecretCommand({ SecretId, ForceDeleteWithoutRecovery: true }));
    expect(deleted.Name).toBe(SecretId);
    expect(await errorOf(client.send(new DescribeSecretCommand({ SecretId })))).toEqual({
      name: 'ResourceNotFoundException',
      status: 400,
    });
    // Gone at once: the name can be taken again.
    await client.send(new CreateSecretCommand({ Name: SecretId, SecretString: 'y' }));
    client.destroy();
  });

  conformance('sm-restore', async () => {
    const client = secretsManager();
    const SecretId = `${prefix()}/jada/dashboard-token`;
    await client.send(new CreateSecretCommand({ Name: SecretId, SecretString: 'token' }));
    await client.send(new DeleteSecretCommand({ SecretId, RecoveryWindowInDays: 7 }));
    const restored = await client.send(new RestoreSecretCommand({ SecretId }));
    expect(restored.Name).toBe(SecretId);
    expect((await client.send(new DescribeSecretCommand({ SecretId }))).DeletedDate).toBeUndefined();
    expect((await client.send(new GetSecretValueCommand({ SecretId }))).SecretString).toBe('token');
    client.destroy();
  });

  conformance('sm-random-password', async () => {
    const client = secretsManager();
    const plain = await client.send(new GetRandomPasswordCommand({}));
    expect(plain.RandomPassword).toHaveLength(32);
    for (let i = 0; i < 20; i++) {
      const { RandomPassword } = await client.send(
        new GetRandomPasswordCommand({ PasswordLength: 8, ExcludeCharacters: 'aeiou0O1l', IncludeSpace: true }),
      );
      expect(RandomPassword).toHaveLength(8);
      expect(RandomPassword).not.toMatch(/[aeiou0O1l]/);
      // RequireEachIncludedType is on by default: a lowercase and an uppercase letter, a number and a punctuation.
      for (const type of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9 ]/]) expect(RandomPassword).toMatch(type);
    }
    const spaced = await client.send(
      new GetRandomPasswordCommand({
        PasswordLength: 200,
        IncludeSpace: true,
        ExcludeLowercase: true,
        ExcludeUppercase: true,
        ExcludePunctuation: true,
      }),
    );
    expect(spaced.RandomPassword).toMatch(/^[0-9 ]{200}$/);
    expect(spaced.RandomPassword).toContain(' ');
    const letters = await client.send(
      new GetRandomPasswordCommand({ PasswordLength: 64, ExcludeNumbers: true, ExcludePunctuation: true }),
    );
    expect(letters.RandomPassword).toMatch(/^[A-Za-z]{64}$/);
    const each = await client.send(new GetRandomPasswordCommand({ PasswordLength: 4, ExcludeLowercase: true }));
    expect(each.RandomPassword).toMatch(/[A-Z]/);
    expect(each.RandomPassword).toMatch(/[0-9]/);
    expect(each.RandomPassword).toMatch(/[^A-Za-z0-9]/);
    expect(
      await errorOf(
        client.send(
          new GetRandomPasswordCommand({
            ExcludeLowercase: true,
            ExcludeUppercase: true,
            ExcludeNumbers: true,
            ExcludePunctuation: true,
          }),
        ),
      ),
    ).toEqual({ name: 'InvalidParameterException', status: 400 });
    client.destroy();
  });

  conformance('sm-put-describe-stages', async () => {
    const client = secretsManager();
    const SecretId = `${prefix()}/scc/service-key`;
    await client.send(new CreateSecretCommand({ Name: SecretId, SecretString: 'v1' }));
    const second = await client.send(new PutSecretValueCommand({ SecretId, SecretString: 'v2' }));
    const third = await client.send(new PutSecretValueCommand({ SecretId, SecretString: 'v3' }));
    expect(third.VersionStages).toEqual(['AWSCURRENT']);
    const { VersionIdsToStages } = await client.send(new DescribeSecretCommand({ SecretId }));
    expect(VersionIdsToStages).toEqual({ [third.VersionId!]: ['AWSCURRENT'], [second.VersionId!]: ['AWSPREVIOUS'] });
    const previous = await client.send(new GetSecretValueCommand({ SecretId, VersionStage: 'AWSPREVIOUS' }));
    expect([previous.VersionId, previous.SecretString, previous.VersionStages]).toEqual([
      second.VersionId,
      'v2',
      ['AWSPREVIOUS'],
    ]);
    client.destroy();
  });

  conformance('sm-update-version-stage', async () => {
    const client = secretsManager();
    const SecretId = `${prefix()}/guest-site`;
    const first = await client.send(new CreateSecretCommand({ Name: SecretId, SecretString: 'v1' }));
    // A pending version, as a rotation's createSecret step stages it.
    const pending = await client.send(
      new PutSecretValueCommand({ SecretId, SecretString: 'v2', VersionStages: ['AWSPENDING'] }),
    );
    expect((await client.send(new DescribeSecretCommand({ SecretId }))).VersionIdsToStages).toEqual({
      [first.VersionId!]: ['AWSCURRENT'],
      [pending.VersionId!]: ['AWSPENDING'],
    });
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: pending.VersionId,
        RemoveFromVersionId: first.VersionId,
      }),
    );
    const { VersionIdsToStages } = await client.send(new DescribeSecretCommand({ SecretId }));
    expect(VersionIdsToStages?.[pending.VersionId!]?.slice().sort()).toEqual(['AWSCURRENT', 'AWSPENDING']);
    expect(VersionIdsToStages?.[first.VersionId!]).toEqual(['AWSPREVIOUS']);
    expect((await client.send(new GetSecretValueCommand({ SecretId }))).SecretString).toBe('v2');
    expect(
      await errorOf(
        client.send(
          new UpdateSecretVersionStageCommand({
            SecretId,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: first.VersionId,
          }),
        ),
      ),
    ).toEqual({ name: 'InvalidParameterException', status: 400 });
    client.destroy();
  });
});
