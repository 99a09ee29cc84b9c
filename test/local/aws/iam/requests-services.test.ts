import { describe, expect, it } from 'vitest';
import type { ArnContext, Authorizations, AwsRequest } from '../../../../local/aws/iam/model';
import { authorizationsOf } from '../../../../local/aws/iam/requests';

/** SQS, EventBridge, Secrets Manager, CloudFront and SES v2 requests, and what AWS authorises for each. */

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const MAIL_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:charterflow/local/scc-api-key-Ab12Cd`;

const arns: ArnContext = {
  region: REGION,
  accountId: ACCOUNT,
  secretArn: (id) => (id === 'charterflow/local/scc-api-key' || id === MAIL_SECRET ? MAIL_SECRET : undefined),
  keySchemaOf: () => undefined,
  sesIdentities: ['bookings@sunsetcharters.example', 'sunsetcharters.example'],
};

const json = (service: string, operation: string, input: Record<string, unknown>) =>
  authorizationsOf({ protocol: 'json', service, operation, input } satisfies AwsRequest, arns);

const rest = (service: 's3' | 'cloudfront' | 'ses', method: string, url: string, body: unknown = '') =>
  authorizationsOf(
    {
      protocol: 'rest',
      service,
      method,
      url,
      headers: {},
      body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    },
    arns,
  );

function authorizationsFrom(answer: Authorizations) {
  if ('unknown' in answer) throw new Error(answer.unknown);
  return answer.authorizations;
}

describe('SQS requests', () => {
  const url = `http://127.0.0.1:4566/${ACCOUNT}/charterflow-local-calendar-dlq`;
  const queue = `arn:aws:sqs:${REGION}:${ACCOUNT}:charterflow-local-calendar-dlq`;

  it.each([
    ['SendMessage', 'sqs:SendMessage'],
    ['SendMessageBatch', 'sqs:SendMessage'],
    ['ReceiveMessage', 'sqs:ReceiveMessage'],
    ['DeleteMessageBatch', 'sqs:DeleteMessage'],
    ['ChangeMessageVisibilityBatch', 'sqs:ChangeMessageVisibility'],
    ['GetQueueAttributes', 'sqs:GetQueueAttributes'],
    ['PurgeQueue', 'sqs:PurgeQueue'],
    ['ListDeadLetterSourceQueues', 'sqs:ListDeadLetterSourceQueues'],
  ])('%s is %s on the queue its URL names', (operation, action) => {
    expect(json('sqs', operation, { QueueUrl: url })).toEqual({ authorizations: [{ action, resource: queue }] });
  });

  it('GetQueueUrl and CreateQueue are authorised on the queue they name', () => {
    expect(
      authorizationsFrom(json('AmazonSQS', 'GetQueueUrl', { QueueName: 'charterflow-local-calendar-dlq' })),
    ).toEqual([{ action: 'sqs:GetQueueUrl', resource: queue }]);
    expect(authorizationsFrom(json('sqs', 'CreateQueue', { QueueName: 'scratch' }))[0]?.resource).toBe(
      `arn:aws:sqs:${REGION}:${ACCOUNT}:scratch`,
    );
  });

  it('ListQueues is on "*"; an operation the mappers do not know is unknown', () => {
    expect(authorizationsFrom(json('sqs', 'ListQueues', {}))).toEqual([{ action: 'sqs:ListQueues', resource: '*' }]);
    expect(json('sqs', 'StartMessageMoveTask', { SourceArn: queue })).toEqual({
      unknown: 'sqs.StartMessageMoveTask is not known to the local IAM',
    });
  });
});

