import { beforeAll, describe, expect, it } from 'vitest';
import type { StackModel } from '../../../../local/aws/cloudformation/model';
import { functionPrincipals, MANAGED_POLICIES, resourcePolicies } from '../../../../local/aws/iam/index';
import { LOCAL_ACCOUNT_ID } from '../../../../local/aws/service';
import { sourceModel } from '../../../../local/charterflow/stack-model';

/**
 * Who signs a call, as the template says: each function's role session, holding the role's inline policy (every
 * ARN resolved to the local stack's) and the AWS-managed policy it attaches; and the resource policies by the ARN
 * they govern. Read from the template source mode makes, the same the package holds (stack-model.test.ts).
 */

let model: StackModel;

beforeAll(async () => {
  ({ model } = await sourceModel({
    region: 'us-west-2',
    accountId: LOCAL_ACCOUNT_ID,
    queueUrlBase: 'http://127.0.0.1:4566',
  }));
});

describe("a function's principal", () => {
  it('is its role’s session, named by the role and the function, for every function of the template', () => {
    const principals = functionPrincipals(model);
    expect([...principals.keys()].sort()).toEqual(model.functions.map((fn) => fn.name).sort());
    for (const fn of model.functions) {
      const principal = principals.get(fn.name)!;
      const role = model.roles.find((candidate) => candidate.arn === fn.roleArn);
      expect(role, fn.name).toBeDefined();
      expect(principal).toMatchObject({
        kind: 'function',
        functionName: fn.name,
        roleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${role!.name}`,
        sessionArn: `arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/${role!.name}/${fn.name}`,
      });
    }
  });

  it('holds its role’s inline policy with resolved ARNs, then X-Ray’s managed policy as AWS documents it', () => {
    const calendar = functionPrincipals(model).get('charterflow-local-calendar')!;
    expect(calendar.policies.map((policy) => policy.name)).toEqual([
      'charterflow-local-calendar-policy',
      'AWSXRayDaemonWriteAccess',
    ]);
    expect(calendar.policies[1]!.document).toBe(MANAGED_POLICIES.AWSXRayDaemonWriteAccess);
    const text = JSON.stringify(calendar.policies[0]!.document);
    expect(text).not.toMatch(/Fn::|"Ref"|\$\{/);
    expect(text).toContain('arn:aws:dynamodb:us-west-2:000000000000:table/charterflow-local-calendar-boat-schedule');
  });
});

describe('the resource policies', () => {
  it('give each consumer’s dead-letter queue the policy that lets its rule send to it', () => {
    const policies = resourcePolicies(model);
    const calendarQueue = model.queues.find((queue) => queue.logicalId === 'CalendarDeadLetterQueue')!;
    const rule = model.rules.find((candidate) => candidate.logicalId === 'CalendarRule')!;
    expect(policies.get(calendarQueue.arn)).toEqual({
      Version: '2012-10-17',
      Statement: [
        expect.objectContaining({
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: { ArnEquals: { 'aws:SourceArn': rule.arn } },
        }),
      ],
    });
  });
});
