import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * What the local stack builds, read from a CloudFormation template: the packaged one (`serverless package`), or
 * in source mode the same template with each function's code pointing at its sources. Every name, ARN and
 * variable is already resolved (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::ImportValue) to the local resources.
 */
export interface StackModel {
  region: string;
  accountId: string;
  tables: TableModel[];
  queues: QueueModel[];
  buses: BusModel[];
  archives: ArchiveModel[];
  rules: RuleModel[];
  functions: FunctionModel[];
  httpRoutes: HttpRouteModel[];
  cloudFrontFunctions: CloudFrontFunctionModel[];
  /** CloudFront response headers policies: the stack answers them by id (the guest site serves their headers). */
  responseHeadersPolicies: ResponseHeadersPolicyModel[];
  /** The functions' execution roles, with their policies: what the local stack's IAM enforces (packaged mode). */
  roles: RoleModel[];
  /** The template's resource policies (queue, bucket, bus and key policies), by the ARN they govern. */
  resourcePolicies: ResourcePolicyModel[];
  /** Resources the local stack does not emulate (alarms, dashboard, log groups, KMS keys, ...), listed at start. */
  unemulated: { logicalId: string; type: string }[];
  /** The template's Outputs, resolved. */
  outputs: Record<string, string>;
}

export interface TableModel {
  logicalId: string;
  /** CreateTable input: name, keys, attribute definitions, indexes, billing mode. */
  definition: CreateTableCommandInput;
  /** The time-to-live attribute, when TimeToLiveSpecification enables one. */
  timeToLiveAttribute?: string;
}

export interface QueueModel {
  logicalId: string;
  name: string;
  arn: string;
  /** CreateQueue attributes as SQS takes them (strings): MessageRetentionPeriod, RedrivePolicy, ... */
  attributes: Record<string, string>;
  /** The AWS::SQS::QueuePolicy documents that name this queue. */
  policies: unknown[];
}

export interface BusModel {
  logicalId: string;
  name: string;
  arn: string;
}

export interface ArchiveModel {
  logicalId: string;
  name: string;
  sourceArn: string;
  retentionDays: number;
  eventPattern?: unknown;
  description?: string;
}

export interface RuleTargetModel {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn: string };
}

export interface RuleModel {
  logicalId: string;
  name: string;
  arn: string;
  busName: string;
  eventPattern: unknown;
  state: string;
  description?: string;
  targets: RuleTargetModel[];
}

export interface FunctionModel {
  logicalId: string;
  name: string;
  arn: string;
  /** As the template says it: "services/calendar/handler.handler". */
  handler: string;
  /** "nodejs22.x". */
  runtime: string;
  /** Where the code is: the zip the template's Code names (packaged), or the checkout (source mode). */
  code: { zipFile: string } | { sourceRoot: string };
  /** The template's variables, resolved; nothing else. */
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  reservedConcurrency?: number;
  roleArn?: string;
  /** The function's own DeadLetterConfig.TargetArn. */
  deadLetterArn?: string;
  /** From its AWS::Lambda::EventInvokeConfig; Lambda's defaults when absent. */
  asyncConfig?: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };
}

export interface HttpRouteModel {
  /** "POST /webhooks/boatsetter". */
  routeKey: string;
  method: string;
  path: string;
  functionName: string;
  payloadFormatVersion: string;
}

export interface CloudFrontFunctionModel {
  logicalId: string;
  name: string;
  code: string;
  runtime: string;
}

export interface ResponseHeadersPolicyModel {
  logicalId: string;
  /** The policy's id: its Ref, and Fn::GetAtt Id. */
  id: string;
  name: string;
  comment?: string;
}

export interface RoleModel {
  logicalId: string;
  name: string;
  arn: string;
  /** Its inline Policies, every ARN resolved. */
  policies: { name: string; document: unknown }[];
  /** The managed policies it attaches, by ARN (AWS's own, e.g. AWSXRayDaemonWriteAccess). */
  managedPolicyArns: string[];
}

export interface ResourcePolicyModel {
  /** The policy resource's logical id (a QueuePolicy, a BucketPolicy, a Key's KeyPolicy). */
  logicalId: string;
  /** The ARN of the resource it governs: a queue, a bucket (its objects too), a bus, a key. */
  resourceArn: string;
  document: unknown;
}
