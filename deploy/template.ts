import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  archiveName,
  asyncRetriesOf,
  deployedNames,
  eventPatternOf,
  ownTableDefinition,
  type ConsumerDeclaration,
  type TableDeclaration,
} from '../shared/declaration';
import { bookingsTableDefinition, BOOKINGS_TTL_ATTRIBUTE } from '../shared/tables';
import { secretNames } from '../shared/config';
import { discoverServices } from './discover';
import { environmentOf } from './environment';
import { roleOf } from './iam';
import { consumerLogicalIds, functionKeyOf, ownTableLogicalId, pascal } from './names';
import { addObservability } from './observability';
import type { DeployParams } from './params';
import { GUEST_PAGE_PATH_PATTERN, guestPageSecurityHeaders } from '../services/guest-page/security-headers';

/**
 * The computed half of serverless.yml: one function per service folder, and every resource the
 * declarations imply. serverless.yml stays the entry point and holds what does not depend on the services.
 */
export interface Generated {
  functions: Record<string, unknown>;
  resources: {
    Resources: Record<string, unknown>;
    Outputs: Record<string, unknown>;
    /** Properties added to resources osls generates (the functions). */
    extensions: Record<string, unknown>;
  };
}

export { consumerLogicalIds, functionKeyOf, functionLogicalIdOf } from './names';

export async function generate(stage: string, params: DeployParams, root = process.cwd()): Promise<Generated> {
  const services = await discoverServices(root);
  const functions: Record<string, unknown> = {};
  const Resources: Record<string, unknown> = { ...sharedResources(stage, params) };
  const extensions: Record<string, unknown> = {};
  const Outputs: Record<string, unknown> = {
    EventBusName: { Value: { Ref: 'EventBus' } },
    EventBusArn: { Value: { 'Fn::GetAtt': ['EventBus', 'Arn'] } },
    EventArchiveArn: { Value: { 'Fn::GetAtt': ['EventArchive', 'Arn'] } },
  };

  for (const service of services) {
    const names = deployedNames(service.name, stage);
    const ids = consumerLogicalIds(service.name);
    const { declaration } = service;
    functions[functionKeyOf(service.name)] = {
      handler: `${service.handlerModule}.handler`,
      name: names.functionName,
      description: declaration.description,
      role: ids.role,
      environment: environmentOf(service, stage, params),
      ...(declaration.kind === 'http'
        ? { events: [{ httpApi: { method: declaration.route.method, path: declaration.route.path } }] }
        : asyncRetriesOf(declaration)),
    };
    Resources[ids.role] = roleOf(service, names.functionName, params);
    if (declaration.kind === 'consumer') {
      Object.assign(Resources, consumerResources(service.name, declaration, stage));
      // EventBridge's DLQ only takes events it could not hand to Lambda; once Lambda accepted one, a failing
      // function is Lambda's to retry and dead-letter. Both go to the consumer's one queue: nothing is dropped.
      extensions[ids.function] = {
        Properties: { DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [ids.deadLetterQueue, 'Arn'] } } },
      };
      Outputs[`${pascal(service.name)}DeadLetterQueueUrl`] = { Value: { Ref: ids.deadLetterQueue } };
      for (const table of declaration.tables ?? []) {
        Resources[ownTableLogicalId(service.name, table.name)] = ownTable(service.name, table, stage);
      }
    }
  }
  for (const name of foldersWith(root, 'cloudfront-function.js')) {
    Object.assign(Resources, cloudFrontFunctionOf(name, stage, root, Outputs));
  }
  Object.assign(Resources, guestPageResponseHeadersPolicy(stage, Outputs));
  const generated = { functions, resources: { Resources, Outputs, extensions } };
  addObservability(generated, services, stage, params, functionKeyOf);
  return generated;
}

function sharedResources(stage: string, params: DeployParams): Record<string, unknown> {
  const bookings = bookingsTableDefinition();
  return {
    EventBus: { Type: 'AWS::Events::EventBus', Properties: { Name: `charterflow-${stage}` } },
    // No EventPattern: the archive keeps every event on the bus, which is what replay and backfill need.
    EventArchive: {
      Type: 'AWS::Events::Archive',
      Properties: {
        ArchiveName: archiveName(stage),
        Description: 'Every event on the charterflow bus, for replay and for backfilling new consumers',
        SourceArn: { 'Fn::GetAtt': ['EventBus', 'Arn'] },
        RetentionDays: params.archiveRetentionDays,
      },
    },
    BookingsTable: {
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        TableName: `charterflow-${stage}-bookings`,
        BillingMode: bookings.BillingMode,
        AttributeDefinitions: bookings.AttributeDefinitions,
        KeySchema: bookings.KeySchema,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: BOOKINGS_TTL_ATTRIBUTE, Enabled: true },
      },
    },
    // The key `charterflow smoke` signs its synthetic bookings with: generated here, so there is no manual step,
    // and never given to Boatsetter. Read as raw bytes (services/webhook/intake.ts), so any generated string does.
    SmokeSigningKey: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        Name: secretNames.smokeSigningKey,
        Description: 'charterflow smoke: signs synthetic bookings (never given to Boatsetter)',
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      },
    },
    DeadLetterAlarmTopic: {
      Type: 'AWS::SNS::Topic',
      Properties: {
        TopicName: `charterflow-${stage}-dead-letters`,
        ...(params.alarmEmail ? { Subscription: [{ Protocol: 'email', Endpoint: params.alarmEmail }] } : {}),
      },
    },
  };
}

