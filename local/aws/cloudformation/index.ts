import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import {
  busNameOf,
  createResolver,
  type ResolveOptions,
  type Template,
  TemplateError,
  type TemplateResource,
} from './intrinsics';
import type {
  ArchiveModel,
  CloudFrontFunctionModel,
  ResponseHeadersPolicyModel,
  FunctionModel,
  HttpRouteModel,
  QueueModel,
  ResourcePolicyModel,
  RoleModel,
  RuleModel,
  RuleTargetModel,
  StackModel,
  TableModel,
} from './model';

export { TemplateError, type Template } from './intrinsics';
export type * from './model';

type Json = Record<string, unknown>;

export interface ReadOptions extends ResolveOptions {
  /** Where a function's code is, from its logical id and its template Code (S3 key, or a source directory). */
  codeOf(logicalId: string, code: unknown): FunctionModel['code'];
}

export interface ResolvedResource {
  Type: string;
  Properties: Json;
  /** The resource's physical name (or id), as its Ref would give where Ref gives a name. */
  name: string;
  /** What its Ref answers (a queue's URL, a topic's ARN, an integration's id, ...). */
  ref: unknown;
}

export interface ResolvedTemplate {
  /** The resources the stack creates (a false Condition leaves one out), every property resolved. */
  resources: Record<string, ResolvedResource>;
  outputs: Record<string, string>;
}

/**
 * The template with every intrinsic resolved to the local resources: what readStackModel maps, and what the IAM
 * reading (roles, Lambda permissions, queue policies) takes its documents from.
 */
export function resolveTemplate(template: Template, options: ResolveOptions): ResolvedTemplate {
  const resolver = createResolver(template, options);
  const resources: Record<string, ResolvedResource> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources as Record<string, TemplateResource>)) {
    if (!resolver.isCreated(logicalId)) continue;
    const path = `Resources.${logicalId}`;
    resources[logicalId] = {
      Type: resource.Type,
      Properties: (resolver.resolve(resource.Properties ?? {}, `${path}.Properties`) ?? {}) as Json,
      name: resolver.nameOf(logicalId),
      ref: resolver.refOf(logicalId),
    };
  }
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    outputs[name] = String(resolver.resolve(output.Value, `Outputs.${name}.Value`));
  }
  return { resources, outputs };
}

/** Consumed into another resource's model, or read later (IAM): not listed as unemulated. */
const CONSUMED = new Set([
  'AWS::Lambda::Permission',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Stage',
  'AWS::ApiGatewayV2::Integration',
  'AWS::SQS::QueuePolicy',
]);

