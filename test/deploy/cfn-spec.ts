import { specification } from '@aws-cdk/cfnspec';

/**
 * An offline check of a CloudFormation template against the CloudFormation resource specification (the one
 * @aws-cdk/cfnspec ships): every resource type exists, every property exists on its type, required ones are
 * there, and each value has the declared shape (primitive, list, map or property type, recursively). Values
 * built by intrinsic functions (Ref, Fn::*) are taken as they come: they resolve at deploy time. Our own
 * code because cfn-lint is Python and nothing on npm checks a template against the spec offline.
 */

type PropertySpec = {
  PrimitiveType?: string;
  Type?: string;
  ItemType?: string;
  PrimitiveItemType?: string;
  PrimitiveTypes?: string[];
  Types?: string[];
  Required?: boolean;
};
type TypeSpec = { Properties?: Record<string, PropertySpec> };
export interface Spec {
  ResourceTypes: Record<string, TypeSpec>;
  PropertyTypes: Record<string, TypeSpec>;
}

/**
 * The specification as @aws-cdk/cfnspec has it (its last release, 117.0.0, is from 2023), plus the properties
 * CloudFormation added since that our template uses, each with its documented type, so they are checked too.
 */
export function cloudFormationSpec(): Spec {
  const spec = specification() as unknown as Spec;
  const lambda = spec.ResourceTypes['AWS::Lambda::Function']!;
  lambda.Properties = {
    ...lambda.Properties,
    // AWS::Lambda::Function LoggingConfig (November 2023): osls writes it for `logs.lambda.logFormat`.
    LoggingConfig: { Type: 'LoggingConfig', Required: false },
  };
  spec.PropertyTypes['AWS::Lambda::Function.LoggingConfig'] ??= {
    Properties: {
      ApplicationLogLevel: { PrimitiveType: 'String' },
      LogFormat: { PrimitiveType: 'String' },
      LogGroup: { PrimitiveType: 'String' },
      SystemLogLevel: { PrimitiveType: 'String' },
    },
  };
  return spec;
}

const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Condition',
  'Metadata',
  'CreationPolicy',
  'UpdatePolicy',
]);

const isIntrinsic = (value: unknown): boolean => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition');
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function primitiveProblem(type: string, value: unknown): string | undefined {
  if (isIntrinsic(value)) return undefined;
  switch (type) {
    case 'String':
    case 'Timestamp':
      // CloudFormation turns scalars into strings; an object or a list is never one.
      return ['string', 'number', 'boolean'].includes(typeof value) ? undefined : `should be a ${type}`;
    case 'Integer':
    case 'Long':
      return Number.isInteger(typeof value === 'string' ? Number(value) : value) ? undefined : `should be an ${type}`;
    case 'Double':
      return typeof value === 'number' ||
        (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
        ? undefined
        : 'should be a Double';
    case 'Boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? undefined : 'should be a Boolean';
    case 'Json':
      return isObject(value) || typeof value === 'string' ? undefined : 'should be a JSON object';
    default:
      return `has an unknown primitive type ${type}`;
  }
}

/** What is wrong with a template, one line per problem, naming the resource and the property path. */
export function checkTemplate(
  template: { Resources?: Record<string, unknown> },
  spec: Spec = cloudFormationSpec(),
): string[] {
  const problems: string[] = [];

  const propertyTypeOf = (resourceType: string, name: string): TypeSpec | undefined =>
    spec.PropertyTypes[`${resourceType}.${name}`] ?? spec.PropertyTypes[name];

  const checkProperties = (resourceType: string, type: TypeSpec, value: unknown, path: string) => {
    if (isIntrinsic(value)) return;
    if (!isObject(value)) {
      problems.push(`${path}: should be an object`);
      return;
    }
    const declared = type.Properties ?? {};
    for (const [name, propertySpec] of Object.entries(declared)) {
      if (propertySpec.Required && !(name in value)) problems.push(`${path}: required property ${name} is missing`);
    }
    for (const [name, propertyValue] of Object.entries(value)) {
      const propertySpec = declared[name];
      if (!propertySpec) {
        problems.push(`${path}.${name}: no such property on ${resourceType}`);
        continue;
      }
      checkValue(resourceType, propertySpec, propertyValue, `${path}.${name}`);
    }
  };

  const checkOne = (
    resourceType: string,
    item: { primitive?: string; type?: string },
    value: unknown,
    path: string,
  ) => {
    if (item.primitive) {
      const problem = primitiveProblem(item.primitive, value);
      if (problem) problems.push(`${path}: ${problem}, got ${JSON.stringify(value)?.slice(0, 80)}`);
      return;
    }
    const type = propertyTypeOf(resourceType, item.type!);
    if (!type) problems.push(`${path}: the specification has no property type ${item.type}`);
    else checkProperties(resourceType, type, value, path);
  };

  const checkValue = (resourceType: string, property: PropertySpec, value: unknown, path: string) => {
    if (isIntrinsic(value)) return;
    if (property.PrimitiveType) return checkOne(resourceType, { primitive: property.PrimitiveType }, value, path);
    if (property.Type === 'List' || property.Type === 'Map') {
      const item = { primitive: property.PrimitiveItemType, type: property.ItemType };
      if (property.Type === 'List') {
        if (Array.isArray(value)) {
          for (const [i, element] of value.entries()) checkOne(resourceType, item, element, `${path}[${i}]`);
        } else problems.push(`${path}: should be a list`);
      } else if (isObject(value)) {
        for (const [key, element] of Object.entries(value)) checkOne(resourceType, item, element, `${path}.${key}`);
      } else problems.push(`${path}: should be a map`);
      return;
    }
    if (property.Type) return checkOne(resourceType, { type: property.Type }, value, path);
    // A union (PrimitiveTypes / Types): the value fits if it fits one of them.
    const fits = [
      ...(property.PrimitiveTypes ?? []).map((primitive) => primitiveProblem(primitive, value) === undefined),
      ...(property.Types ?? []).map((name) => isObject(value) && propertyTypeOf(resourceType, name) !== undefined),
    ];
    if (!fits.some(Boolean)) problems.push(`${path}: fits none of the types the specification allows`);
  };

  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (!isObject(resource) || typeof resource.Type !== 'string') {
      problems.push(`${logicalId}: not a resource (no Type)`);
      continue;
    }
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_ATTRIBUTES.has(key)) problems.push(`${logicalId}: ${key} is not a resource attribute`);
    }
    if (resource.Type.startsWith('Custom::')) continue;
    const type = spec.ResourceTypes[resource.Type];
    if (!type) {
      problems.push(`${logicalId}: no resource type ${resource.Type} in the specification`);
      continue;
    }
    checkProperties(resource.Type, type, resource.Properties ?? {}, `${logicalId} (${resource.Type})`);
  }
  return problems;
}
