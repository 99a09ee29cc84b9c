import type { StackModel } from '../cloudformation/model';
import type { PolicyDocument, Principal } from './model';

/**
 * Who can sign a call to the local stack, read from the template: each function's role session, with the
 * role's inline policies and the AWS-managed policies it attaches; and the resource policies by the ARN they
 * govern. Any other caller is an administrator (see LocalIam.principalOf).
 */

export type FunctionPrincipal = Extract<Principal, { kind: 'function' }>;

/**
 * The AWS-managed policies our roles attach, as AWS documents their statements. A managed policy not listed
 * here grants nothing locally: the call it would allow is refused, and the refusal names what was needed.
 */
export const MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSXRayDaemonWriteAccess.html
  AWSXRayDaemonWriteAccess: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          'xray:GetSamplingStatisticSummaries',
        ],
        Resource: ['*'],
      },
    ],
  },
};

/** Each function of the template as the principal its role's session is, by function name. */
export function functionPrincipals(model: StackModel): Map<string, FunctionPrincipal> {
  const roles = new Map(model.roles.map((role) => [role.arn, role]));
  const principals = new Map<string, FunctionPrincipal>();
  for (const fn of model.functions) {
    const roleArn = fn.roleArn ?? `arn:aws:iam::${model.accountId}:role/${fn.logicalId}`;
    const role = roles.get(roleArn);
    const roleName = role?.name ?? roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const managed = (role?.managedPolicyArns ?? []).flatMap((arn) => {
      const name = arn.slice(arn.lastIndexOf('/') + 1);
      const document = MANAGED_POLICIES[name];
      return document ? [{ name, document }] : [];
    });
    principals.set(fn.name, {
      kind: 'function',
      functionName: fn.name,
      roleArn,
      sessionArn: `arn:aws:sts::${model.accountId}:assumed-role/${roleName}/${fn.name}`,
      // A role from outside the template (an ARN the template only names) has no policy here: it grants nothing.
      policies: [
        ...(role?.policies ?? []).map(({ name, document }) => ({ name, document: document as PolicyDocument })),
        ...managed,
      ],
    });
  }
  return principals;
}

/** The template's resource policies by the ARN they govern; two for one resource (bus policies) are one document. */
export function resourcePolicies(model: StackModel): Map<string, PolicyDocument> {
  const byArn = new Map<string, PolicyDocument>();
  for (const { resourceArn, document } of model.resourcePolicies) {
    const statements = statementsOf(document as PolicyDocument);
    const existing = byArn.get(resourceArn);
    byArn.set(resourceArn, {
      Version: '2012-10-17',
      Statement: existing ? [...statementsOf(existing), ...statements] : statements,
    });
  }
  return byArn;
}

function statementsOf(document: PolicyDocument) {
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

/**
 * The ARN whose resource policy governs this one: an object's bucket, an index's table, else the ARN itself.
 */
export function governingArn(arn: string): string {
  const s3Object = /^(arn:aws:s3:::[^/]+)\//.exec(arn);
  if (s3Object) return s3Object[1]!;
  const index = /^(arn:aws:dynamodb:[^:]*:[^:]*:table\/[^/]+)\//.exec(arn);
  if (index) return index[1]!;
  return arn;
}