export function readStackModel(template: Template, options: ReadOptions): StackModel {
  const { resources, outputs } = resolveTemplate(template, options);
  const { region, accountId } = options;
  const model: StackModel = {
    region,
    accountId,
    tables: [],
    queues: [],
    buses: [],
    archives: [],
    rules: [],
    functions: [],
    httpRoutes: [],
    cloudFrontFunctions: [],
    responseHeadersPolicies: [],
    roles: [],
    resourcePolicies: [],
    unemulated: [],
    outputs,
  };
  const arnOf = (service: string, resource: string) => `arn:aws:${service}:${region}:${accountId}:${resource}`;
  const queueUrls = new Map<string, QueueModel>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    const read = new PropertyReader(logicalId, resource.Properties);
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        model.tables.push(tableOf(logicalId, resource, read));
        break;
      case 'AWS::SQS::Queue': {
        const queue: QueueModel = {
          logicalId,
          name: resource.name,
          arn: arnOf('sqs', resource.name),
          attributes: queueAttributesOf(resource.Properties),
          policies: [],
        };
        model.queues.push(queue);
        queueUrls.set(String(resource.ref), queue);
        break;
      }
      case 'AWS::Events::EventBus':
        model.buses.push({ logicalId, name: resource.name, arn: arnOf('events', `event-bus/${resource.name}`) });
        break;
      case 'AWS::Events::Archive':
        model.archives.push(archiveOf(logicalId, resource, read));
        break;
      case 'AWS::Events::Rule':
        model.rules.push(ruleOf(logicalId, resource, read, arnOf));
        break;
      case 'AWS::Lambda::Function':
        model.functions.push(functionOf(logicalId, resource, read, options, arnOf));
        break;
      case 'AWS::ApiGatewayV2::Route':
        model.httpRoutes.push(routeOf(read, resources));
        break;
      case 'AWS::CloudFront::Function':
        model.cloudFrontFunctions.push({
          logicalId,
          name: resource.name,
          code: read.string('FunctionCode'),
          runtime: read.string('FunctionConfig.Runtime'),
        } satisfies CloudFrontFunctionModel);
        break;
      case 'AWS::CloudFront::ResponseHeadersPolicy': {
        const comment = (resource.Properties.ResponseHeadersPolicyConfig as { Comment?: unknown } | undefined)?.Comment;
        model.responseHeadersPolicies.push({
          logicalId,
          id: String(resource.ref),
          name: read.string('ResponseHeadersPolicyConfig.Name'),
          ...(typeof comment === 'string' ? { comment } : {}),
        } satisfies ResponseHeadersPolicyModel);
        break;
      }
      default:
        if (!CONSUMED.has(resource.Type)) model.unemulated.push({ logicalId, type: resource.Type });
    }
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    const read = new PropertyReader(logicalId, resource.Properties);
    if (resource.Type === 'AWS::SQS::QueuePolicy') {
      for (const url of read.list('Queues')) {
        const queue = queueUrls.get(String(url));
        if (!queue)
          throw new TemplateError(`Resources.${logicalId}.Properties.Queues`, `no queue in this stack at ${url}`);
        queue.policies.push(read.required('PolicyDocument'));
        model.resourcePolicies.push({ logicalId, resourceArn: queue.arn, document: read.required('PolicyDocument') });
      }
    }
    if (resource.Type === 'AWS::IAM::Role') model.roles.push(roleOf(logicalId, resource, read, accountId));
    const policy = resourcePolicyOf(logicalId, resource, read, arnOf);
    if (policy) model.resourcePolicies.push(policy);
    if (resource.Type === 'AWS::Lambda::EventInvokeConfig') {
      const functionName = read.string('FunctionName');
      const fn = model.functions.find((candidate) => candidate.name === functionName);
      if (!fn) throw new TemplateError(`Resources.${logicalId}.Properties.FunctionName`, `no function ${functionName}`);
      // Lambda's defaults for asynchronous invocation: 2 retries, 6 hours.
      fn.asyncConfig = {
        maximumRetryAttempts: read.optionalNumber('MaximumRetryAttempts') ?? 2,
        maximumEventAgeInSeconds: read.optionalNumber('MaximumEventAgeInSeconds') ?? 21600,
      };
    }
  }
  return model;
}

type ArnOf = (service: string, resource: string) => string;

function tableOf(logicalId: string, resource: ResolvedResource, read: PropertyReader): TableModel {
  const throughput = (value: unknown) => (value ? { ProvisionedThroughput: numbers(value as Json) } : {});
  // CreateTable takes the index's own keys; CloudFormation adds some (ContributorInsightsSpecification) it does not.
  const indexOf = (index: Json) => ({
    IndexName: index.IndexName,
    KeySchema: index.KeySchema,
    Projection: index.Projection,
    ...throughput(index.ProvisionedThroughput),
  });
  const global = read.optional('GlobalSecondaryIndexes') as Json[] | undefined;
  const local = read.optional('LocalSecondaryIndexes') as Json[] | undefined;
  const stream = read.optional('StreamSpecification') as Json | undefined;
  const definition = {
    TableName: resource.name,
    AttributeDefinitions: read.list('AttributeDefinitions'),
    KeySchema: read.list('KeySchema'),
    BillingMode: read.optional('BillingMode') ?? 'PROVISIONED',
    ...throughput(read.optional('ProvisionedThroughput')),
    ...(global && { GlobalSecondaryIndexes: global.map(indexOf) }),
    ...(local && { LocalSecondaryIndexes: local.map(indexOf) }),
    ...(stream && { StreamSpecification: { StreamEnabled: true, ...stream } }),
  } as CreateTableCommandInput;
  const ttl = read.optional('TimeToLiveSpecification') as { AttributeName?: unknown; Enabled?: unknown } | undefined;
  const enabled = ttl?.Enabled === true || ttl?.Enabled === 'true';
  return { logicalId, definition, ...(enabled && { timeToLiveAttribute: String(ttl?.AttributeName) }) };
}

