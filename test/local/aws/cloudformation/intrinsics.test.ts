import { describe, expect, it } from 'vitest';
import { createResolver, type Template, TemplateError } from '../../../../local/aws/cloudformation/intrinsics';

const options = {
  region: 'us-west-2',
  accountId: '000000000000',
  stackName: 'charterflow-local',
  queueUrlBase: 'http://127.0.0.1:4566',
  imports: { 'shared-SccTableName': 'scc-events' },
};

/** One resource of each kind the local stack answers Ref and Fn::GetAtt for, named or left to CloudFormation. */
const template: Template = {
  Parameters: { Greeting: { Default: 'ahoy' } },
  Conditions: { IsLocal: { 'Fn::Equals': [{ Ref: 'AWS::StackName' }, 'charterflow-local'] } },
  Resources: {
    BookingsTable: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'charterflow-local-bookings' } },
    CalendarDeadLetterQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'charterflow-local-calendar-dlq' } },
    UnnamedQueue: { Type: 'AWS::SQS::Queue', Properties: {} },
    UnnamedFifoQueue: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
    EventBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'charterflow-local' } },
    CalendarRule: {
      Type: 'AWS::Events::Rule',
      Properties: { Name: 'charterflow-local-calendar', EventBusName: { Ref: 'EventBus' } },
    },
    DefaultBusRule: { Type: 'AWS::Events::Rule', Properties: { Name: 'nightly' } },
    ArnBusRule: {
      Type: 'AWS::Events::Rule',
      Properties: { Name: 'by-arn', EventBusName: { 'Fn::GetAtt': ['EventBus', 'Arn'] } },
    },
    EventArchive: { Type: 'AWS::Events::Archive', Properties: { ArchiveName: 'charterflow-local-all' } },
    CalendarLambdaFunction: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: 'charterflow-local-calendar' },
    },
    CalendarRole: { Type: 'AWS::IAM::Role', Properties: {} },
    LogsAndAlarmsKey: { Type: 'AWS::KMS::Key', Properties: {} },
    CalendarLogGroup: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: '/aws/lambda/charterflow-local-calendar' },
    },
    DeadLetterAlarmTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'charterflow-local-dead-letters' } },
    ServerlessDeploymentBucket: { Type: 'AWS::S3::Bucket', Properties: {} },
    HttpApi: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'local-charterflow' } },
    HttpApiIntegrationWebhook: { Type: 'AWS::ApiGatewayV2::Integration', Properties: {} },
    GuestPageCloudFrontFunction: {
      Type: 'AWS::CloudFront::Function',
      Properties: { Name: 'charterflow-local-guest-page' },
    },
    GuestPageResponseHeadersPolicy: { Type: 'AWS::CloudFront::ResponseHeadersPolicy', Properties: {} },
    OnlyElsewhere: { Type: 'AWS::SNS::Topic', Condition: 'IsNotLocal', Properties: {} },
    WebhookLambdaPermission: { Type: 'AWS::Lambda::Permission', Properties: {} },
  },
};

