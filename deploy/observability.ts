import { deployedNames, type ConsumerDeclaration } from '../shared/declaration';
import { METRICS_NAMESPACE, metricNames } from '../shared/metrics';
import type { DiscoveredService } from './discover';
import { pascal } from './names';
import type { DeployParams } from './params';

/**
 * What lets the operator see the stack run and keeps the public webhook from running up the bill: the
 * dashboard, the alarms that matter (next to the dead-letter ones, to the same topic), the webhook's reserved
 * concurrency and the HTTP API stage's throttling, and one KMS key encrypting the log groups and the alarm
 * topic. Kept apart from template.ts: it reads the same services and adds to what template.ts generated.
 */

export const observabilityIds = {
  key: 'LogsAndAlarmsKey',
  dashboard: 'Dashboard',
  bookingToPageAlarm: 'BookingToPageLatencyAlarm',
  doubleBookingAlarm: 'DoubleBookingAlarm',
  webhook4xxAlarm: 'Webhook4xxAlarm',
  alarmTopic: 'DeadLetterAlarmTopic',
  // Named by osls: the HTTP API, its stage and the stage's access log group.
  httpApi: 'HttpApi',
  httpApiStage: 'HttpApiStage',
  httpApiLogGroup: 'HttpApiLogGroup',
} as const;

/** The logical ids osls gives a function's log group and its API Gateway invoke permission. */
export const logGroupLogicalIdOf = (service: string) => `${pascal(service)}LogGroup`;
export const httpApiPermissionLogicalIdOf = (service: string) => `${pascal(service)}LambdaPermissionHttpApi`;

/** The detail-type whose publication ends a booking's chain: the booking-to-page latency is emitted by its producer. */
export const END_OF_CHAIN = 'GuestPagePublished';

type Cfn = Record<string, unknown>;
type Extensions = Record<string, { Properties?: Cfn } | undefined>;

interface Generated {
  functions: Record<string, unknown>;
  resources: {
    Resources: Record<string, unknown>;
    Outputs: Record<string, unknown>;
    extensions: Record<string, unknown>;
  };
}
const sub = (text: string) => ({ 'Fn::Sub': text });
const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });

/** Adds the observability resources to what template.ts generated for these services. */
export function addObservability(
  generated: Generated,
  services: readonly DiscoveredService[],
  stage: string,
  params: DeployParams,
  functionKeyOf: (name: string) => string,
): void {
  const { Resources, Outputs } = generated.resources;
  const extensions = generated.resources.extensions as Extensions;
  const webhooks = services.filter((s) => s.declaration.kind === 'http').map((s) => s.name);
  const endOfChain = services.find((s) => (s.declaration.emits as readonly string[]).includes(END_OF_CHAIN))?.name;

  Resources[observabilityIds.key] = logsAndAlarmsKey();
  const encrypted = { KmsKeyId: getAtt(observabilityIds.key) };
  for (const { name } of services) extend(extensions, logGroupLogicalIdOf(name), encrypted);
  const topic = Resources[observabilityIds.alarmTopic] as { Properties: Cfn } | undefined;
  if (topic) topic.Properties.KmsMasterKeyId = { Ref: observabilityIds.key };

  for (const name of webhooks) {
    (generated.functions[functionKeyOf(name)] as Cfn).reservedConcurrency = params.webhookReservedConcurrency;
    // API Gateway may invoke the webhook for APIs of this account only (the SourceArn names the API already).
    extend(extensions, httpApiPermissionLogicalIdOf(name), { SourceAccount: { Ref: 'AWS::AccountId' } });
  }
  if (webhooks.length > 0) {
    extend(extensions, observabilityIds.httpApiLogGroup, encrypted);
    // Replaces osls's DefaultRouteSettings, which holds only DetailedMetricsEnabled (httpApi.metrics, left off).
    extend(extensions, observabilityIds.httpApiStage, {
      DefaultRouteSettings: {
        ThrottlingRateLimit: params.webhookRateLimit,
        ThrottlingBurstLimit: params.webhookBurstLimit,
      },
    });
    Resources[observabilityIds.webhook4xxAlarm] = webhook4xxAlarm(stage, params);
  }
  if (endOfChain) Resources[observabilityIds.bookingToPageAlarm] = bookingToPageAlarm(stage, params, endOfChain);
  Resources[observabilityIds.doubleBookingAlarm] = doubleBookingAlarm(stage);

  Resources[observabilityIds.dashboard] = {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: {
      DashboardName: `charterflow-${stage}`,
      DashboardBody: sub(JSON.stringify(dashboardBody(stage, services, params, endOfChain))),
    },
  };
  Outputs.DashboardName = { Value: { Ref: observabilityIds.dashboard } };
}

