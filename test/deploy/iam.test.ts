import { describe, expect, it } from 'vitest';
import { defineAccess } from '../../shared/access';
import type { DiscoveredService } from '../../deploy/discover';
import { discoverServices } from '../../deploy/discover';
import { insidePrivateRecords, outsidePrivateRecords, roleOf, type PolicyStatement } from '../../deploy/iam';
import { parseParams, type DeployParams } from '../../deploy/params';
import { defineConsumer } from '../../shared/declaration';

const params: DeployParams = {
  mode: 'live',
  archiveRetentionDays: 365,
  sccTableName: 'scc-events',
  guestSiteBucket: 'queenofsandiego.com',
  legacyBucket: 'sailjada.com',
  guestSiteDistributionId: 'E1ABCDEF234567',
  jadaCalendarUrl: 'https://calendar.example.com',
  sccInvokeUrl: 'https://scc.example.com',
  guestMailFrom: 'Queen of San Diego <charters@queenofsandiego.com>',
  guestMailIdentity: 'queenofsandiego.com',
  webhookReservedConcurrency: 10,
  webhookRateLimit: 10,
  webhookBurstLimit: 20,
  bookingToPageAlarmSeconds: 300,
  webhook4xxAlarmPercent: 25,
};

const service = (overrides: Partial<DiscoveredService>): DiscoveredService => ({
  name: 'cabin-notes',
  dir: '/charterflow/services/cabin-notes',
  handlerModule: 'services/cabin-notes/handler',
  declaration: defineConsumer({ name: 'cabin-notes', description: 'd', consumes: ['CrewEventCreated'], emits: [] }),
  access: {},
  ...overrides,
});
const statements = (s: DiscoveredService): PolicyStatement[] =>
  roleOf(s, 'charterflow-ci-cabin-notes', params).Properties.Policies[0]!.PolicyDocument.Statement;