const resolver = () => createResolver(template, options);
const resolve = (value: unknown) => resolver().resolve(value, 'Test');
const errorOf = (value: unknown): TemplateError => {
  try {
    resolve(value);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error(`resolved without an error: ${JSON.stringify(value)}`);
};

describe('Ref and Fn::GetAtt answer what CloudFormation answers for each resource type', () => {
  it.each([
    [{ Ref: 'BookingsTable' }, 'charterflow-local-bookings'],
    [
      { 'Fn::GetAtt': ['BookingsTable', 'Arn'] },
      'arn:aws:dynamodb:us-west-2:000000000000:table/charterflow-local-bookings',
    ],
    [{ Ref: 'CalendarDeadLetterQueue' }, 'http://127.0.0.1:4566/000000000000/charterflow-local-calendar-dlq'],
    [
      { 'Fn::GetAtt': ['CalendarDeadLetterQueue', 'Arn'] },
      'arn:aws:sqs:us-west-2:000000000000:charterflow-local-calendar-dlq',
    ],
    [{ 'Fn::GetAtt': ['CalendarDeadLetterQueue', 'QueueName'] }, 'charterflow-local-calendar-dlq'],
    [
      { 'Fn::GetAtt': ['CalendarDeadLetterQueue', 'QueueUrl'] },
      'http://127.0.0.1:4566/000000000000/charterflow-local-calendar-dlq',
    ],
    [{ Ref: 'EventBus' }, 'charterflow-local'],
    [{ 'Fn::GetAtt': ['EventBus', 'Arn'] }, 'arn:aws:events:us-west-2:000000000000:event-bus/charterflow-local'],
    [{ 'Fn::GetAtt': ['EventBus', 'Name'] }, 'charterflow-local'],
    [{ Ref: 'CalendarRule' }, 'charterflow-local|charterflow-local-calendar'],
    [
      { 'Fn::GetAtt': ['CalendarRule', 'Arn'] },
      'arn:aws:events:us-west-2:000000000000:rule/charterflow-local/charterflow-local-calendar',
    ],
    [{ Ref: 'DefaultBusRule' }, 'nightly'],
    [{ 'Fn::GetAtt': ['DefaultBusRule', 'Arn'] }, 'arn:aws:events:us-west-2:000000000000:rule/nightly'],
    [{ Ref: 'ArnBusRule' }, 'charterflow-local|by-arn'],
    [{ Ref: 'EventArchive' }, 'charterflow-local-all'],
    [{ 'Fn::GetAtt': ['EventArchive', 'Arn'] }, 'arn:aws:events:us-west-2:000000000000:archive/charterflow-local-all'],
    [{ Ref: 'CalendarLambdaFunction' }, 'charterflow-local-calendar'],
    [
      { 'Fn::GetAtt': ['CalendarLambdaFunction', 'Arn'] },
      'arn:aws:lambda:us-west-2:000000000000:function:charterflow-local-calendar',
    ],
    [{ Ref: 'CalendarLogGroup' }, '/aws/lambda/charterflow-local-calendar'],
    [
      { 'Fn::GetAtt': ['CalendarLogGroup', 'Arn'] },
      'arn:aws:logs:us-west-2:000000000000:log-group:/aws/lambda/charterflow-local-calendar:*',
    ],
    [{ Ref: 'DeadLetterAlarmTopic' }, 'arn:aws:sns:us-west-2:000000000000:charterflow-local-dead-letters'],
    [{ 'Fn::GetAtt': ['DeadLetterAlarmTopic', 'TopicName'] }, 'charterflow-local-dead-letters'],
    [
      { 'Fn::GetAtt': ['DeadLetterAlarmTopic', 'TopicArn'] },
      'arn:aws:sns:us-west-2:000000000000:charterflow-local-dead-letters',
    ],
    [
      { 'Fn::GetAtt': ['GuestPageCloudFrontFunction', 'FunctionARN'] },
      'arn:aws:cloudfront::000000000000:function/charterflow-local-guest-page',
    ],
  ])('%j is %s', (value, expected) => {
    expect(resolve(value)).toBe(expected);
  });

  it('answers "LogicalId.Attribute" strings as Fn::GetAtt does its list', () => {
    expect(resolve({ 'Fn::GetAtt': 'BookingsTable.Arn' })).toBe(resolve({ 'Fn::GetAtt': ['BookingsTable', 'Arn'] }));
  });

  it('gives a DynamoDB stream ARN under its table', () => {
    expect(resolve({ 'Fn::GetAtt': ['BookingsTable', 'StreamArn'] })).toMatch(
      /^arn:aws:dynamodb:us-west-2:000000000000:table\/charterflow-local-bookings\/stream\/.+/,
    );
  });

  it('names an unnamed resource stackName-LogicalId-SUFFIX, the same on every read', () => {
    const queue = resolve({ 'Fn::GetAtt': ['UnnamedQueue', 'QueueName'] });
    expect(queue).toMatch(/^charterflow-local-UnnamedQueue-[A-Z0-9]{12}$/);
    expect(createResolver(template, options).nameOf('UnnamedQueue')).toBe(queue);
    expect(createResolver(template, { ...options, stackName: 'other' }).nameOf('UnnamedQueue')).not.toBe(queue);
    expect(resolve({ 'Fn::GetAtt': ['UnnamedFifoQueue', 'QueueName'] })).toMatch(/\.fifo$/);
  });

  it('gives a role its ARN, with no region, and an AROA id', () => {
    expect(resolve({ 'Fn::GetAtt': ['CalendarRole', 'Arn'] })).toMatch(
      /^arn:aws:iam::000000000000:role\/charterflow-local-CalendarRole-[A-Z0-9]{12}$/,
    );
    expect(resolve({ 'Fn::GetAtt': ['CalendarRole', 'RoleId'] })).toMatch(/^AROA[A-Z0-9]{17}$/);
  });

  it("gives a KMS key's id as its Ref and that id in its ARN", () => {
    const keyId = resolve({ Ref: 'LogsAndAlarmsKey' }) as string;
    expect(keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(resolve({ 'Fn::GetAtt': ['LogsAndAlarmsKey', 'Arn'] })).toBe(
      `arn:aws:kms:us-west-2:000000000000:key/${keyId}`,
    );
  });

  it("gives a bucket a lower-case generated name and S3's domain names", () => {
    const bucket = resolve({ Ref: 'ServerlessDeploymentBucket' }) as string;
    expect(bucket).toMatch(/^charterflow-local-serverlessdeploymentbucket-[a-z0-9]{12}$/);
    expect(resolve({ 'Fn::GetAtt': ['ServerlessDeploymentBucket', 'Arn'] })).toBe(`arn:aws:s3:::${bucket}`);
    expect(resolve({ 'Fn::GetAtt': ['ServerlessDeploymentBucket', 'DomainName'] })).toBe(`${bucket}.s3.amazonaws.com`);
    expect(resolve({ 'Fn::GetAtt': ['ServerlessDeploymentBucket', 'RegionalDomainName'] })).toBe(
      `${bucket}.s3.us-west-2.amazonaws.com`,
    );
  });

  it('gives an HTTP API an id and its endpoint, an integration an id, a headers policy an id', () => {
    const apiId = resolve({ Ref: 'HttpApi' }) as string;
    expect(apiId).toMatch(/^[a-z0-9]{10}$/);
    expect(resolve({ 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] })).toBe(
      `https://${apiId}.execute-api.us-west-2.amazonaws.com`,
    );
    expect(resolve({ Ref: 'HttpApiIntegrationWebhook' })).toMatch(/^[a-z0-9]{7}$/);
    const policyId = resolve({ Ref: 'GuestPageResponseHeadersPolicy' });
    expect(resolve({ 'Fn::GetAtt': ['GuestPageResponseHeadersPolicy', 'Id'] })).toBe(policyId);
  });
});

describe('pseudo parameters and template parameters', () => {
  it.each([
    ['AWS::Region', 'us-west-2'],
    ['AWS::AccountId', '000000000000'],
    ['AWS::Partition', 'aws'],
    ['AWS::StackName', 'charterflow-local'],
    ['AWS::URLSuffix', 'amazonaws.com'],
    ['Greeting', 'ahoy'],
  ])('Ref %s is %s', (name, expected) => {
    expect(resolve({ Ref: name })).toBe(expected);
  });

  it('AWS::NoValue drops the key it stands for, and a list element', () => {
    expect(resolve({ Keep: 'yes', Drop: { Ref: 'AWS::NoValue' } })).toEqual({ Keep: 'yes' });
    expect(resolve(['a', { Ref: 'AWS::NoValue' }, 'b'])).toEqual(['a', 'b']);
  });
});

describe('the string and list functions', () => {
  it('Fn::Sub replaces pseudo parameters, Ref and Logical.Attr, and keeps ${!Literal}', () => {
    expect(
      resolve({
        'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:${BookingsTable} ${!Literal}',
      }),
    ).toBe('arn:aws:logs:us-west-2:000000000000:charterflow-local-bookings ${Literal}');
    expect(resolve({ 'Fn::Sub': '${EventBus.Arn}/*' })).toBe(
      'arn:aws:events:us-west-2:000000000000:event-bus/charterflow-local/*',
    );
  });

  it('Fn::Sub takes [string, variables], the variables resolved first and winning over resource names', () => {
    expect(
      resolve({ 'Fn::Sub': ['${Bus}:${EventBus}', { Bus: { 'Fn::GetAtt': ['EventBus', 'Arn'] }, EventBus: 'mine' }] }),
    ).toBe('arn:aws:events:us-west-2:000000000000:event-bus/charterflow-local:mine');
  });

  it('Fn::Join, Fn::Select and Fn::Split', () => {
    expect(resolve({ 'Fn::Join': ['/', ['integrations', { Ref: 'EventBus' }]] })).toBe(
      'integrations/charterflow-local',
    );
    expect(resolve({ 'Fn::Select': [1, ['a', 'b', 'c']] })).toBe('b');
    expect(resolve({ 'Fn::Split': ['|', { Ref: 'CalendarRule' }] })).toEqual([
      'charterflow-local',
      'charterflow-local-calendar',
    ]);
    expect(resolve({ 'Fn::Select': ['1', { 'Fn::Split': [':', 'a:b:c'] }] })).toBe('b');
  });

  it('Fn::ImportValue reads the given exports', () => {
    expect(resolve({ 'Fn::ImportValue': 'shared-SccTableName' })).toBe('scc-events');
  });

  it('Fn::If follows its condition', () => {
    expect(resolve({ 'Fn::If': ['IsLocal', 'here', 'there'] })).toBe('here');
  });

  it('Fn::Base64 encodes', () => {
    expect(resolve({ 'Fn::Base64': 'ahoy' })).toBe('YWhveQ==');
  });
});

describe('errors name what failed and where', () => {
  it.each([
    [{ 'Fn::ImportValue': 'shared-Missing' }, /Test\.Fn::ImportValue: no stack exports shared-Missing/],
    [{ Nested: [{ 'Fn::GetAZs': '' }] }, /Test\.Nested\[0\]\.Fn::GetAZs: Fn::GetAZs is not supported/],
    [{ 'Fn::Cidr': ['10.0.0.0/16', 1, 8] }, /Fn::Cidr is not supported/],
    [{ Ref: 'NoSuchThing' }, /no resource or parameter named NoSuchThing/],
    [{ Ref: 'AWS::Madeup' }, /unsupported pseudo parameter AWS::Madeup/],
    [{ 'Fn::GetAtt': ['EventBus', 'Colour'] }, /AWS::Events::EventBus EventBus has no attribute Colour/],
    [{ Ref: 'WebhookLambdaPermission' }, /Ref and Fn::GetAtt of AWS::Lambda::Permission \(WebhookLambdaPermission\)/],
    [{ Ref: 'OnlyElsewhere' }, /no condition named IsNotLocal/],
    [{ 'Fn::Select': [5, ['a']] }, /Fn::Select index 5 is outside a list of 1/],
    [{ 'Fn::Sub': '${NoSuchThing.Arn}' }, /no resource or parameter named NoSuchThing/],
  ])('%j fails: %s', (value, message) => {
    expect(errorOf(value).message).toMatch(message);
  });
});
