import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError, LOCAL_ACCOUNT_ID, notSupported, type AwsJsonService } from '../service';
import { checkFilters, passesFilters, type SecretsFilter } from './listing';
import { randomPassword, type PasswordRequest } from './password';

/**
 * Secrets Manager, the part the services use: secrets with versions staged AWSCURRENT / AWSPREVIOUS, so a
 * rotation (PutSecretValue, UpdateSecretVersionStage) behaves as in AWS; deletion waits out its recovery window.
 * Persisted under <dataDir>/secrets.json unless ephemeral.
 */

interface SecretVersion {
  versionId: string;
  secretString?: string;
  secretBinary?: string;
  createdAt: number;
  stages: string[];
}

interface Secret {
  name: string;
  arn: string;
  description?: string;
  tags?: { Key?: string; Value?: string }[];
  createdAt: number;
  changedAt: number;
  /** Set while the deletion is scheduled: RestoreSecret clears both. */
  deletedAt?: number;
  deletionDate?: number;
  versions: SecretVersion[];
}

const notFound = () => new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const epochSeconds = (ms: number) => ms / 1000;
const DAY_MS = 86_400_000;
const markedForDeletion = () =>
  new AwsError(
    'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.",
  );

/** The request fields the operations read, as their own parameters declare them. */
type SecretsRequest = Parameters<LocalSecretsManager['createSecret']>[0] &
  Parameters<LocalSecretsManager['getSecretValue']>[0] &
  Parameters<LocalSecretsManager['putSecretValue']>[0] &
  Parameters<LocalSecretsManager['updateSecret']>[0] &
  Parameters<LocalSecretsManager['deleteSecret']>[0] &
  Parameters<LocalSecretsManager['listSecrets']>[0] &
  Parameters<LocalSecretsManager['updateVersionStage']>[0] &
  PasswordRequest;

export class LocalSecretsManager implements AwsJsonService {
  readonly targetPrefix = 'secretsmanager';
  readonly serviceName = 'secretsmanager';
  readonly jsonVersion = '1.1' as const;

  private readonly secrets = new Map<string, Secret>();
  private readonly file?: string;

  constructor(private readonly options: { region: string; accountId?: string; dataDir?: string }) {
    if (options.dataDir) {
      mkdirSync(options.dataDir, { recursive: true });
      this.file = join(options.dataDir, 'secrets.json');
      if (existsSync(this.file)) {
        for (const secret of JSON.parse(readFileSync(this.file, 'utf8')) as Secret[])
          this.secrets.set(secret.name, secret);
      }
    }
  }

  has(name: string): boolean {
    return this.secrets.has(name);
  }

  /** A secret's full ARN by name or (partial) ARN, as IAM checks it; undefined when there is none. */
  arnOf(secretId: string): string | undefined {
    return secretId ? this.findOrUndefined(secretId)?.arn : undefined;
  }

  handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    // Every answer is at hand; still a promise, and a refusal rejects it, as the AwsJsonService contract says.
    try {
      return Promise.resolve(this.answer(operation, input as SecretsRequest));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private answer(operation: string, input: SecretsRequest): unknown {
    this.purgeExpired();
    switch (operation) {
      case 'CreateSecret':
        return this.createSecret(input);
      case 'GetSecretValue':
        return this.getSecretValue(input);
      case 'PutSecretValue':
        return this.putSecretValue(input);
      case 'DescribeSecret':
        return this.describe(this.find(input.SecretId));
      case 'ListSecrets':
        return this.listSecrets(input);
      case 'UpdateSecret':
        return this.updateSecret(input);
      case 'UpdateSecretVersionStage':
        return this.updateVersionStage(input);
      case 'DeleteSecret':
        return this.deleteSecret(input);
      case 'RestoreSecret':
        return this.restoreSecret(input);
      case 'GetRandomPassword':
        return { RandomPassword: randomPassword(input) };
      default:
        throw notSupported('secretsmanager', operation);
    }
  }

  createSecret(input: {
    Name?: string;
    SecretString?: string;
    SecretBinary?: string;
    Description?: string;
    ClientRequestToken?: string;
    Tags?: { Key?: string; Value?: string }[];
  }) {
    const name = input.Name;
    if (!name || !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
      throw new AwsError(
        'InvalidParameterException',
        `Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!: ${name ?? ''}`,
      );
    }
    if (this.secrets.get(name)?.deletedAt !== undefined) {
      throw new AwsError(
        'InvalidRequestException',
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    }
    if (this.secrets.has(name)) {
      throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    const now = Date.now();
    // AWS appends a dash and 6 random characters to a secret's ARN.
    const suffix = randomBytes(6).toString('base64url').slice(0, 6);
    const secret: Secret = {
      name,
      arn: `arn:aws:secretsmanager:${this.options.region}:${this.options.accountId ?? LOCAL_ACCOUNT_ID}:secret:${name}-${suffix}`,
      description: input.Description,
      ...(input.Tags?.length ? { tags: input.Tags } : {}),
      createdAt: now,
      changedAt: now,
      versions: [],
    };
    this.secrets.set(name, secret);
    if (input.SecretString !== undefined || input.SecretBinary !== undefined) this.addVersion(secret, input);
    this.save();
    const current = secret.versions[0];
    return { ARN: secret.arn, Name: name, ...(current ? { VersionId: current.versionId } : {}) };
  }

  getSecretValue(input: { SecretId?: string; VersionId?: string; VersionStage?: string }) {
    const secret = this.findLive(input.SecretId);
    const version = input.VersionId
      ? secret.versions.find((v) => v.versionId === input.VersionId)
      : secret.versions.find((v) => v.stages.includes(input.VersionStage ?? 'AWSCURRENT'));
    if (!version) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for staging label: ${input.VersionStage ?? input.VersionId ?? 'AWSCURRENT'}`,
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
      ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
      VersionStages: version.stages,
      CreatedDate: epochSeconds(version.createdAt),
    };
  }

  putSecretValue(input: {
    SecretId?: string;
    SecretString?: string;
    SecretBinary?: string;
    ClientRequestToken?: string;
    VersionStages?: string[];
  }) {
    const secret = this.findLive(input.SecretId);
    // The same ClientRequestToken with the same value is a retry: no new version (AWS idempotency).
    const retried = input.ClientRequestToken && secret.versions.find((v) => v.versionId === input.ClientRequestToken);
    if (retried) {
      if (retried.secretString !== input.SecretString || retried.secretBinary !== input.SecretBinary) {
        throw new AwsError(
          'ResourceExistsException',
          `A version with VersionId ${input.ClientRequestToken} already exists with other contents.`,
        );
      }
      return { ARN: secret.arn, Name: secret.name, VersionId: retried.versionId, VersionStages: retried.stages };
    }
    const version = this.addVersion(secret, input);
    this.save();
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: version.stages };
  }

  private addVersion(
    secret: Secret,
    input: { SecretString?: string; SecretBinary?: string; ClientRequestToken?: string; VersionStages?: string[] },
  ): SecretVersion {
    if (input.SecretString === undefined && input.SecretBinary === undefined) {
      throw new AwsError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
    }
    const version: SecretVersion = {
      versionId: input.ClientRequestToken ?? randomUUID(),
      secretString: input.SecretString,
      secretBinary: input.SecretBinary,
      createdAt: Date.now(),
      stages: [],
    };
    secret.versions = [version, ...secret.versions];
    for (const stage of input.VersionStages?.length ? input.VersionStages : ['AWSCURRENT']) {
      this.moveStage(secret, stage, version);
    }
    this.dropDeprecated(secret);
    secret.changedAt = version.createdAt;
    return version;
  }

  /** A label is on one version at most; AWSCURRENT leaving a version leaves AWSPREVIOUS there. */
  private moveStage(secret: Secret, stage: string, to: SecretVersion): void {
    const from = secret.versions.find((v) => v !== to && v.stages.includes(stage));
    if (from) from.stages = from.stages.filter((s) => s !== stage);
    if (stage === 'AWSCURRENT' && from) {
      for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
      from.stages.push('AWSPREVIOUS');
    }
    if (!to.stages.includes(stage)) to.stages.push(stage);
  }

  /** Versions with no stage are deprecated: AWS drops them eventually; keep the ones a label points to. */
  private dropDeprecated(secret: Secret): void {
    secret.versions = secret.versions.filter((v) => v.stages.length);
  }

  updateSecret(input: {
    SecretId?: string;
    Description?: string;
    SecretString?: string;
    SecretBinary?: string;
    ClientRequestToken?: string;
  }) {
    const secret = this.findLive(input.SecretId);
    if (input.Description !== undefined) {
      secret.description = input.Description;
      secret.changedAt = Date.now();
    }
    const hasValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
    // A retry with the same token and value is the version already made, as for PutSecretValue.
    const version = hasValue ? this.putSecretValue(input) : undefined;
    this.save();
    return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.VersionId } : {}) };
  }

  updateVersionStage(input: {
    SecretId?: string;
    VersionStage?: string;
    MoveToVersionId?: string;
    RemoveFromVersionId?: string;
  }) {
    const secret = this.findLive(input.SecretId);
    const stage = input.VersionStage;
    if (!stage) throw new AwsError('InvalidParameterException', 'VersionStage is required.');
    const version = (id: string) => {
      const found = secret.versions.find((v) => v.versionId === id);
      if (!found) {
        throw new AwsError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret version: ${id}`,
        );
      }
      return found;
    };
    const holder = secret.versions.find((v) => v.stages.includes(stage));
    if (input.RemoveFromVersionId && holder?.versionId !== input.RemoveFromVersionId) {
      throw new AwsError(
        'InvalidParameterException',
        `The staging label ${stage} is not attached to version ${input.RemoveFromVersionId}.`,
      );
    }
    if (input.MoveToVersionId) {
      const to = version(input.MoveToVersionId);
      if (holder && holder !== to && !input.RemoveFromVersionId) {
        throw new AwsError(
          'InvalidParameterException',
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      this.moveStage(secret, stage, to);
    } else if (holder) {
      if (stage === 'AWSCURRENT') {
        throw new AwsError(
          'InvalidParameterException',
          'You can only move staging label AWSCURRENT to a different secret version. It can’t be completely removed.',
        );
      }
      holder.stages = holder.stages.filter((s) => s !== stage);
    }
    this.dropDeprecated(secret);
    secret.changedAt = Date.now();
    this.save();
    return { ARN: secret.arn, Name: secret.name };
  }

  deleteSecret(input: { SecretId?: string; RecoveryWindowInDays?: number; ForceDeleteWithoutRecovery?: boolean }) {
    if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined) {
      throw new AwsError(
        'InvalidParameterException',
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    const days = input.RecoveryWindowInDays ?? 30;
    if (!Number.isInteger(days) || days < 7 || days > 30) {
      throw new AwsError(
        'InvalidParameterException',
        'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
      );
    }
    const now = Date.now();
    if (input.ForceDeleteWithoutRecovery) {
      // A forced delete of a secret that is not there is no ResourceNotFoundException, as the page says.
      const secret = this.findOrUndefined(input.SecretId);
      if (secret) this.secrets.delete(secret.name);
      this.save();
      return {
        ...(secret ? { ARN: secret.arn } : {}),
        Name: secret?.name ?? input.SecretId,
        DeletionDate: epochSeconds(now),
      };
    }
    const secret = this.findLive(input.SecretId);
    secret.deletedAt = now;
    secret.deletionDate = now + days * DAY_MS;
    this.save();
    return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(secret.deletionDate) };
  }

  restoreSecret(input: { SecretId?: string }) {
    const secret = this.find(input.SecretId);
    delete secret.deletedAt;
    delete secret.deletionDate;
    this.save();
    return { ARN: secret.arn, Name: secret.name };
  }

  listSecrets(input: {
    Filters?: SecretsFilter[];
    MaxResults?: number;
    NextToken?: string;
    IncludePlannedDeletion?: boolean;
    SortOrder?: 'asc' | 'desc';
  }) {
    checkFilters(input.Filters);
    const size = input.MaxResults ?? 100;
    if (!Number.isInteger(size) || size < 1 || size > 100) {
      throw new AwsError('InvalidParameterException', 'MaxResults must be between 1 and 100.');
    }
    const listed = [...this.secrets.values()]
      .filter((s) => input.IncludePlannedDeletion || s.deletedAt === undefined)
      .filter((s) => passesFilters(input.Filters, s))
      .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
    if (input.SortOrder === 'desc') listed.reverse();
    const start = input.NextToken === undefined ? 0 : pageStart(input.NextToken);
    const page = listed.slice(start, start + size);
    const next = start + size < listed.length ? { NextToken: pageToken(start + size) } : {};
    return { SecretList: page.map((s) => this.describe(s)), ...next };
  }

  private describe(secret: Secret) {
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description ? { Description: secret.description } : {}),
      ...(secret.tags ? { Tags: secret.tags } : {}),
      CreatedDate: epochSeconds(secret.createdAt),
      LastChangedDate: epochSeconds(secret.changedAt),
      ...(secret.deletedAt !== undefined ? { DeletedDate: epochSeconds(secret.deletedAt) } : {}),
      VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.versionId, v.stages])),
    };
  }

  /** A secret past its DeletionDate is gone for good, as AWS's background deletion leaves it. */
  private purgeExpired(): void {
    const now = Date.now();
    const expired = [...this.secrets.values()].filter((s) => s.deletionDate !== undefined && s.deletionDate <= now);
    for (const secret of expired) this.secrets.delete(secret.name);
    if (expired.length) this.save();
  }

  private find(secretId: string | undefined): Secret {
    const secret = this.findOrUndefined(secretId);
    if (!secret) throw notFound();
    return secret;
  }

  /** A secret that is not scheduled for deletion: the others refuse reads and writes until restored. */
  private findLive(secretId: string | undefined): Secret {
    const secret = this.find(secretId);
    if (secret.deletedAt !== undefined) throw markedForDeletion();
    return secret;
  }

  private findOrUndefined(secretId: string | undefined): Secret | undefined {
    if (!secretId) throw new AwsError('InvalidParameterException', 'SecretId is required.');
    const byName = this.secrets.get(secretId);
    if (byName) return byName;
    for (const secret of this.secrets.values()) {
      // A partial ARN (without the random suffix) also names the secret, as in AWS.
      if (secret.arn === secretId || secret.arn.slice(0, -7) === secretId) return secret;
    }
    return undefined;
  }

  private save(): void {
    if (!this.file) return;
    writeFileSync(`${this.file}.tmp`, JSON.stringify([...this.secrets.values()], null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

/** NextToken is opaque to callers: the offset of the next page. */
const pageToken = (start: number) => Buffer.from(JSON.stringify({ start })).toString('base64url');

function pageStart(token: string): number {
  try {
    const { start } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    if (typeof start === 'number' && Number.isInteger(start) && start >= 0) return start;
  } catch {
    // Falls through to the refusal below.
  }
  throw new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');
}