function extend(extensions: Extensions, logicalId: string, properties: Cfn): void {
  extensions[logicalId] = {
    ...extensions[logicalId],
    Properties: { ...extensions[logicalId]?.Properties, ...properties },
  };
}

/**
 * One customer-managed key for the log groups and the alarm topic: the key policy is all it takes (the account
 * keeps administering it; CloudWatch Logs may use it for this account's log groups only; CloudWatch alarms may
 * use it to publish to the encrypted topic).
 */
function logsAndAlarmsKey(): Cfn {
  return {
    Type: 'AWS::KMS::Key',
    // Logs encrypted with a deleted key are lost: the key outlives the stack.
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      Description: 'charterflow log groups and alarm topic',
      EnableKeyRotation: true,
      KeyPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AccountAdministers',
            Effect: 'Allow',
            Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'LogsOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: sub('logs.${AWS::Region}.amazonaws.com') },
            Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            Resource: '*',
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': sub(
                  'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*',
                ),
              },
            },
          },
          {
            Sid: 'AlarmsPublishToTheEncryptedTopic',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ],
      },
    },
  };
}

const alarmCommon = {
  EvaluationPeriods: 1,
  TreatMissingData: 'notBreaching',
  AlarmActions: [{ Ref: observabilityIds.alarmTopic }],
};

function bookingToPageAlarm(stage: string, params: DeployParams, endOfChain: string): Cfn {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `charterflow-${stage}-booking-to-page-p99`,
      AlarmDescription: `Bookings take more than ${params.bookingToPageAlarmSeconds} s (p99 over 5 minutes) from the webhook to a live guest page`,
      Namespace: METRICS_NAMESPACE,
      MetricName: metricNames.bookingToPageLatency,
      Dimensions: [{ Name: 'service', Value: endOfChain }],
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: params.bookingToPageAlarmSeconds * 1000,
      ComparisonOperator: 'GreaterThanThreshold',
      ...alarmCommon,
    },
  };
}

/**
 * Any service may detect a double booking: a Metrics Insights query sums the metric over every `service`,
 * so a consumer added later is covered with no change here (metric math would cap the alarm at 10 metrics).
 */
export const DOUBLE_BOOKINGS_QUERY = `SELECT SUM(${metricNames.doubleBookingsDetected}) FROM SCHEMA("${METRICS_NAMESPACE}", service)`;

function doubleBookingAlarm(stage: string): Cfn {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `charterflow-${stage}-double-booking`,
      AlarmDescription: 'A double booking was detected: two bookings hold the same boat at the same time',
      Metrics: [
        {
          Id: 'detected',
          Expression: DOUBLE_BOOKINGS_QUERY,
          Period: 60,
          Label: 'double bookings detected',
          ReturnData: true,
        },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      ...alarmCommon,
    },
  };
}

/** A wrong secret after a rotation shows as a wall of 401s: the share of 4xx answers, once there are a few requests. */
function webhook4xxAlarm(stage: string, params: DeployParams): Cfn {
  const apiMetric = (Id: string, MetricName: string) => ({
    Id,
    ReturnData: false,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApiGateway',
        MetricName,
        Dimensions: [{ Name: 'ApiId', Value: { Ref: observabilityIds.httpApi } }],
      },
      Period: 300,
      Stat: 'Sum',
    },
  });
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `charterflow-${stage}-webhook-4xx`,
      AlarmDescription: `More than ${params.webhook4xxAlarmPercent} % of webhook requests answered 4xx over 5 minutes (a rotated secret Boatsetter does not have yet answers 401)`,
      Metrics: [
        apiMetric('requests', 'Count'),
        apiMetric('rejected', '4xx'),
        {
          Id: 'rejectedPercent',
          Expression: 'IF(requests >= 5, 100 * rejected / requests, 0)',
          Label: 'webhook requests answered 4xx (%)',
          ReturnData: true,
        },
      ],
      Threshold: params.webhook4xxAlarmPercent,
      ComparisonOperator: 'GreaterThanThreshold',
      ...alarmCommon,
    },
  };
}