describe('EventBridge requests', () => {
  const base = `arn:aws:events:${REGION}:${ACCOUNT}`;

  it('PutEvents is events:PutEvents on each entry’s bus, with events:source and events:detail-type', () => {
    const answer = json('events', 'PutEvents', {
      Entries: [
        {
          EventBusName: 'charterflow-local',
          Source: 'charterflow.intake',
          DetailType: 'BookingReceived',
          Detail: '{}',
        },
        {
          EventBusName: `${base}:event-bus/charterflow-local`,
          Source: 'charterflow.calendar',
          DetailType: 'CalendarEntryCreated',
        },
        { Source: 'charterflow.intake', DetailType: 'BookingReceived' },
      ],
    });
    expect(authorizationsFrom(answer)).toEqual([
      {
        action: 'events:PutEvents',
        resource: `${base}:event-bus/charterflow-local`,
        context: { 'events:source': 'charterflow.intake', 'events:detail-type': 'BookingReceived' },
      },
      {
        action: 'events:PutEvents',
        resource: `${base}:event-bus/charterflow-local`,
        context: { 'events:source': 'charterflow.calendar', 'events:detail-type': 'CalendarEntryCreated' },
      },
      {
        action: 'events:PutEvents',
        resource: `${base}:event-bus/default`,
        context: { 'events:source': 'charterflow.intake', 'events:detail-type': 'BookingReceived' },
      },
    ]);
  });

  it('a rule is named under its bus, and PutTargets carries events:TargetArn', () => {
    expect(
      authorizationsFrom(json('events', 'DescribeRule', { Name: 'calendar', EventBusName: 'charterflow-local' })),
    ).toEqual([{ action: 'events:DescribeRule', resource: `${base}:rule/charterflow-local/calendar` }]);
    expect(authorizationsFrom(json('events', 'DisableRule', { Name: 'nightly' }))).toEqual([
      { action: 'events:DisableRule', resource: `${base}:rule/nightly` },
    ]);
    const target = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:charterflow-local-calendar`;
    expect(
      authorizationsFrom(
        json('events', 'PutTargets', {
          Rule: 'calendar',
          EventBusName: 'charterflow-local',
          Targets: [{ Id: '1', Arn: target }],
        }),
      ),
    ).toEqual([
      {
        action: 'events:PutTargets',
        resource: `${base}:rule/charterflow-local/calendar`,
        context: { 'events:TargetArn': [target] },
      },
    ]);
  });

  it('archives and replays are authorised on their ARNs, and on the bus or archive they read', () => {
    const bus = `${base}:event-bus/charterflow-local`;
    const archive = `${base}:archive/charterflow-local-all`;
    expect(
      authorizationsFrom(
        json('events', 'CreateArchive', { ArchiveName: 'charterflow-local-all', EventSourceArn: bus }),
      ),
    ).toEqual([
      { action: 'events:CreateArchive', resource: archive },
      { action: 'events:CreateArchive', resource: bus },
    ]);
    expect(
      authorizationsFrom(
        json('events', 'StartReplay', {
          ReplayName: 'BS-48213-replay',
          EventSourceArn: archive,
          Destination: { Arn: bus },
          EventStartTime: 0,
          EventEndTime: 1,
        }),
      ),
    ).toEqual([
      { action: 'events:StartReplay', resource: `${base}:replay/BS-48213-replay` },
      { action: 'events:StartReplay', resource: archive },
    ]);
    expect(authorizationsFrom(json('events', 'CancelReplay', { ReplayName: 'r' }))).toEqual([
      { action: 'events:CancelReplay', resource: `${base}:replay/r` },
    ]);
  });

  it('an operation the mappers do not know is unknown', () => {
    expect(json('events', 'PutPermission', {})).toEqual({
      unknown: 'events.PutPermission is not known to the local IAM',
    });
  });
});

describe('Secrets Manager requests', () => {
  it('GetSecretValue is authorised on the full ARN, random characters included, with secretsmanager:SecretId', () => {
    expect(json('secretsmanager', 'GetSecretValue', { SecretId: 'charterflow/local/scc-api-key' })).toEqual({
      authorizations: [
        {
          action: 'secretsmanager:GetSecretValue',
          resource: MAIL_SECRET,
          context: { 'secretsmanager:SecretId': 'charterflow/local/scc-api-key' },
        },
      ],
    });
  });

  it('a secret that does not exist is authorised on secret:<name>, as AWS does', () => {
    expect(
      authorizationsFrom(json('secretsmanager', 'DescribeSecret', { SecretId: 'charterflow/local/nothing' }))[0]
        ?.resource,
    ).toBe(`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:charterflow/local/nothing`);
  });

  it('ListSecrets is on "*"; an unknown operation is unknown', () => {
    expect(authorizationsFrom(json('secretsmanager', 'ListSecrets', {}))).toEqual([
      { action: 'secretsmanager:ListSecrets', resource: '*' },
    ]);
    expect(json('secretsmanager', 'ReplicateSecretToRegions', { SecretId: 'x' })).toEqual({
      unknown: 'secretsmanager.ReplicateSecretToRegions is not known to the local IAM',
    });
  });
});

describe('CloudFront requests', () => {
  const distribution = `arn:aws:cloudfront::${ACCOUNT}:distribution/E2LOCALGUEST`;

  it.each([
    ['POST', '/2020-05-31/distribution/E2LOCALGUEST/invalidation', 'cloudfront:CreateInvalidation'],
    ['GET', '/2020-05-31/distribution/E2LOCALGUEST/invalidation/I2J0I21PCUYOIK', 'cloudfront:GetInvalidation'],
    ['GET', '/2020-05-31/distribution/E2LOCALGUEST/invalidation?MaxItems=10', 'cloudfront:ListInvalidations'],
    ['GET', '/2020-05-31/distribution/E2LOCALGUEST', 'cloudfront:GetDistribution'],
    ['GET', '/2020-05-31/distribution/E2LOCALGUEST/config', 'cloudfront:GetDistributionConfig'],
  ])('%s %s is %s on the distribution', (method, url, action) => {
    expect(rest('cloudfront', method, url)).toEqual({ authorizations: [{ action, resource: distribution }] });
  });

  it('an operation the mappers do not know is unknown', () => {
    expect(rest('cloudfront', 'POST', '/2020-05-31/function')).toEqual({
      unknown: 'cloudfront.POST /2020-05-31/function is not known to the local IAM',
    });
  });
});

describe('SES v2 requests', () => {
  const ses = `arn:aws:ses:${REGION}:${ACCOUNT}`;
  const mail = (FromEmailAddress: string, extra: Record<string, unknown> = {}) => ({
    FromEmailAddress,
    Destination: { ToAddresses: ['renter@example.net'] },
    Content: { Simple: { Subject: { Data: 'Your charter' }, Body: { Text: { Data: 'See you at the dock.' } } } },
    ...extra,
  });

  it("guest-mail's SendEmail is ses:SendEmail on the verified From address and on its configuration set", () => {
    const answer = rest(
      'ses',
      'POST',
      '/v2/email/outbound-emails',
      mail('Sunset Charters <bookings@sunsetcharters.example>', { ConfigurationSetName: 'charterflow-local' }),
    );
    const context = {
      'ses:ApiVersion': '2',
      'ses:FromAddress': 'bookings@sunsetcharters.example',
      'ses:FromDisplayName': 'Sunset Charters',
    };
    expect(answer).toEqual({
      authorizations: [
        { action: 'ses:SendEmail', resource: `${ses}:identity/bookings@sunsetcharters.example`, context },
        { action: 'ses:SendEmail', resource: `${ses}:configuration-set/charterflow-local`, context },
      ],
    });
  });

  it('an address that is not itself verified sends as its domain; the renter’s address is in no condition value', () => {
    const [authorization] = authorizationsFrom(
      rest('ses', 'POST', '/v2/email/outbound-emails', mail('desk@sunsetcharters.example')),
    );
    expect(authorization?.resource).toBe(`${ses}:identity/sunsetcharters.example`);
    expect(JSON.stringify(authorization)).not.toContain('renter@example.net');
  });

  it('FromEmailAddressIdentityArn names the identity itself', () => {
    const identity = `arn:aws:ses:${REGION}:111122223333:identity/partner.example`;
    const [authorization] = authorizationsFrom(
      rest(
        'ses',
        'POST',
        '/v2/email/outbound-emails',
        mail('desk@partner.example', { FromEmailAddressIdentityArn: identity }),
      ),
    );
    expect(authorization?.resource).toBe(identity);
  });

  it('GetAccount is on "*"; an unknown route is unknown', () => {
    expect(authorizationsFrom(rest('ses', 'GET', '/v2/email/account'))).toEqual([
      { action: 'ses:GetAccount', resource: '*' },
    ]);
    expect(rest('ses', 'GET', '/v2/email/identities')).toEqual({
      unknown: 'ses.GET /v2/email/identities is not known to the local IAM',
    });
  });
});
