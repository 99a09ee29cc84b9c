import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { secretNames } from '../../shared/config';
import {
  archiveName,
  deployedNames,
  eventPatternOf,
  ownTableName,
  type ConsumerDeclaration,
} from '../../shared/declaration';
import { devSecrets } from '../../local/charterflow/seed';
import { discoverServices, type DiscoveredService } from '../../deploy/discover';
import { documentedWildcards } from '../../deploy/iam';
import { consumerLogicalIds, functionKeyOf, functionLogicalIdOf } from '../../deploy/template';
import { httpApiPermissionLogicalIdOf, logGroupLogicalIdOf, observabilityIds } from '../../deploy/observability';
import { checkTemplate } from './cfn-spec';
import { packageOffline, readTemplate, zipEntries, type CfnResource, type CfnTemplate } from './package';
import { specification } from '@aws-cdk/cfnspec';
import { GUEST_PAGE_CONTENT_SECURITY_POLICY } from '../../services/guest-page/security-headers';

const root = fileURLToPath(new URL('../..', import.meta.url));
const STAGE = 'ci';

let template: CfnTemplate;
let templateText: string;
let services: DiscoveredService[];
let consumers: (DiscoveredService & { declaration: ConsumerDeclaration })[];

// Packaging bundles every function: slow, so once for the whole file; the tests read its output.
beforeAll(async () => {
  await packageOffline(root, STAGE);
  template = readTemplate(root);
  templateText = JSON.stringify(template);
  services = await discoverServices(root);
  consumers = services.filter(
    (s): s is DiscoveredService & { declaration: ConsumerDeclaration } => s.declaration.kind === 'consumer',
  );
}, 300_000);

const resource = (logicalId: string): CfnResource => {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`the template has no resource ${logicalId}`);
  return found;
};
const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });

/** Where a resource's properties differ from the CloudFormation specification: unknown names, missing required ones, wrong primitive types. */
function propertyErrors(resourceType: string, properties: Record<string, unknown>): string[] {
  const spec = specification();
  const primitive: Record<string, string> = {
    String: 'string',
    Boolean: 'boolean',
    Integer: 'number',
    Double: 'number',
    Long: 'number',
  };
  const check = (typeName: string, value: Record<string, unknown>, path: string): string[] => {
    const type = (typeName === resourceType ? spec.ResourceTypes[typeName] : spec.PropertyTypes[typeName]) as
      | { Properties?: object }
      | undefined;
    const declared = type?.Properties ?? {};
    const errors = Object.keys(value)
      .filter((name) => !(name in declared))
      .map((name) => `${path}.${name} is not a property of ${typeName}`);
    for (const [name, property] of Object.entries(declared) as [
      string,
      { Required?: boolean; PrimitiveType?: string; Type?: string },
    ][]) {
      const given = value[name];
      if (given === undefined) {
        if (property.Required) errors.push(`${path}.${name} is required`);
      } else if (property.PrimitiveType) {
        if (typeof given !== primitive[property.PrimitiveType])
          errors.push(`${path}.${name} should be ${property.PrimitiveType}`);
      } else if (property.Type && property.Type !== 'List' && property.Type !== 'Map') {
        errors.push(...check(`${resourceType}.${property.Type}`, given as Record<string, unknown>, `${path}.${name}`));
      }
    }
    return errors;
  };
  return check(resourceType, properties, resourceType);
}

interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown[];
}
const statementsOf = (role: CfnResource): Statement[] =>
  role.Properties.Policies.flatMap((p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement);
const resourceText = (r: unknown) =>
  typeof r === 'string'
    ? r
    : JSON.stringify(r).includes('Fn::Sub')
      ? (r as { 'Fn::Sub': string })['Fn::Sub']
      : JSON.stringify(r);
const roleOfService = (name: string) => resource(consumerLogicalIds(name).role);
const actionsOf = (name: string) => statementsOf(roleOfService(name)).flatMap((s) => s.Action);

describe('the packaged CloudFormation template', () => {
  it('finds the services by folder, each with its declaration', () => {
    expect(services.map((s) => s.name)).toContain('booking-ledger');
    expect(consumers.length).toBeGreaterThan(0);
  });

  it(`has the custom bus charterflow-${STAGE}, and an archive of everything on it kept 365 days`, () => {
    expect(resource('EventBus')).toMatchObject({
      Type: 'AWS::Events::EventBus',
      Properties: { Name: `charterflow-${STAGE}` },
    });
    const archives = ofType('AWS::Events::Archive');
    expect(archives).toHaveLength(1);
    const [, archive] = archives[0]!;
    expect(archive.Properties.ArchiveName).toBe(archiveName(STAGE));
    expect(archive.Properties.SourceArn).toEqual(getAtt('EventBus'));
    expect(archive.Properties.RetentionDays).toBe(365);
    expect(archive.Properties.EventPattern).toBeUndefined();
  });

  it('gives every consumer a rule on the bus whose pattern is exactly its declaration', () => {
    for (const { name, declaration } of consumers) {
      const rule = resource(consumerLogicalIds(name).rule);
      expect(rule.Type, name).toBe('AWS::Events::Rule');
      expect(rule.Properties.Name, name).toBe(deployedNames(name, STAGE).ruleName);
      expect(rule.Properties.EventBusName, name).toEqual({ Ref: 'EventBus' });
      expect(rule.Properties.EventPattern, name).toEqual(eventPatternOf(declaration));
      expect(rule.Properties.Targets, name).toHaveLength(1);
      expect(rule.Properties.Targets[0].Arn, name).toEqual(getAtt(functionLogicalIdOf(name)));
    }
    expect(ofType('AWS::Events::Rule')).toHaveLength(consumers.length);
  });

  it("gives every consumer's target the declared retry policy and its own dead-letter queue", () => {
    for (const { name, declaration } of consumers) {
      const ids = consumerLogicalIds(name);
      const [target] = resource(ids.rule).Properties.Targets;
      expect(target.RetryPolicy, name).toEqual({
        MaximumEventAgeInSeconds: declaration.retry.maximumEventAgeInSeconds,
        MaximumRetryAttempts: declaration.retry.maximumRetryAttempts,
      });
      expect(target.DeadLetterConfig, name).toEqual({ Arn: getAtt(ids.deadLetterQueue) });
      expect(resource(ids.deadLetterQueue), name).toMatchObject({
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: deployedNames(name, STAGE).deadLetterQueueName },
      });
    }
  });

  it('dead-letters an event the function itself failed on into the same queue, after the declared retries (Lambda caps them at 2)', () => {
    for (const { name, declaration } of consumers) {
      const ids = consumerLogicalIds(name);
      expect(resource(ids.function).Properties.DeadLetterConfig, name).toEqual({
        TargetArn: getAtt(ids.deadLetterQueue),
      });
      const [, config] =
        ofType('AWS::Lambda::EventInvokeConfig').find(([, c]) =>
          JSON.stringify(c.Properties.FunctionName).includes(ids.function),
        ) ?? [];
      expect(config?.Properties, name).toMatchObject({
        Qualifier: '$LATEST',
        MaximumRetryAttempts: Math.min(2, declaration.retry.maximumRetryAttempts),
        MaximumEventAgeInSeconds: Math.min(21_600, declaration.retry.maximumEventAgeInSeconds),
      });
      const sends = statementsOf(resource(ids.role)).filter((s) => s.Action.some((a) => a.startsWith('sqs:')));
      expect(sends, name).toEqual([
        { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [getAtt(ids.deadLetterQueue)] },
      ]);
    }
  });

  it('lets only its own rule write to each dead-letter queue, and only its rule invoke each consumer', () => {
    for (const { name } of consumers) {
      const ids = consumerLogicalIds(name);
      const policy = resource(ids.deadLetterQueuePolicy);
      expect(policy.Properties.Queues, name).toEqual([{ Ref: ids.deadLetterQueue }]);
      expect(policy.Properties.PolicyDocument.Statement, name).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: getAtt(ids.deadLetterQueue),
          Condition: { ArnEquals: { 'aws:SourceArn': getAtt(ids.rule) } },
        },
      ]);
      expect(resource(ids.permission).Properties, name).toEqual({
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(ids.function),
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(ids.rule),
      });
    }
  });

  it('alarms when any dead-letter queue holds a message', () => {
    for (const { name } of consumers) {
      const ids = consumerLogicalIds(name);
      expect(resource(ids.deadLetterAlarm).Properties, name).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(ids.deadLetterQueue, 'QueueName') }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: 'DeadLetterAlarmTopic' }],
      });
    }
  });

  it('routes POST /webhooks/boatsetter on the HTTP API to the webhook function', () => {
    const http = services.filter((s) => s.declaration.kind === 'http');
    for (const { name, declaration } of http) {
      if (declaration.kind !== 'http') continue;
      const route = ofType('AWS::ApiGatewayV2::Route').find(
        ([, r]) => r.Properties.RouteKey === `${declaration.route.method} ${declaration.route.path}`,
      );
      expect(route, name).toBeDefined();
      const integrationId = (route![1].Properties.Target['Fn::Join'][1] as unknown[])[1] as { Ref: string };
      expect(JSON.stringify(resource(integrationId.Ref).Properties.IntegrationUri)).toContain(
        functionLogicalIdOf(name),
      );
    }
    if (existsSync(join(root, 'services/webhook/handler.ts'))) {
      expect(http.map((s) => s.name)).toContain('webhook');
    }
  });

  it('has our bookings table with point-in-time recovery and the expiresAt TTL', () => {
    expect(resource('BookingsTable').Properties).toMatchObject({
      TableName: `charterflow-${STAGE}-bookings`,
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('creates the tables a consumer declares (the booking ledger), with recovery on', () => {
    const tables = ofType('AWS::DynamoDB::Table').map(([, t]) => t.Properties);
    for (const { name, declaration } of consumers) {
      for (const table of declaration.tables ?? []) {
        const found = tables.find((t) => t.TableName === ownTableName(name, table.name, STAGE));
        expect(found, `${name}/${table.name}`).toMatchObject({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        });
        expect((found!.GlobalSecondaryIndexes ?? []).map((i: { IndexName: string }) => i.IndexName)).toEqual(
          (table.indexes ?? []).map((i) => i.name),
        );
      }
    }
    expect(tables.map((t) => t.TableName)).toContain(`charterflow-${STAGE}-booking-ledger-timeline`);
  });

  it('deploys the guest-site CloudFront Function from its file, published, with its ARN as an output', () => {
    const file = join(root, 'services/guest-page/cloudfront-function.js');
    expect(resource('GuestPageCloudFrontFunction').Properties).toEqual({
      Name: `charterflow-${STAGE}-guest-page`,
      AutoPublish: true,
      FunctionCode: readFileSync(file, 'utf8'),
      FunctionConfig: { Comment: expect.any(String), Runtime: 'cloudfront-js-2.0' },
    });
    expect(template.Outputs.GuestPageCloudFrontFunctionArn?.Value).toEqual(
      getAtt('GuestPageCloudFrontFunction', 'FunctionARN'),
    );
  });

  it('has the guest page security headers as a CloudFront response headers policy, with its id as an output', () => {
    expect(resource('GuestPageResponseHeadersPolicy')).toEqual({
      Type: 'AWS::CloudFront::ResponseHeadersPolicy',
      Properties: {
        ResponseHeadersPolicyConfig: {
          Name: `charterflow-${STAGE}-guest-page`,
          Comment: expect.stringContaining('/g/*'),
          SecurityHeadersConfig: {
            ContentSecurityPolicy: { ContentSecurityPolicy: GUEST_PAGE_CONTENT_SECURITY_POLICY, Override: true },
            ContentTypeOptions: { Override: true },
            FrameOptions: { FrameOption: 'DENY', Override: true },
            ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
            StrictTransportSecurity: {
              AccessControlMaxAgeSec: 31_536_000,
              IncludeSubdomains: false,
              Preload: false,
              Override: true,
            },
          },
        },
      },
    });
    const policy = GUEST_PAGE_CONTENT_SECURITY_POLICY.split('; ');
    expect(policy).toEqual(
      expect.arrayContaining(["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"]),
    );
    expect(policy.join(' ')).not.toMatch(/script-src|'unsafe-eval'|\*/);
    expect(template.Outputs.GuestPageResponseHeadersPolicyId?.Value).toEqual(
      getAtt('GuestPageResponseHeadersPolicy', 'Id'),
    );
  });

  it('declares the response headers policy as CloudFormation specifies it: every property known, every required one set', () => {
    expect(
      propertyErrors('AWS::CloudFront::ResponseHeadersPolicy', resource('GuestPageResponseHeadersPolicy').Properties),
    ).toEqual([]);
  });

  it('runs every function on nodejs22.x, arm64, with its own role', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(services.length);
    const roles = new Set<string>();
    for (const { name } of services) {
      const fn = resource(functionLogicalIdOf(name));
      expect(fn.Properties, name).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        FunctionName: deployedNames(name, STAGE).functionName,
        Role: getAtt(consumerLogicalIds(name).role),
      });
      roles.add(consumerLogicalIds(name).role);
    }
    expect(roles.size).toBe(services.length);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });
});