type MetricLine = (string | Record<string, unknown>)[];

/** The dashboard's widgets, in CloudWatch's dashboard body format; `${AWS::Region}` and `${HttpApi}` are substituted by CloudFormation. */
export function dashboardBody(
  stage: string,
  services: readonly DiscoveredService[],
  params: DeployParams,
  endOfChain: string | undefined,
) {
  const consumers = services.filter(
    (s): s is DiscoveredService & { declaration: ConsumerDeclaration } => s.declaration.kind === 'consumer',
  );
  const webhooks = services.filter((s) => s.declaration.kind === 'http');
  const ours = (metric: string, service: string, options: Record<string, unknown> = {}): MetricLine => [
    METRICS_NAMESPACE,
    metric,
    'service',
    service,
    options,
  ];
  const lambda = (metric: string, service: string, options: Record<string, unknown>): MetricLine => [
    'AWS/Lambda',
    metric,
    'FunctionName',
    deployedNames(service, stage).functionName,
    { label: service, ...options },
  ];
  const widget = (title: string, metrics: MetricLine[], options: Record<string, unknown> = {}) => ({
    type: 'metric',
    width: 12,
    height: 6,
    properties: {
      title,
      region: '${AWS::Region}',
      view: 'timeSeries',
      stacked: false,
      period: 300,
      metrics,
      ...options,
    },
  });

  const widgets = [
    ...webhooks.map(({ name }) =>
      widget(
        'Bookings per hour',
        [
          ours(metricNames.bookingsReceived, name, { label: 'received' }),
          ours(metricNames.bookingsChanged, name, { label: 'changed' }),
          ours(metricNames.bookingsCancelled, name, { label: 'cancelled' }),
        ],
        { stat: 'Sum', period: 3600 },
      ),
    ),
    ...(endOfChain
      ? [
          widget(
            'Booking to live guest page (ms)',
            [
              ours(metricNames.bookingToPageLatency, endOfChain, { stat: 'p50', label: 'p50' }),
              ours(metricNames.bookingToPageLatency, endOfChain, { stat: 'p99', label: 'p99' }),
            ],
            { annotations: { horizontal: [{ label: 'alarm', value: params.bookingToPageAlarmSeconds * 1000 }] } },
          ),
        ]
      : []),
    widget(
      'Errors per function (Lambda errors, failed events)',
      services.flatMap(({ name, declaration }) => [
        lambda('Errors', name, { stat: 'Sum' }),
        ...(declaration.kind === 'consumer'
          ? [ours(metricNames.eventsFailed, name, { stat: 'Sum', label: `${name} failed events` })]
          : []),
      ]),
    ),
    widget(
      'Duration per function, p99 (ms)',
      services.map(({ name }) => lambda('Duration', name, { stat: 'p99' })),
    ),
    widget(
      'Downstream latency per consumer, p99 (ms)',
      consumers.map(({ name }) => ours(metricNames.downstreamLatency, name, { stat: 'p99', label: name })),
    ),
    widget(
      'Events per consumer: acted on, duplicates, stale',
      consumers.flatMap(({ name }) => [
        ours(metricNames.eventsActedOn, name, { label: `${name} acted` }),
        ours(metricNames.eventsSkippedAsDuplicate, name, { label: `${name} duplicate` }),
        ours(metricNames.eventsSkippedAsStale, name, { label: `${name} stale` }),
      ]),
      { stat: 'Sum' },
    ),
    widget(
      'Dead-letter queue depth',
      consumers.map(
        ({ name }): MetricLine => [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          deployedNames(name, stage).deadLetterQueueName,
          { label: name },
        ],
      ),
      { stat: 'Maximum', period: 60 },
    ),
    widget(
      'Double bookings detected',
      consumers.map(({ name }) => ours(metricNames.doubleBookingsDetected, name, { label: name })),
      { stat: 'Sum', period: 60 },
    ),
    ...(webhooks.length > 0
      ? [
          widget(
            'Webhook requests and 4xx / 5xx answers',
            ['Count', '4xx', '5xx'].map(
              (metric): MetricLine => ['AWS/ApiGateway', metric, 'ApiId', '${HttpApi}', { label: metric }],
            ),
            { stat: 'Sum' },
          ),
        ]
      : []),
  ];
  return { widgets };
}
