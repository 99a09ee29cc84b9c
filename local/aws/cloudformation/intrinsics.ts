import { createHash } from 'node:crypto';

/**
 * CloudFormation's intrinsic functions and pseudo parameters, resolved against the local stack's resources: each
 * Ref and Fn::GetAtt answers what CloudFormation answers for that resource type, with the local region and
 * account. Our own resolver: the libraries that do this (cfn-resolver-lib and the like) stub Ref/GetAtt with
 * placeholders and pass unknown functions through, where we need real local names and an error on anything
 * we do not understand.
 */

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
}

/** A template as JSON gives it: each resource's shape is checked when it is read. */
export interface Template {
  Parameters?: Record<string, { Default?: unknown }>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, object>;
  Outputs?: Record<string, { Value?: unknown }>;
}

export interface ResolveOptions {
  region: string;
  accountId: string;
  stackName: string;
  /** The local SQS endpoint: a queue's Ref is `${queueUrlBase}/${accountId}/${name}`. */
  queueUrlBase: string;
  /** Other stacks' exports, for Fn::ImportValue. */
  imports?: Record<string, string>;
  /** Values for the template's Parameters; their Default otherwise. */
  parameters?: Record<string, unknown>;
}

export class TemplateError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${message}`, options);
    this.name = 'TemplateError';
  }
}

/** AWS::NoValue: the key (or list element) it stands for is left out. */
const NO_VALUE = Symbol('AWS::NoValue');

type Attributes = (attribute: string) => unknown;

interface Answer {
  ref: unknown;
  attributes: Attributes;
}

export interface Resolver {
  /** A value tree with every intrinsic resolved; `path` names where it sits, for errors. */
  resolve(value: unknown, path: string): unknown;
  /** Whether a resource exists in this stack (its Condition, if any, holds). */
  isCreated(logicalId: string): boolean;
  /** The resource's physical name: its name property resolved, or the name CloudFormation would generate. */
  nameOf(logicalId: string): string;
  /** What `Ref` of the resource answers; undefined for a type the local stack gives no Ref. */
  refOf(logicalId: string): unknown;
}

export function createResolver(template: Template, options: ResolveOptions): Resolver {
  const { region, accountId, stackName } = options;
  const resources = resourcesOf(template);
  const names = new Map<string, string>();
  const naming = new Set<string>();
  const conditions = new Map<string, boolean>();
  const arn = (service: string, resource: string, withRegion = true) =>
    `arn:aws:${service}:${withRegion ? region : ''}:${accountId}:${resource}`;

  const resourceOf = (logicalId: string, path: string): TemplateResource => {
    const resource = resources[logicalId];
    if (!resource) throw new TemplateError(path, `no resource or parameter named ${logicalId}`);
    if (!isCreated(logicalId)) throw new TemplateError(path, `${logicalId} is not created (its Condition is false)`);
    return resource;
  };

  const condition = (name: string, path: string): boolean => {
    const known = conditions.get(name);
    if (known !== undefined) return known;
    const definition = template.Conditions?.[name];
    if (definition === undefined) throw new TemplateError(path, `no condition named ${name}`);
    const value = resolve(definition, `Conditions.${name}`);
    if (typeof value !== 'boolean') throw new TemplateError(`Conditions.${name}`, 'is not a condition function');
    conditions.set(name, value);
    return value;
  };

  function isCreated(logicalId: string): boolean {
    const name = resources[logicalId]?.Condition;
    return name === undefined || condition(name, `Resources.${logicalId}.Condition`);
  }

  /** The name property, resolved, or CloudFormation's generated `stack-LogicalId-SUFFIX`, deterministic here. */
  function nameOf(logicalId: string): string {
    const known = names.get(logicalId);
    if (known) return known;
    const path = `Resources.${logicalId}`;
    const resource = resourceOf(logicalId, path);
    if (naming.has(logicalId)) throw new TemplateError(path, 'its name depends on itself');
    naming.add(logicalId);
    try {
      const property = NAME_PROPERTY[resource.Type];
      const given = property ? lookup(resource.Properties ?? {}, property) : undefined;
      const name =
        given === undefined
          ? generatedName(logicalId, resource)
          : String(resolve(given, `${path}.Properties.${property}`));
      names.set(logicalId, name);
      return name;
    } finally {
      naming.delete(logicalId);
    }
  }

  function generatedName(logicalId: string, resource: TemplateResource): string {
    const generated = `${stackName}-${logicalId}-${suffixOf(`${stackName}/${logicalId}`, 12)}`;
    if (resource.Type === 'AWS::S3::Bucket') return generated.toLowerCase();
    if (resource.Type === 'AWS::SQS::Queue' && resource.Properties?.FifoQueue === true) return `${generated}.fifo`;
    return generated;
  }

  const stableId = (logicalId: string, length: number) => suffixOf(`${stackName}/${logicalId}`, length).toLowerCase();

  function answer(logicalId: string, path: string): Answer | undefined {
    const resource = resourceOf(logicalId, path);
    const properties = resource.Properties ?? {};
    const prop = (key: string) => resolve(properties[key], `Resources.${logicalId}.Properties.${key}`);
    const name = () => nameOf(logicalId);
    const attrs =
      (table: Record<string, () => unknown>): Attributes =>
      (attribute) => {
        const read = table[attribute];
        if (!read) throw new TemplateError(path, `${resource.Type} ${logicalId} has no attribute ${attribute} here`);
        return read();
      };
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return {
          ref: name(),
          attributes: attrs({
            Arn: () => arn('dynamodb', `table/${name()}`),
            // A stream's label is its creation time; the local tables are all made at one (nominal) moment.
            StreamArn: () => arn('dynamodb', `table/${name()}/stream/1970-01-01T00:00:00.000`),
          }),
        };
      case 'AWS::SQS::Queue': {
        const url = () => `${options.queueUrlBase}/${accountId}/${name()}`;
        return {
          ref: url(),
          attributes: attrs({ Arn: () => arn('sqs', name()), QueueName: name, QueueUrl: url }),
        };
      }
      case 'AWS::Events::EventBus':
        return { ref: name(), attributes: attrs({ Arn: () => arn('events', `event-bus/${name()}`), Name: name }) };
      case 'AWS::Events::Rule': {
        const bus = busNameOf(prop('EventBusName'));
        const qualified = bus === 'default' ? name() : `${bus}/${name()}`;
        // CloudFormation's Ref of a rule on a custom bus is "bus|rule"; on the default bus, the rule's name.
        return {
          ref: bus === 'default' ? name() : `${bus}|${name()}`,
          attributes: attrs({ Arn: () => arn('events', `rule/${qualified}`) }),
        };
      }
      case 'AWS::Events::Archive':
        return { ref: name(), attributes: attrs({ Arn: () => arn('events', `archive/${name()}`) }) };
      case 'AWS::Lambda::Function':
        return { ref: name(), attributes: attrs({ Arn: () => arn('lambda', `function:${name()}`) }) };
      case 'AWS::IAM::Role': {
        const rolePath = (prop('Path') as string | undefined) ?? '/';
        return {
          ref: name(),
          attributes: attrs({
            Arn: () => arn('iam', `role${rolePath}${name()}`, false),
            RoleId: () => `AROA${suffixOf(`${stackName}/${logicalId}/role`, 17)}`,
          }),
        };
      }
      case 'AWS::KMS::Key': {
        const keyId = uuidOf(`${stackName}/${logicalId}`);
        return { ref: keyId, attributes: attrs({ Arn: () => arn('kms', `key/${keyId}`), KeyId: () => keyId }) };
      }
      case 'AWS::Logs::LogGroup':
        return { ref: name(), attributes: attrs({ Arn: () => arn('logs', `log-group:${name()}:*`) }) };
      case 'AWS::SNS::Topic': {
        const topicArn = () => arn('sns', name());
        return { ref: topicArn(), attributes: attrs({ TopicArn: topicArn, TopicName: name }) };
      }
      case 'AWS::S3::Bucket':
        return {
          ref: name(),
          attributes: attrs({
            Arn: () => `arn:aws:s3:::${name()}`,
            DomainName: () => `${name()}.s3.amazonaws.com`,
            RegionalDomainName: () => `${name()}.s3.${region}.amazonaws.com`,
            WebsiteURL: () => `http://${name()}.s3-website-${region}.amazonaws.com`,
          }),
        };
      case 'AWS::ApiGatewayV2::Api': {
        const apiId = stableId(logicalId, 10);
        return {
          ref: apiId,
          attributes: attrs({
            ApiId: () => apiId,
            ApiEndpoint: () => `https://${apiId}.execute-api.${region}.amazonaws.com`,
          }),
        };
      }
      case 'AWS::ApiGatewayV2::Integration': {
        const integrationId = stableId(logicalId, 7);
        return { ref: integrationId, attributes: attrs({ IntegrationId: () => integrationId }) };
      }
      case 'AWS::ApiGatewayV2::Route': {
        const routeId = stableId(logicalId, 7);
        return { ref: routeId, attributes: attrs({ RouteId: () => routeId }) };
      }
      case 'AWS::ApiGatewayV2::Stage':
        return { ref: prop('StageName'), attributes: attrs({}) };
      case 'AWS::CloudFront::Function': {
        // CloudFront is global: its ARNs carry no region.
        const functionArn = () => arn('cloudfront', `function/${name()}`, false);
        return {
          ref: functionArn(),
          attributes: attrs({
            FunctionARN: functionArn,
            'FunctionMetadata.FunctionARN': functionArn,
            Stage: () => 'LIVE',
          }),
        };
      }
      case 'AWS::CloudFront::ResponseHeadersPolicy': {
        const policyId = uuidOf(`${stackName}/${logicalId}`);
        return { ref: policyId, attributes: attrs({ Id: () => policyId }) };
      }
      case 'AWS::CloudWatch::Alarm':
        return { ref: name(), attributes: attrs({ Arn: () => arn('cloudwatch', `alarm:${name()}`) }) };
      case 'AWS::CloudWatch::Dashboard':
        return { ref: name(), attributes: attrs({}) };
      default:
        return undefined;
    }
  }

  function ref(target: unknown, path: string): unknown {
    if (typeof target !== 'string') throw new TemplateError(path, 'Ref takes a logical id or a pseudo parameter');
    switch (target) {
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        return arn('cloudformation', `stack/${stackName}/${uuidOf(stackName)}`);
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    if (target.startsWith('AWS::')) throw new TemplateError(path, `unsupported pseudo parameter ${target}`);
    const parameter = template.Parameters?.[target];
    if (parameter) {
      const value = options.parameters?.[target] ?? parameter.Default;
      if (value === undefined) throw new TemplateError(path, `parameter ${target} has no value and no Default`);
      return value;
    }
    return supported(target, path).ref;
  }

  function supported(logicalId: string, path: string): Answer {
    const found = answer(logicalId, path);
    if (!found)
      throw new TemplateError(
        path,
        `Ref and Fn::GetAtt of ${resources[logicalId]?.Type} (${logicalId}) are not supported`,
      );
    return found;
  }

  function getAtt(logicalId: string, attribute: string, path: string): unknown {
    return supported(logicalId, path).attributes(attribute);
  }

  function sub(text: unknown, variables: Record<string, unknown>, path: string): string {
    if (typeof text !== 'string') throw new TemplateError(path, 'Fn::Sub takes a string or [string, variables]');
    return text.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (name in variables) return String(variables[name]);
      const dot = name.indexOf('.');
      const value =
        dot < 0 || name.startsWith('AWS::') ? ref(name, path) : getAtt(name.slice(0, dot), name.slice(dot + 1), path);
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new TemplateError(path, `Fn::Sub's \${${name}} is not a string`);
      return String(value);
    });
  }

  function list(value: unknown, path: string, what: string): unknown[] {
    if (!Array.isArray(value)) throw new TemplateError(path, `${what} takes a list`);
    return value;
  }

  function intrinsic(name: string, argument: unknown, path: string): unknown {
    const at = `${path}.${name}`;
    switch (name) {
      case 'Ref':
        return ref(argument, at);
      case 'Fn::GetAtt': {
        const parts =
          typeof argument === 'string'
            ? [argument.slice(0, argument.indexOf('.')), argument.slice(argument.indexOf('.') + 1)]
            : list(argument, at, name).map((part) => resolve(part, at));
        if (parts.length !== 2 || !parts[0] || typeof parts[1] !== 'string')
          throw new TemplateError(at, 'Fn::GetAtt takes [LogicalId, Attribute] or "LogicalId.Attribute"');
        return getAtt(String(parts[0]), parts[1], at);
      }
      case 'Fn::Sub': {
        if (typeof argument === 'string') return sub(argument, {}, at);
        const [text, variables] = list(argument, at, name);
        const resolved = resolve(variables ?? {}, `${at}[1]`) as Record<string, unknown>;
        return sub(text, resolved, at);
      }
      case 'Fn::Join': {
        const [separator, items] = list(argument, at, name);
        const values = resolve(items, `${at}[1]`);
        if (typeof separator !== 'string') throw new TemplateError(at, 'Fn::Join takes [separator, list]');
        return list(values, at, name).join(separator);
      }
      case 'Fn::Select': {
        const [index, items] = list(resolve(argument, at), at, name);
        const values = list(items, at, name);
        const i = Number(index);
        if (!Number.isInteger(i) || i < 0 || i >= values.length)
          throw new TemplateError(at, `Fn::Select index ${String(index)} is outside a list of ${values.length}`);
        return values[i];
      }
      case 'Fn::Split': {
        const [separator, text] = list(resolve(argument, at), at, name);
        if (typeof separator !== 'string' || typeof text !== 'string')
          throw new TemplateError(at, 'Fn::Split takes [separator, string]');
        return text.split(separator);
      }
      case 'Fn::ImportValue': {
        const exportName = String(resolve(argument, at));
        const value = options.imports?.[exportName];
        if (value === undefined) throw new TemplateError(at, `no stack exports ${exportName}`);
        return value;
      }
      case 'Fn::Base64':
        return Buffer.from(String(resolve(argument, at))).toString('base64');
      case 'Fn::FindInMap': {
        const [map = '', top = '', second = ''] = list(resolve(argument, at), at, name).map(String);
        const value = template.Mappings?.[map]?.[top]?.[second];
        if (value === undefined) throw new TemplateError(at, `no mapping ${map}.${top}.${second}`);
        return value;
      }
      case 'Fn::If': {
        const [conditionName, whenTrue, whenFalse] = list(argument, at, name);
        return condition(String(conditionName), at) ? resolve(whenTrue, `${at}[1]`) : resolve(whenFalse, `${at}[2]`);
      }
      case 'Fn::Equals': {
        const [a, b] = list(resolve(argument, at), at, name);
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::And':
        return list(resolve(argument, at), at, name).every((value) => value === true);
      case 'Fn::Or':
        return list(resolve(argument, at), at, name).some((value) => value === true);
      case 'Fn::Not':
        return list(resolve(argument, at), at, name)[0] !== true;
      case 'Condition':
        return condition(String(argument), at);
      default:
        throw new TemplateError(at, `${name} is not supported by the local stack`);
    }
  }

  function resolveAny(value: unknown, path: string): unknown {
    if (Array.isArray(value))
      return value.map((item, i) => resolveAny(item, `${path}[${i}]`)).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [only] = entries;
    if (only && entries.length === 1) {
      const [key, argument] = only;
      // "Condition" is an intrinsic only inside a condition function; elsewhere it is an ordinary key.
      if (key === 'Ref' || key.startsWith('Fn::') || (key === 'Condition' && path.startsWith('Conditions.')))
        return intrinsic(key, argument, path);
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = resolveAny(item, `${path}.${key}`);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  function resolve(value: unknown, path: string): unknown {
    const resolved = resolveAny(value, path);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  return { resolve, isCreated, nameOf, refOf: (logicalId) => answer(logicalId, `Resources.${logicalId}`)?.ref };
}

/** EventBusName may be a bus's name or its ARN; absent, the default bus. */
export function busNameOf(value: unknown): string {
  if (value === undefined) return 'default';
  const text = String(value);
  return text.startsWith('arn:') ? text.slice(text.indexOf(':event-bus/') + ':event-bus/'.length) : text;
}

function resourcesOf(template: Template): Record<string, TemplateResource> {
  if (!template || typeof template.Resources !== 'object' || template.Resources === null)
    throw new TemplateError('Resources', 'the template has no Resources');
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (typeof (resource as { Type?: unknown }).Type !== 'string')
      throw new TemplateError(`Resources.${logicalId}`, 'has no Type');
  }
  return template.Resources as Record<string, TemplateResource>;
}

/** The property CloudFormation takes a resource's name from ("A.B" for a nested one). */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::Archive': 'ArchiveName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::CloudFront::Function': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
};

function lookup(properties: Record<string, unknown>, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], properties);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** CloudFormation's random suffix, made from a seed so that a stack's names are the same on every start. */
function suffixOf(seed: string, length: number): string {
  const digest = createHash('sha256').update(seed).digest();
  return Array.from(digest.subarray(0, length), (byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

function uuidOf(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
