import type { ArnContext, Authorizations } from '../model';

/**
 * Secrets Manager's authorizations: secretsmanager:<Operation> on the secret's full ARN, with the six random
 * characters AWS appends (which a policy's `-??????` matches). A secret that does not exist is authorised
 * against `secret:<name>` as AWS does, so a refusal does not tell whether it exists. secretsmanager:SecretId
 * is the SecretId as the request gave it.
 */

const ON_SECRET = new Set([
  'GetSecretValue',
  'DescribeSecret',
  'PutSecretValue',
  'UpdateSecret',
  'UpdateSecretVersionStage',
  'DeleteSecret',
  'RestoreSecret',
  'TagResource',
  'UntagResource',
  'ListSecretVersionIds',
  'RotateSecret',
  'CancelRotateSecret',
  'GetResourcePolicy',
  'PutResourcePolicy',
  'DeleteResourcePolicy',
]);

export function secretsManagerAuthorizations(
  operation: string,
  input: Record<string, unknown>,
  arns: ArnContext,
): Authorizations {
  if (ON_SECRET.has(operation) && typeof input.SecretId === 'string') {
    const resource = arns.secretArn(input.SecretId) ?? secretArnOfMissing(input.SecretId, arns);
    return {
      authorizations: [
        { action: `secretsmanager:${operation}`, resource, context: { 'secretsmanager:SecretId': input.SecretId } },
      ],
    };
  }
  if (operation === 'CreateSecret' && typeof input.Name === 'string') {
    return {
      authorizations: [{ action: 'secretsmanager:CreateSecret', resource: secretArnOfMissing(input.Name, arns) }],
    };
  }
  // No resource-level permission: AWS checks these against "*".
  if (operation === 'ListSecrets' || operation === 'GetRandomPassword') {
    return { authorizations: [{ action: `secretsmanager:${operation}`, resource: '*' }] };
  }
  return { unknown: `secretsmanager.${operation} is not known to the local IAM` };
}

function secretArnOfMissing(secretId: string, { region, accountId }: ArnContext): string {
  return secretId.startsWith('arn:') ? secretId : `arn:aws:secretsmanager:${region}:${accountId}:secret:${secretId}`;
}
