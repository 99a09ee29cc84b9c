import type { ConsumerDeclaration } from '../shared/declaration';
import { secretNames } from '../shared/config';
import { PRIVATE_PARTITION_PREFIX } from '../shared/tables';
import type { DiscoveredService } from './discover';
import { consumerLogicalIds, ownTableLogicalId } from './names';
import type { DeployParams } from './params';

type Cfn = unknown;

export interface PolicyStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: Cfn[];
  Condition?: Record<string, Record<string, string[]>>;
}

/**
 * The private records share the bookings table, told apart by partition key, the one part of an item IAM can
 * condition on (dynamodb:LeadingKeys, the partition keys a request names). A multi-valued key: ForAllValues
 * holds when every key the request names matches. No role is granted Scan, the one call that names none.
 */
const privatePartitions = [`${PRIVATE_PARTITION_PREFIX}*`];
export const outsidePrivateRecords = { 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': privatePartitions } };
export const insidePrivateRecords = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': privatePartitions } };

const sub = (text: string) => ({ 'Fn::Sub': text });

/**
 * The only wildcards our roles carry, each narrowing a resource we own rather than widening to "*":
 * log streams of the function's own log group (stream names are made by Lambda), the six random
 * characters Secrets Manager appends to a secret's ARN, an S3 key prefix, and a logical index name.
 * test/deploy/template.test.ts fails on any other '*' in a Resource.
 */
export const documentedWildcards: readonly RegExp[] = [
  /:log-group:\/aws\/lambda\/[^*:]+:\*$/,
  /:secret:[^*?]+-\?\?\?\?\?\?$/,
  /^arn:\$\{AWS::Partition\}:s3:::[^*/]+\/[^*]+\/\*$/,
];

/** One IAM role per function, holding only what the function's declaration and access.ts say it uses. */
export function roleOf(service: DiscoveredService, functionName: string, params: DeployParams) {
  const { access, declaration } = service;
  const statements: PolicyStatement[] = [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [
        sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*`),
      ],
    },
  ];
  const allow = (actions: readonly string[] | undefined, ...resources: Cfn[]) => {
    if (actions?.length) statements.push({ Effect: 'Allow', Action: [...actions], Resource: resources });
  };
  const allowWhere = (
    actions: readonly string[] | undefined,
    condition: PolicyStatement['Condition'],
    resource: Cfn,
  ) => {
    if (actions?.length)
      statements.push({ Effect: 'Allow', Action: [...actions], Resource: [resource], Condition: condition });
  };

  if (declaration.emits.length > 0) allow(['events:PutEvents'], { 'Fn::GetAtt': ['EventBus', 'Arn'] });
  // Lambda itself (with this role) dead-letters an event the function failed on, after its async retries.
  if (declaration.kind === 'consumer') {
    allow(['sqs:SendMessage'], { 'Fn::GetAtt': [consumerLogicalIds(service.name).deadLetterQueue, 'Arn'] });
  }
  allowWhere(access.bookingsTable, outsidePrivateRecords, { 'Fn::GetAtt': ['BookingsTable', 'Arn'] });
  allowWhere(access.privateRecords, insidePrivateRecords, { 'Fn::GetAtt': ['BookingsTable', 'Arn'] });
  allow(
    access.sccTable,
    sub(`arn:\${AWS::Partition}:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/${params.sccTableName}`),
  );
  for (const table of (declaration as ConsumerDeclaration).tables ?? []) {
    const logicalId = ownTableLogicalId(service.name, table.name);
    allow(
      [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
      ],
      { 'Fn::GetAtt': [logicalId, 'Arn'] },
      ...(table.indexes ?? []).map((index) => ({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, `/index/${index.name}`]],
      })),
    );
  }
  for (const [prefix, actions] of Object.entries(access.guestSiteObjects ?? {})) {
    allow(actions, sub(`arn:\${AWS::Partition}:s3:::${params.guestSiteBucket}/${prefix}`));
  }
  if (access.guestSiteList) allow(['s3:ListBucket'], sub(`arn:\${AWS::Partition}:s3:::${params.guestSiteBucket}`));
  for (const [prefix, actions] of Object.entries(access.legacySiteObjects ?? {})) {
    allow(actions, sub(`arn:\${AWS::Partition}:s3:::${params.legacyBucket}/${prefix}`));
  }
  if (access.guestSiteInvalidation) {
    allow(
      ['cloudfront:CreateInvalidation'],
      sub(`arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/${params.guestSiteDistributionId}`),
    );
  }
  if (access.guestMail) {
    // SES authorizes SendEmail against the sending identity and, when the mail names one, the configuration set.
    const ses = `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}`;
    allow(
      ['ses:SendEmail'],
      sub(`${ses}:identity/${params.guestMailIdentity}`),
      ...(params.guestMailConfigurationSet
        ? [sub(`${ses}:configuration-set/${params.guestMailConfigurationSet}`)]
        : []),
    );
  }
  if (access.secrets?.length) {
    allow(
      ['secretsmanager:GetSecretValue'],
      ...access.secrets.map((key) =>
        sub(
          `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${secretNames[key]}-??????`,
        ),
      ),
    );
  }

  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
      },
      Policies: [
        { PolicyName: `${functionName}-policy`, PolicyDocument: { Version: '2012-10-17', Statement: statements } },
      ],
      // Active tracing: Lambda sends the function's segments to X-Ray with the function's role. X-Ray's
      // PutTraceSegments has no resource to narrow to, so the AWS-managed policy holds the only "*" we grant.
      ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess' }],
    },
  };
}