/** Rule, dead-letter queue (and the policy letting this rule write to it), invoke permission, alarm. */
function consumerResources(name: string, declaration: ConsumerDeclaration, stage: string) {
  const names = deployedNames(name, stage);
  const ids = consumerLogicalIds(name);
  return {
    [ids.deadLetterQueue]: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: names.deadLetterQueueName,
        // The longest SQS allows: dead letters wait for a person and `charterflow redrive`.
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
      },
    },
    [ids.deadLetterQueuePolicy]: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [{ Ref: ids.deadLetterQueue }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': [ids.deadLetterQueue, 'Arn'] },
              Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ids.rule, 'Arn'] } } },
            },
          ],
        },
      },
    },
    [ids.rule]: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: names.ruleName,
        Description: declaration.description,
        EventBusName: { Ref: 'EventBus' },
        EventPattern: eventPatternOf(declaration),
        State: 'ENABLED',
        Targets: [
          {
            Id: name,
            Arn: { 'Fn::GetAtt': [ids.function, 'Arn'] },
            RetryPolicy: {
              MaximumEventAgeInSeconds: declaration.retry.maximumEventAgeInSeconds,
              MaximumRetryAttempts: declaration.retry.maximumRetryAttempts,
            },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.deadLetterQueue, 'Arn'] } },
          },
        ],
      },
    },
    [ids.permission]: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [ids.function, 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ids.rule, 'Arn'] },
      },
    },
    [ids.deadLetterAlarm]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${names.deadLetterQueueName}-not-empty`,
        AlarmDescription: `An event for ${name} failed every retry and waits in ${names.deadLetterQueueName}`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.deadLetterQueue, 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'DeadLetterAlarmTopic' }],
      },
    },
  };
}

function ownTable(service: string, table: TableDeclaration, stage: string) {
  const definition = ownTableDefinition(service, table, stage);
  return {
    Type: 'AWS::DynamoDB::Table',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      TableName: definition.TableName,
      BillingMode: definition.BillingMode,
      AttributeDefinitions: definition.AttributeDefinitions,
      KeySchema: definition.KeySchema,
      ...(definition.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes } : {}),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      ...(table.ttlAttribute ? { TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true } } : {}),
    },
  };
}

/** A service may bring a CloudFront Function (cloudfront-function.js); it is deployed, published, and its ARN output. */
function cloudFrontFunctionOf(
  service: string,
  stage: string,
  root: string,
  outputs: Record<string, unknown>,
): Record<string, unknown> {
  const file = join(root, 'services', service, 'cloudfront-function.js');
  const logicalId = `${pascal(service)}CloudFrontFunction`;
  outputs[`${logicalId}Arn`] = {
    Description: `Attach to the viewer-request event of the existing distribution (see README, Deploy)`,
    Value: { 'Fn::GetAtt': [logicalId, 'FunctionARN'] },
  };
  return {
    [logicalId]: {
      Type: 'AWS::CloudFront::Function',
      Properties: {
        Name: `charterflow-${stage}-${service}`,
        AutoPublish: true,
        FunctionCode: readFileSync(file, 'utf8'),
        FunctionConfig: { Comment: `charterflow ${service} (viewer request)`, Runtime: 'cloudfront-js-2.0' },
      },
    },
  };
}

/**
 * The guest page's security headers as a CloudFront response headers policy, from the same configuration the
 * local guest site serves. Like the function, it is only created here: the operator attaches its id to the
 * guest-page behaviour of the existing distribution (see README, Deploy).
 */
function guestPageResponseHeadersPolicy(stage: string, outputs: Record<string, unknown>): Record<string, unknown> {
  const logicalId = 'GuestPageResponseHeadersPolicy';
  outputs[`${logicalId}Id`] = {
    Description: `Attach to the ${GUEST_PAGE_PATH_PATTERN} behaviour of the existing distribution, and to no other (see README, Deploy)`,
    Value: { 'Fn::GetAtt': [logicalId, 'Id'] },
  };
  return {
    [logicalId]: {
      Type: 'AWS::CloudFront::ResponseHeadersPolicy',
      Properties: {
        ResponseHeadersPolicyConfig: {
          Name: `charterflow-${stage}-guest-page`,
          Comment: `charterflow guest page security headers (${GUEST_PAGE_PATH_PATTERN} only)`,
          SecurityHeadersConfig: guestPageSecurityHeaders,
        },
      },
    },
  };
}

function foldersWith(root: string, file: string): string[] {
  const services = join(root, 'services');
  if (!existsSync(services)) return [];
  return readdirSync(services)
    .filter((name) => existsSync(join(services, name, file)))
    .sort();
}