describe('observability', () => {
  const dashboardWidgets = () => {
    const body = resource(observabilityIds.dashboard).Properties.DashboardBody['Fn::Sub'] as string;
    return (JSON.parse(body) as { widgets: { properties: { title: string; metrics: unknown[][] } }[] }).widgets.map(
      (w) => w.properties,
    );
  };
  const widget = (title: RegExp) => {
    const found = dashboardWidgets().find((w) => title.test(w.title));
    if (!found) throw new Error(`the dashboard has no widget titled ${title}`);
    return found;
  };
  const metricsOf = (w: { metrics: unknown[][] }) => w.metrics.map((m) => m.slice(0, 4).join(' '));

  it(`has one dashboard for the stage, charterflow-${STAGE}`, () => {
    expect(ofType('AWS::CloudWatch::Dashboard')).toHaveLength(1);
    expect(resource(observabilityIds.dashboard).Properties.DashboardName).toBe(`charterflow-${STAGE}`);
  });

  it('shows bookings per hour, booking-to-page p50 and p99, and conflicts', () => {
    const bookings = widget(/^Bookings per hour/);
    expect(metricsOf(bookings)).toEqual(
      ['bookingsReceived', 'bookingsChanged', 'bookingsCancelled'].map((m) => `charterflow ${m} service webhook`),
    );
    expect(bookings).toMatchObject({ period: 3600, stat: 'Sum' });
    const latency = widget(/^Booking to live guest page/);
    expect(latency.metrics.map((m) => [m[1], m[3], (m[4] as { stat: string }).stat])).toEqual([
      ['bookingToPageLatency', 'guest-page', 'p50'],
      ['bookingToPageLatency', 'guest-page', 'p99'],
    ]);
    expect(metricsOf(widget(/^Double bookings/))).toEqual(
      consumers.map(({ name }) => `charterflow doubleBookingsDetected service ${name}`),
    );
  });

  it("shows every consumer's errors and duration, and every dead-letter queue's depth", () => {
    const errors = metricsOf(widget(/^Errors per function/));
    const durations = metricsOf(widget(/^Duration per function/));
    const depth = metricsOf(widget(/^Dead-letter queue depth/));
    for (const { name } of consumers) {
      const fn = deployedNames(name, STAGE).functionName;
      expect(errors, name).toContain(`AWS/Lambda Errors FunctionName ${fn}`);
      expect(errors, name).toContain(`charterflow eventsFailed service ${name}`);
      expect(durations, name).toContain(`AWS/Lambda Duration FunctionName ${fn}`);
      expect(depth, name).toContain(
        `AWS/SQS ApproximateNumberOfMessagesVisible QueueName ${deployedNames(name, STAGE).deadLetterQueueName}`,
      );
    }
  });

  it('alarms on booking-to-page p99 above 5 minutes, to the dead-letter alarm topic', () => {
    expect(resource(observabilityIds.bookingToPageAlarm).Properties).toMatchObject({
      Namespace: 'charterflow',
      MetricName: 'bookingToPageLatency',
      Dimensions: [{ Name: 'service', Value: 'guest-page' }],
      ExtendedStatistic: 'p99',
      Threshold: 300_000,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'DeadLetterAlarmTopic' }],
    });
  });

  it('alarms on any double booking detected by any service, consumers added later included', () => {
    expect(resource(observabilityIds.doubleBookingAlarm).Properties).toMatchObject({
      Metrics: [
        {
          Id: 'detected',
          Expression: 'SELECT SUM(doubleBookingsDetected) FROM SCHEMA("charterflow", service)',
          Period: 60,
          ReturnData: true,
        },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'DeadLetterAlarmTopic' }],
    });
  });

  it("alarms on the webhook's 4xx rate, from the HTTP API's own metrics", () => {
    const alarm = resource(observabilityIds.webhook4xxAlarm).Properties;
    expect(alarm).toMatchObject({
      Threshold: 25,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'DeadLetterAlarmTopic' }],
    });
    const byId = Object.fromEntries((alarm.Metrics as { Id: string }[]).map((m) => [m.Id, m])) as Record<string, any>;
    expect(byId.requests.MetricStat.Metric).toEqual({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Count',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
    });
    expect(byId.rejected.MetricStat.Metric.MetricName).toBe('4xx');
    expect(byId.rejectedPercent.Expression).toBe('IF(requests >= 5, 100 * rejected / requests, 0)');
  });

  it('traces every function actively, and lets each role send its segments to X-Ray', () => {
    for (const { name } of services) {
      expect(resource(functionLogicalIdOf(name)).Properties.TracingConfig, name).toEqual({ Mode: 'Active' });
      expect(roleOfService(name).Properties.ManagedPolicyArns, name).toEqual([
        { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess' },
      ]);
    }
  });

  it("reserves the webhook's concurrency and throttles the HTTP API stage", () => {
    expect(resource(functionLogicalIdOf('webhook')).Properties.ReservedConcurrentExecutions).toBe(10);
    expect(resource(observabilityIds.httpApiStage).Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 10,
      ThrottlingBurstLimit: 20,
    });
  });

  it('writes JSON access logs of the HTTP API stage, without the request body, to an encrypted log group', () => {
    const { AccessLogSettings } = resource(observabilityIds.httpApiStage).Properties;
    expect(AccessLogSettings.DestinationArn).toEqual(getAtt(observabilityIds.httpApiLogGroup));
    const format = JSON.parse(AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      routeKey: '$context.routeKey',
    });
    expect(AccessLogSettings.Format).not.toMatch(/body|requestOverride|\$input/i);
    expect(resource(observabilityIds.httpApiLogGroup).Properties.KmsKeyId).toEqual(getAtt(observabilityIds.key));
  });

  it("encrypts every function's log group and the alarm topic with the stack's key, whose policy scopes the services", () => {
    for (const { name } of services) {
      expect(resource(logGroupLogicalIdOf(name)).Properties.KmsKeyId, name).toEqual(getAtt(observabilityIds.key));
    }
    expect(resource('DeadLetterAlarmTopic').Properties.KmsMasterKeyId).toEqual({ Ref: observabilityIds.key });
    const key = resource(observabilityIds.key);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const principals = (key.Properties.KeyPolicy.Statement as { Principal: { Service?: unknown } }[])
      .map((s) => s.Principal.Service)
      .filter(Boolean);
    expect(principals).toEqual([{ 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' }, 'cloudwatch.amazonaws.com']);
  });

  it('lets API Gateway invoke the webhook for APIs of this account only', () => {
    expect(resource(httpApiPermissionLogicalIdOf('webhook')).Properties).toMatchObject({
      Principal: 'apigateway.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });
});

describe('the CloudFormation resource specification', () => {
  it('finds every resource type and property of the packaged template, each with the right type', () => {
    expect(checkTemplate(template)).toEqual([]);
  });

  it('finds a misspelled property in the packaged template, and says where', () => {
    const broken = structuredClone(template);
    const target = broken.Resources[consumerLogicalIds('calendar').rule]!.Properties.Targets[0];
    target.RetryPolicy.MaximumRetryAttempt = target.RetryPolicy.MaximumRetryAttempts;
    delete target.RetryPolicy.MaximumRetryAttempts;
    expect(checkTemplate(broken)).toEqual([
      'CalendarRule (AWS::Events::Rule).Targets[0].RetryPolicy.MaximumRetryAttempt: no such property on AWS::Events::Rule',
    ]);
  });
});

describe('least privilege', () => {
  const roles = () => ofType('AWS::IAM::Role');

  it('no role has a wildcard action', () => {
    for (const [id, role] of roles()) {
      for (const statement of statementsOf(role)) {
        for (const action of statement.Action) expect(action, id).not.toContain('*');
      }
    }
  });

  it('no role has a wildcard resource except the documented narrowing ones (log streams, secret suffix, S3 prefix)', () => {
    for (const [id, role] of roles()) {
      for (const statement of statementsOf(role)) {
        for (const r of statement.Resource) {
          const text = resourceText(r);
          expect(text, id).not.toBe('*');
          if (/[*?]/.test(text))
            expect(
              documentedWildcards.some((allowed) => allowed.test(text)),
              `${id}: ${text}`,
            ).toBe(true);
        }
      }
    }
  });

  it('gives events:PutEvents, on the bus only, exactly to the services that emit', () => {
    for (const { name, declaration } of services) {
      const puts = statementsOf(roleOfService(name)).filter((s) => s.Action.includes('events:PutEvents'));
      if (declaration.emits.length === 0) {
        expect(puts, name).toEqual([]);
      } else {
        expect(
          puts.flatMap((s) => s.Resource),
          name,
        ).toEqual([getAtt('EventBus')]);
      }
    }
  });

  it('lets each function write only its own log group', () => {
    for (const { name } of services) {
      const logs = statementsOf(roleOfService(name)).filter((s) => s.Action.some((a) => a.startsWith('logs:')));
      expect(
        logs.flatMap((s) => s.Resource.map(resourceText)),
        name,
      ).toEqual([
        `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${deployedNames(name, STAGE).functionName}:*`,
      ]);
    }
  });

  it('gives each function GetSecretValue on the secrets it declares and no other', () => {
    for (const { name, access } of services) {
      const secrets = statementsOf(roleOfService(name))
        .filter((s) => s.Action.includes('secretsmanager:GetSecretValue'))
        .flatMap((s) => s.Resource.map(resourceText));
      expect(secrets, name).toEqual(
        (access.secrets ?? []).map((key) => expect.stringContaining(`:secret:${secretNames[key]}-??????`)),
      );
    }
  });

  it.runIf(existsSync(join(root, 'services/scrub/handler.ts')))(
    'lets scrub GetItem/UpdateItem the SCC table, and nothing on S3',
    () => {
      const statements = statementsOf(roleOfService('scrub'));
      expect(actionsOf('scrub').filter((a) => a.startsWith('s3:'))).toEqual([]);
      const scc = statements.filter((s) => s.Resource.map(resourceText).some((r) => r.endsWith(':table/scc-events')));
      expect(scc.flatMap((s) => s.Action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    },
  );

  it.runIf(existsSync(join(root, 'services/guest-page/handler.ts')))(
    'lets guest-page write only g/* and assets/* of the guest site, read legacy assets, invalidate one distribution',
    () => {
      const statements = statementsOf(roleOfService('guest-page'));
      const s3 = statements
        .filter((s) => s.Action.some((a) => a.startsWith('s3:')))
        .flatMap((s) => s.Resource.map(resourceText));
      expect(s3.sort()).toEqual(
        [
          'arn:${AWS::Partition}:s3:::queenofsandiego.com',
          'arn:${AWS::Partition}:s3:::queenofsandiego.com/assets/*',
          'arn:${AWS::Partition}:s3:::queenofsandiego.com/g/*',
          'arn:${AWS::Partition}:s3:::sailjada.com/assets/*',
        ].sort(),
      );
      const writes = statements
        .filter((s) => s.Action.includes('s3:PutObject'))
        .flatMap((s) => s.Resource.map(resourceText));
      expect(writes.every((r) => r.includes('queenofsandiego.com/'))).toBe(true);
      const invalidation = statements.filter((s) => s.Action.includes('cloudfront:CreateInvalidation'));
      expect(invalidation.flatMap((s) => s.Resource.map(resourceText))).toEqual([
        'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/E0000000000000',
      ]);
    },
  );

  it('lets nothing but the SCC-scrubbing function write to the SCC table, and crew only read it', () => {
    for (const { name } of services) {
      const actions = statementsOf(roleOfService(name))
        .filter((s) => s.Resource.map(resourceText).some((r) => r.endsWith(':table/scc-events')))
        .flatMap((s) => s.Action);
      const writes = actions.filter((action) => !/^dynamodb:(Get|BatchGet|Query|Scan|Describe)/.test(action));
      expect(writes.length > 0, `${name} writes to the SCC table`).toBe(name === 'scrub');
      // Crew looks there for the crew event the hand-made Lambdas made before it creates one.
      expect(actions.length > 0, `${name} touches the SCC table`).toBe(name === 'scrub' || name === 'crew');
    }
  });
});

describe('secrets', () => {
  it('never appear in the template: no dev secret value, no whsec_', () => {
    expect(templateText).not.toContain('whsec_');
    for (const name of [secretNames.webhookSecret, secretNames.jadaDashboardToken, secretNames.sccServiceKey]) {
      expect(templateText).not.toContain(devSecrets[name]!);
    }
    const env = ofType('AWS::Lambda::Function').flatMap(([, fn]) =>
      Object.keys(fn.Properties.Environment?.Variables ?? {}),
    );
    expect(env.filter((variable) => /SECRET|TOKEN|KEY|PASSWORD/i.test(variable))).toEqual([]);
  });
});

describe('bundles', () => {
  it('are reported with their sizes, hold only their own bundle, and none holds code of another service', () => {
    const report: Record<string, { zipBytes: number; bundleBytes: number; sourceMapBytes: number; sources: number }> =
      {};
    for (const { name } of services) {
      const build = join(root, '.esbuild/.build/services', name);
      const zip = join(root, '.serverless', `${functionKeyOf(name)}.zip`);
      expect(zipEntries(zip).sort(), name).toEqual([
        `services/${name}/handler.mjs`,
        `services/${name}/handler.mjs.map`,
      ]);
      // The source map lists every file that put code into the bundle, as the project-relative paths esbuild read.
      const map = JSON.parse(readFileSync(join(build, 'handler.mjs.map'), 'utf8')) as { sources: string[] };
      const sources = map.sources.map((source) => relative(root, resolve(build, source)).split(sep).join('/'));
      const foreign = sources.filter((path) => path.startsWith('services/') && !path.startsWith(`services/${name}/`));
      expect(foreign, `${name} bundles another service's code`).toEqual([]);
      expect(sources, name).toContain(`services/${name}/handler.ts`);
      report[name] = {
        zipBytes: statSync(zip).size,
        bundleBytes: statSync(join(build, 'handler.mjs')).size,
        sourceMapBytes: statSync(join(build, 'handler.mjs.map')).size,
        sources: sources.length,
      };
    }
    mkdirSync(join(root, 'test-output'), { recursive: true });
    writeFileSync(join(root, 'test-output/bundles.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.table(
      Object.fromEntries(
        Object.entries(report).map(([name, r]) => [
          name,
          {
            'zip KB': (r.zipBytes / 1024).toFixed(1),
            'handler.mjs KB': (r.bundleBytes / 1024).toFixed(1),
            'source map KB': (r.sourceMapBytes / 1024).toFixed(1),
            modules: r.sources,
          },
        ]),
      ),
    );
    expect(Object.keys(report).sort()).toEqual(services.map((s) => s.name).sort());
  });

  it('load as ES modules in a bare Node process and export the handler Lambda calls', async () => {
    for (const { name } of services) {
      const bundle = pathToFileURL(join(root, '.esbuild/.build/services', name, 'handler.mjs')).href;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`,
        ],
        // Nothing of this project's environment: a bundle must carry everything it needs.
        { env: { PATH: process.env.PATH ?? '' }, cwd: tmpdir() },
      );
      expect(stdout.trim(), name).toBe('function');
    }
  });
});