/** CreateQueue takes every attribute as a string; CloudFormation's booleans and numbers become "true", "60". */
function queueAttributesOf(properties: Json): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (key === 'QueueName' || key === 'Tags') continue;
    attributes[key] =
      key === 'RedrivePolicy' || key === 'RedriveAllowPolicy'
        ? typeof value === 'string'
          ? value
          : JSON.stringify(value)
        : String(value);
  }
  return attributes;
}

function archiveOf(logicalId: string, resource: ResolvedResource, read: PropertyReader): ArchiveModel {
  const pattern = read.optional('EventPattern');
  const description = read.optional('Description');
  return {
    logicalId,
    name: resource.name,
    sourceArn: read.string('SourceArn'),
    // CloudFormation's default for an archive is to keep events indefinitely: 0 days.
    retentionDays: read.optionalNumber('RetentionDays') ?? 0,
    ...(pattern !== undefined && { eventPattern: patternOf(pattern, read, 'EventPattern') }),
    ...(description !== undefined && { description: String(description) }),
  };
}

function ruleOf(logicalId: string, resource: ResolvedResource, read: PropertyReader, arnOf: ArnOf): RuleModel {
  const busName = busNameOf(read.optional('EventBusName'));
  const description = read.optional('Description');
  const targets = (read.optional('Targets') ?? []) as Json[];
  return {
    logicalId,
    name: resource.name,
    arn: arnOf('events', busName === 'default' ? `rule/${resource.name}` : `rule/${busName}/${resource.name}`),
    busName,
    eventPattern: patternOf(read.required('EventPattern'), read, 'EventPattern'),
    state: String(read.optional('State') ?? 'ENABLED'),
    ...(description !== undefined && { description: String(description) }),
    targets: targets.map((target, i) => targetOf(target, `Resources.${logicalId}.Properties.Targets[${i}]`)),
  };
}

function targetOf(target: Json, path: string): RuleTargetModel {
  if (typeof target.Id !== 'string' || typeof target.Arn !== 'string')
    throw new TemplateError(path, 'a target needs an Id and an Arn');
  const deadLetter = (target.DeadLetterConfig as Json | undefined)?.Arn;
  return {
    Id: target.Id,
    Arn: target.Arn,
    ...(target.Input !== undefined && {
      Input: typeof target.Input === 'string' ? target.Input : JSON.stringify(target.Input),
    }),
    ...(target.InputPath !== undefined && { InputPath: String(target.InputPath) }),
    ...(target.InputTransformer !== undefined && {
      InputTransformer: target.InputTransformer as RuleTargetModel['InputTransformer'] & object,
    }),
    ...(target.RetryPolicy !== undefined && { RetryPolicy: numbers(target.RetryPolicy as Json) }),
    ...(deadLetter !== undefined && { DeadLetterConfig: { Arn: String(deadLetter) } }),
  };
}

/** An EventPattern is an object in most templates, a JSON string in some. */
function patternOf(value: unknown, read: PropertyReader, property: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw read.error(property, 'is not JSON', error);
  }
}

function functionOf(
  logicalId: string,
  resource: ResolvedResource,
  read: PropertyReader,
  options: ReadOptions,
  arnOf: ArnOf,
): FunctionModel {
  const variables = (read.optional('Environment.Variables') ?? {}) as Record<string, unknown>;
  const reserved = read.optionalNumber('ReservedConcurrentExecutions');
  const role = read.optional('Role');
  const deadLetter = read.optional('DeadLetterConfig.TargetArn');
  return {
    logicalId,
    name: resource.name,
    arn: arnOf('lambda', `function:${resource.name}`),
    handler: read.string('Handler'),
    runtime: read.string('Runtime'),
    code: options.codeOf(logicalId, read.required('Code')),
    environment: Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, String(value)])),
    // Lambda's defaults when the template leaves them out.
    timeoutSeconds: read.optionalNumber('Timeout') ?? 3,
    memoryMb: read.optionalNumber('MemorySize') ?? 128,
    ...(reserved !== undefined && { reservedConcurrency: reserved }),
    ...(role !== undefined && { roleArn: String(role) }),
    ...(deadLetter !== undefined && { deadLetterArn: String(deadLetter) }),
  };
}