describe('a function role', () => {
  it('of a consumer that only listens holds its own log group and its own dead-letter queue, nothing else', () => {
    expect(statements(service({}))).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [
          {
            'Fn::Sub':
              'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/charterflow-ci-cabin-notes:*',
          },
        ],
      },
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: [{ 'Fn::GetAtt': ['CabinNotesDeadLetterQueue', 'Arn'] }],
      },
    ]);
  });

  it('adds PutEvents on the bus when the declaration emits, and its own tables with their indexes', () => {
    const declaration = defineConsumer({
      name: 'cabin-notes',
      description: 'd',
      consumes: ['CrewEventCreated'],
      emits: ['CrewNotesScrubbed'],
      tables: [{ name: 'notes', partitionKey: 'pk', indexes: [{ name: 'byDay', partitionKey: 'day' }] }],
    });
    const all = statements(service({ declaration }));
    expect(all).toContainEqual({
      Effect: 'Allow',
      Action: ['events:PutEvents'],
      Resource: [{ 'Fn::GetAtt': ['EventBus', 'Arn'] }],
    });
    const table = all.find((s) => s.Action.includes('dynamodb:Query'))!;
    expect(table.Resource).toEqual([
      { 'Fn::GetAtt': ['CabinNotesNotesTable', 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['CabinNotesNotesTable', 'Arn'] }, '/index/byDay']] },
    ]);
  });

  it('turns access.ts into exact resources: SCC table, bucket prefixes, one distribution, named secrets', () => {
    const access = defineAccess({
      sccTable: ['dynamodb:GetItem'],
      guestSiteObjects: { 'g/*': ['s3:PutObject'] },
      legacySiteObjects: { 'assets/*': ['s3:GetObject'] },
      guestSiteInvalidation: true,
      secrets: ['jadaDashboardToken', 'sccServiceKey'],
    });
    const resources = statements(service({ access }))
      .slice(2)
      .map((s) => [s.Action, s.Resource]);
    expect(resources).toEqual([
      [
        ['dynamodb:GetItem'],
        [{ 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/scc-events' }],
      ],
      [['s3:PutObject'], [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::queenofsandiego.com/g/*' }]],
      [['s3:GetObject'], [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::sailjada.com/assets/*' }]],
      [
        ['cloudfront:CreateInvalidation'],
        [{ 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/E1ABCDEF234567' }],
      ],
      [
        ['secretsmanager:GetSecretValue'],
        [
          {
            'Fn::Sub':
              'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:charterflow/jada/dashboard-token-??????',
          },
          {
            'Fn::Sub':
              'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:charterflow/scc/service-key-??????',
          },
        ],
      ],
    ]);
  });
});

describe("the bookings' private records", () => {
  const bookings = { 'Fn::GetAtt': ['BookingsTable', 'Arn'] };

  it('are out of reach of a role granted the bookings table: its grant names every partition but PRIVATE#', () => {
    const access = defineAccess({ bookingsTable: ['dynamodb:GetItem', 'dynamodb:Query'] });
    expect(statements(service({ access })).slice(2)).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [bookings],
        Condition: { 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': ['PRIVATE#*'] } },
      },
    ]);
  });

  it('are granted by access.ts alone, on PRIVATE# partitions only', () => {
    const access = defineAccess({ privateRecords: ['dynamodb:GetItem'] });
    expect(statements(service({ access })).slice(2)).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem'],
        Resource: [bookings],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PRIVATE#*'] } },
      },
    ]);
  });

  it('are written by the webhook only, and read by crew and guest-mail only', async () => {
    const grants = Object.fromEntries(
      (await discoverServices())
        .map(
          (s) =>
            [
              s.name,
              statements(s).filter((st) => JSON.stringify(st.Condition) === JSON.stringify(insidePrivateRecords)),
            ] as const,
        )
        .filter(([, st]) => st.length > 0)
        .map(([name, st]) => [name, st.flatMap((x) => x.Action)]),
    );
    expect(grants).toEqual({
      crew: ['dynamodb:GetItem'],
      'guest-mail': ['dynamodb:GetItem'],
      webhook: ['dynamodb:PutItem'],
    });
    for (const s of await discoverServices()) {
      for (const st of statements(s).filter((x) => JSON.stringify(x.Resource).includes('BookingsTable'))) {
        expect([outsidePrivateRecords, insidePrivateRecords], `${s.name}: ${st.Action.join(', ')}`).toContainEqual(
          st.Condition,
        );
      }
    }
  });
});

describe('the guest-mail grant', () => {
  const sesArn = (resource: string) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
  });

  it('is ses:SendEmail on the sending identity only, and on the configuration set when one is named', () => {
    const access = defineAccess({ guestMail: true });
    expect(statements(service({ access })).slice(2)).toEqual([
      { Effect: 'Allow', Action: ['ses:SendEmail'], Resource: [sesArn('identity/queenofsandiego.com')] },
    ]);
    const withSet = roleOf(service({ access }), 'charterflow-ci-cabin-notes', {
      ...params,
      guestMailConfigurationSet: 'guest-mail',
    });
    expect(withSet.Properties.Policies[0]!.PolicyDocument.Statement.slice(2)).toEqual([
      {
        Effect: 'Allow',
        Action: ['ses:SendEmail'],
        Resource: [sesArn('identity/queenofsandiego.com'), sesArn('configuration-set/guest-mail')],
      },
    ]);
  });
});

describe('deploy parameters', () => {
  const raw = { ...params, archiveRetentionDays: '365', alarmEmail: '' };

  it('are read from serverless.yml params, an empty alarm e-mail meaning none', () => {
    expect(parseParams(raw)).toEqual(params);
    expect(parseParams({ ...raw, alarmEmail: 'ops@example.com' }).alarmEmail).toBe('ops@example.com');
  });

  it('name the one that is missing, and how to pass it', () => {
    const { guestSiteDistributionId: _, ...missing } = raw;
    expect(() => parseParams(missing)).toThrow(
      'deploy parameter guestSiteDistributionId is not set: pass --param=guestSiteDistributionId=<value>',
    );
  });

  it('take the SES identity from the From unless given, and refuse a From that is no address', () => {
    const { guestMailIdentity: _, ...noIdentity } = raw;
    expect(parseParams(noIdentity).guestMailIdentity).toBe('queenofsandiego.com');
    expect(parseParams({ ...raw, guestMailIdentity: 'charters@queenofsandiego.com' }).guestMailIdentity).toBe(
      'charters@queenofsandiego.com',
    );
    expect(
      parseParams({ ...raw, guestMailReplyTo: 'crew@queenofsandiego.com', guestMailConfigurationSet: '' }),
    ).toMatchObject({
      guestMailReplyTo: 'crew@queenofsandiego.com',
    });
    expect(() => parseParams({ ...raw, guestMailFrom: 'Queen of San Diego' })).toThrow(
      /guestMailFrom must be an address/,
    );
  });

  it('reject a retention that is not a whole number of days', () => {
    expect(() => parseParams({ ...raw, archiveRetentionDays: 'a year' })).toThrow(
      /archiveRetentionDays must be a whole number/,
    );
  });

  it('reject a reserved concurrency, a throttle or an alarm threshold that is not a positive number', () => {
    expect(() => parseParams({ ...raw, webhookReservedConcurrency: '0' })).toThrow(
      /webhookReservedConcurrency must be a positive whole number, got 0/,
    );
    expect(() => parseParams({ ...raw, webhookBurstLimit: '2.5' })).toThrow(
      /webhookBurstLimit must be a positive whole number/,
    );
    expect(() => parseParams({ ...raw, bookingToPageAlarmSeconds: 'five minutes' })).toThrow(
      /bookingToPageAlarmSeconds must be a positive number/,
    );
    expect(parseParams({ ...raw, webhookRateLimit: '2.5' }).webhookRateLimit).toBe(2.5);
  });
});
