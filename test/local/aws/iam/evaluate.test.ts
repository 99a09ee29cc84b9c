import { describe, expect, it } from 'vitest';
import { type FunctionPrincipal, LocalIam, type PolicyDocument } from '../../../../local/aws/iam/index';
import { outsidePrivateRecords } from '../../../../deploy/iam';

/**
 * The local stack's IAM decides as AWS's policy evaluation logic does: an allow in the role's policies allows,
 * nothing allows by default, an explicit deny wins, conditions are evaluated with the request's values, and what
 * the evaluator does not know is refused with a message saying so.
 */

const account = '000000000000';
const table = `arn:aws:dynamodb:us-west-2:${account}:table/charterflow-local-bookings`;
const otherTable = `arn:aws:dynamodb:us-west-2:${account}:table/charterflow-local-calendar-boat-schedule`;
const queue = `arn:aws:sqs:us-west-2:${account}:charterflow-local-calendar-dlq`;
const rule = `arn:aws:events:us-west-2:${account}:rule/charterflow-local/charterflow-local-calendar`;

const calendar: FunctionPrincipal = {
  kind: 'function',
  functionName: 'charterflow-local-calendar',
  roleArn: `arn:aws:iam::${account}:role/charterflow-local-CalendarRole-ABC`,
  sessionArn: `arn:aws:sts::${account}:assumed-role/charterflow-local-CalendarRole-ABC/charterflow-local-calendar`,
  policies: [
    {
      name: 'charterflow-local-calendar-policy',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['dynamodb:GetItem', 'dynamodb:Query'],
            Resource: [table],
            Condition: outsidePrivateRecords,
          },
          {
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:PutObject'],
            Resource: ['arn:aws:s3:::queenofsandiego.com/*'],
          },
          { Effect: 'Deny', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::queenofsandiego.com/assets/*'] },
        ],
      },
    },
  ],
};

const queuePolicy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queue,
      Condition: { ArnEquals: { 'aws:SourceArn': rule } },
    },
  ],
};

function iamWith(principal: FunctionPrincipal = calendar): LocalIam {
  return new LocalIam({
    accountId: account,
    functions: new Map([[principal.functionName, principal]]),
    accessKeys: new Map([['ASIACALENDAR', principal.functionName]]),
    resourcePolicies: new Map([[queue, queuePolicy]]),
  });
}

describe("a function's role", () => {
  it('allows what a statement allows', async () => {
    const iam = iamWith();
    const decision = await iam.decide(calendar, {
      action: 'dynamodb:GetItem',
      resource: table,
      context: { 'dynamodb:LeadingKeys': ['BOOKING#XHQGMDH'] },
    });
    expect(decision).toEqual({ allowed: true });
    expect(iam.refusals()).toEqual([]);
  });

  it('allows nothing by default: another table is refused in AWS’s words, with the statement it needed', async () => {
    const iam = iamWith();
    const decision = await iam.decide(calendar, { action: 'dynamodb:Query', resource: otherTable });
    expect(decision).toEqual({
      allowed: false,
      message: `User: ${calendar.sessionArn} is not authorized to perform: dynamodb:Query on resource: ${otherTable} because no identity-based policy allows the dynamodb:Query action`,
      needed: { Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [otherTable] },
    });
    expect(iam.refusals()).toEqual([
      expect.objectContaining({
        functionName: 'charterflow-local-calendar',
        action: 'dynamodb:Query',
        resource: otherTable,
      }),
    ]);
  });

  it('lets an explicit deny win over an allow', async () => {
    const object = 'arn:aws:s3:::queenofsandiego.com/assets/site.css';
    const decision = await iamWith().decide(calendar, { action: 's3:PutObject', resource: object });
    expect(decision).toMatchObject({
      allowed: false,
      message: expect.stringMatching(
        /s3:PutObject on resource: .*site\.css with an explicit deny in an identity-based policy$/,
      ),
    });
    expect(await iamWith().decide(calendar, { action: 's3:GetObject', resource: object })).toEqual({ allowed: true });
  });

  describe('under ForAllValues:StringNotLike on dynamodb:LeadingKeys', () => {
    const call = (keys?: string[]) => ({
      action: 'dynamodb:Query',
      resource: table,
      ...(keys && { context: { 'dynamodb:LeadingKeys': keys } }),
    });

    it('allows a key outside the private partitions', async () => {
      expect(await iamWith().decide(calendar, call(['BOOKING#XHQGMDH']))).toEqual({ allowed: true });
    });

    it('refuses a private partition key, and the statement needed keeps the condition it failed', async () => {
      const decision = await iamWith().decide(calendar, call(['PRIVATE#XHQGMDH']));
      expect(decision).toEqual({
        allowed: false,
        message: expect.stringContaining('because no identity-based policy allows the dynamodb:Query action'),
        needed: {
          Effect: 'Allow',
          Action: ['dynamodb:Query'],
          Resource: [table],
          Condition: { 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': ['PRIVATE#*'] } },
        },
      });
    });

    it('refuses when any one of the keys is private', async () => {
      const decision = await iamWith().decide(calendar, call(['BOOKING#XHQGMDH', 'PRIVATE#XHQGMDH']));
      expect(decision.allowed).toBe(false);
    });

    it('allows a request naming no key, as AWS does (ForAllValues over nothing holds): why no role has Scan', async () => {
      expect(await iamWith().decide(calendar, call())).toEqual({ allowed: true });
      expect(await iamWith().decide(calendar, call([]))).toEqual({ allowed: true });
    });
  });

  it('refuses an action the evaluator does not know, saying so', async () => {
    const iam = iamWith();
    const decision = await iam.decide(calendar, { action: 'dynamodb:ScanEverything', resource: table });
    expect(decision).toMatchObject({
      allowed: false,
      message: expect.stringMatching(
        /not authorized to perform: dynamodb:ScanEverything .* because charterflow local's IAM evaluator cannot evaluate it \(.*invalid\.action.*\); it refuses what it cannot evaluate$/,
      ),
    });
    expect(iam.refusals()).toHaveLength(1);
  });

  it('refuses a resource of a type the action does not act on, saying so', async () => {
    const decision = await iamWith().decide(calendar, { action: 'dynamodb:GetItem', resource: queue });
    expect(decision).toMatchObject({ allowed: false, message: expect.stringContaining('cannot evaluate it') });
  });

  it('decides again under policies replaced for a test', async () => {
    const iam = iamWith();
    const call = { action: 'dynamodb:GetItem', resource: table, context: { 'dynamodb:LeadingKeys': ['BOOKING#1'] } };
    expect(await iam.decide(iam.functionPrincipal(calendar.functionName)!, call)).toEqual({ allowed: true });
    iam.replacePolicies(calendar.functionName, []);
    expect((await iam.decide(iam.functionPrincipal(calendar.functionName)!, call)).allowed).toBe(false);
  });
});

describe('who signed', () => {
  it('is the function whose access key signed; any other key, or none, is an administrator, allowed all', async () => {
    const iam = iamWith();
    expect(iam.principalOf('ASIACALENDAR')).toMatchObject({
      kind: 'function',
      functionName: 'charterflow-local-calendar',
    });
    const operator = iam.principalOf('charterflow-local');
    expect(operator.kind).toBe('administrator');
    expect(iam.principalOf(undefined).kind).toBe('administrator');
    expect(await iam.decide(operator, { action: 'dynamodb:Scan', resource: otherTable })).toEqual({ allowed: true });
  });
});

describe('a resource policy', () => {
  it('lets EventBridge send to the dead-letter queue of the rule it names, and no other rule', async () => {
    const iam = iamWith();
    const events = { kind: 'service', service: 'events.amazonaws.com' } as const;
    const policy = iam.resourcePolicyOf(queue);
    expect(policy).toBe(queuePolicy);
    const send = (sourceArn: string) => ({
      action: 'sqs:SendMessage',
      resource: queue,
      context: { 'aws:SourceArn': sourceArn },
    });
    expect(await iam.decide(events, send(rule), policy)).toEqual({ allowed: true });
    const other = `${rule}-other`;
    expect(await iam.decide(events, send(other), policy)).toEqual({
      allowed: false,
      message: `User: events.amazonaws.com is not authorized to perform: sqs:SendMessage on resource: ${queue} because no resource-based policy allows the sqs:SendMessage action`,
      needed: {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['sqs:SendMessage'],
        Resource: [queue],
        Condition: { ArnEquals: { 'aws:SourceArn': [rule] } },
      },
    });
  });

  it('governs an object by its bucket’s policy', () => {
    const bucket = 'arn:aws:s3:::charterflow-deployments';
    const policy: PolicyDocument = { Statement: [] };
    const iam = new LocalIam({
      accountId: account,
      functions: new Map(),
      accessKeys: new Map(),
      resourcePolicies: new Map([[bucket, policy]]),
    });
    expect(iam.resourcePolicyOf(`${bucket}/serverless/app.zip`)).toBe(policy);
    expect(iam.resourcePolicyOf('arn:aws:s3:::another-bucket/key')).toBeUndefined();
  });
});