function roleOf(logicalId: string, resource: ResolvedResource, read: PropertyReader, accountId: string): RoleModel {
  const path = (read.optional('Path') as string | undefined) ?? '/';
  const policies = (read.optional('Policies') ?? []) as Json[];
  return {
    logicalId,
    name: resource.name,
    arn: `arn:aws:iam::${accountId}:role${path}${resource.name}`,
    policies: policies.map((policy, i) => {
      if (typeof policy.PolicyName !== 'string' || typeof policy.PolicyDocument !== 'object')
        throw read.error(`Policies[${i}]`, 'needs a PolicyName and a PolicyDocument');
      return { name: policy.PolicyName, document: policy.PolicyDocument };
    }),
    managedPolicyArns: ((read.optional('ManagedPolicyArns') ?? []) as unknown[]).map(String),
  };
}

/** A policy resource, or a resource carrying its own policy, as the ARN it governs and its document. */
function resourcePolicyOf(
  logicalId: string,
  resource: ResolvedResource,
  read: PropertyReader,
  arnOf: ArnOf,
): ResourcePolicyModel | undefined {
  switch (resource.Type) {
    case 'AWS::S3::BucketPolicy':
      return {
        logicalId,
        resourceArn: `arn:aws:s3:::${read.string('Bucket')}`,
        document: read.required('PolicyDocument'),
      };
    case 'AWS::KMS::Key':
      return {
        logicalId,
        resourceArn: arnOf('kms', `key/${String(resource.ref)}`),
        document: read.required('KeyPolicy'),
      };
    case 'AWS::Events::EventBusPolicy': {
      // Each EventBusPolicy is one statement of the bus's policy; the legacy Action/Principal form is not read.
      const bus = busNameOf(read.optional('EventBusName'));
      return {
        logicalId,
        resourceArn: arnOf('events', `event-bus/${bus}`),
        document: { Version: '2012-10-17', Statement: [read.required('Statement')] },
      };
    }
    default:
      return undefined;
  }
}

function routeOf(read: PropertyReader, resources: Record<string, ResolvedResource>): HttpRouteModel {
  const routeKey = read.string('RouteKey');
  const [method, path] = routeKey.split(' ');
  if (!method || !path) throw read.error('RouteKey', `"${routeKey}" is not "METHOD /path"`);
  const target = read.string('Target');
  const integrationId = /^integrations\/(.+)$/.exec(target)?.[1];
  const integration = Object.entries(resources).find(
    ([, candidate]) => candidate.Type === 'AWS::ApiGatewayV2::Integration' && candidate.ref === integrationId,
  );
  if (!integration) throw read.error('Target', `no integration in this stack for ${target}`);
  const uri = String(integration[1].Properties.IntegrationUri ?? '');
  // A Lambda proxy integration's URI is the function's ARN (or the apigateway invocation path around it).
  const functionName = /:function:([^:/]+)/.exec(uri)?.[1];
  if (!functionName)
    throw new TemplateError(`Resources.${integration[0]}.Properties.IntegrationUri`, `${uri} names no Lambda function`);
  return {
    routeKey,
    method,
    path,
    functionName,
    payloadFormatVersion: String(integration[1].Properties.PayloadFormatVersion ?? '2.0'),
  };
}

function numbers(record: Json): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, Number(value)]));
}

/** Reads a resource's resolved properties; a missing or mistyped one is an error naming the resource and property. */
class PropertyReader {
  constructor(
    private readonly logicalId: string,
    private readonly properties: Record<string, unknown>,
  ) {}

  error(property: string, message: string, cause?: unknown): TemplateError {
    return new TemplateError(`Resources.${this.logicalId}.Properties.${property}`, message, { cause });
  }

  optional(property: string): unknown {
    return property
      .split('.')
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], this.properties);
  }

  required(property: string): unknown {
    const value = this.optional(property);
    if (value === undefined) throw this.error(property, 'is required');
    return value;
  }

  string(property: string): string {
    const value = this.required(property);
    if (typeof value !== 'string') throw this.error(property, 'is not a string');
    return value;
  }

  list(property: string): unknown[] {
    const value = this.required(property);
    if (!Array.isArray(value)) throw this.error(property, 'is not a list');
    return value;
  }

  optionalNumber(property: string): number | undefined {
    const value = this.optional(property);
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isFinite(number)) throw this.error(property, `${String(value)} is not a number`);
    return number;
  }
}
