import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError, LOCAL_ACCOUNT_ID, notSupported, type AwsJsonService } from '../service';

/**
 * Secrets Manager, the part the services use: secrets with versions staged AWSCURRENT / AWSPREVIOUS, so a
 * rotation (PutSecretValue) behaves as in AWS. Persisted under <dataDir>/secrets.json unless ephemeral.
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
  createdAt: number;
  changedAt: number;
  versions: SecretVersion[];
}

const notFound = () => new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const epochSeconds = (ms: number) => ms / 1000;

/** The request fields the operations read, as their own parameters declare them. */
type SecretsRequest = Parameters<LocalSecretsManager['createSecret']>[0] &
  Parameters<LocalSecretsManager['getSecretValue']>[0] &
  Parameters<LocalSecretsManager['putSecretValue']>[0];

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

  handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    // Every answer is at hand; still a promise, and a refusal rejects it, as the AwsJsonService contract says.
    try {
      return Promise.resolve(this.answer(operation, input as SecretsRequest));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private answer(operation: string, input: SecretsRequest): unknown {
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
        return { SecretList: [...this.secrets.values()].map((s) => this.describe(s)) };
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
  }) {
    const name = input.Name;
    if (!name || !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
      throw new AwsError(
        'InvalidParameterException',
        `Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!: ${name ?? ''}`,
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
    const secret = this.find(input.SecretId);
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
  }) {
    const secret = this.find(input.SecretId);
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
    input: { SecretString?: string; SecretBinary?: string; ClientRequestToken?: string },
  ): SecretVersion {
    if (input.SecretString === undefined && input.SecretBinary === undefined) {
      throw new AwsError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
    }
    for (const v of secret.versions) {
      v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
      if (v.stages.includes('AWSCURRENT')) v.stages = [...v.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    }
    const version: SecretVersion = {
      versionId: input.ClientRequestToken ?? randomUUID(),
      secretString: input.SecretString,
      secretBinary: input.SecretBinary,
      createdAt: Date.now(),
      stages: ['AWSCURRENT'],
    };
    // Versions with no stage are deprecated: AWS drops them eventually; keep the two that matter.
    secret.versions = [version, ...secret.versions.filter((v) => v.stages.length)];
    secret.changedAt = version.createdAt;
    return version;
  }

  private describe(secret: Secret) {
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description ? { Description: secret.description } : {}),
      CreatedDate: epochSeconds(secret.createdAt),
      LastChangedDate: epochSeconds(secret.changedAt),
      VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.versionId, v.stages])),
    };
  }

  private find(secretId: string | undefined): Secret {
    if (!secretId) throw new AwsError('InvalidParameterException', 'SecretId is required.');
    const byName = this.secrets.get(secretId);
    if (byName) return byName;
    for (const secret of this.secrets.values()) {
      // A partial ARN (without the random suffix) also names the secret, as in AWS.
      if (secret.arn === secretId || secret.arn.slice(0, -7) === secretId) return secret;
    }
    throw notFound();
  }

  private save(): void {
    if (!this.file) return;
    writeFileSync(`${this.file}.tmp`, JSON.stringify([...this.secrets.values()], null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
