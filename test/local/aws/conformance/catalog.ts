/**
 * What the local stack answers as AWS does, case by case: each entry is one behaviour, the AWS page it follows,
 * and whether the stack emulates it or refuses it with the one clear message. The README's table is rendered
 * from this list (readme.test.ts checks it), and every entry has exactly one test in this folder.
 */

export interface ConformanceCase {
  id: string;
  service: 's3' | 'dynamodb' | 'sqs' | 'events' | 'cloudfront' | 'lambda';
  operation: string;
  behaviour: string;
  outcome: 'as AWS' | 'refused';
  doc: string;
}

const S3_API = 'https://docs.aws.amazon.com/AmazonS3/latest/API';
const DDB_API = 'https://docs.aws.amazon.com/amazondynamodb/latest/APIReference';
const SQS_API = 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference';

export const catalog: readonly ConformanceCase[] = [
  {
    id: 's3-list-truncated',
    service: 's3',
    operation: 'ListObjectsV2',
    behaviour: 'a truncated listing pages on with NextContinuationToken until every key is listed',
    outcome: 'as AWS',
    doc: `${S3_API}/API_ListObjectsV2.html`,
  },
  {
    id: 's3-list-delimiter-max-keys',
    service: 's3',
    operation: 'ListObjectsV2',
    behaviour: 'with Delimiter, common prefixes count against MaxKeys and towards truncation',
    outcome: 'as AWS',
    doc: `${S3_API}/API_ListObjectsV2.html`,
  },
  {
    id: 's3-put-if-match-stale',
    service: 's3',
    operation: 'PutObject',
    behaviour: 'a stale If-Match answers 412 PreconditionFailed and keeps the object',
    outcome: 'as AWS',
    doc: `${S3_API}/API_PutObject.html`,
  },
  {
    id: 's3-multipart-etag',
    service: 's3',
    operation: 'CompleteMultipartUpload',
    behaviour: 'the ETag is the MD5 of the parts’ MD5s, a dash and the part count',
    outcome: 'as AWS',
    doc: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html',
  },
  {
    id: 's3-copy-reserved-characters',
    service: 's3',
    operation: 'CopyObject',
    behaviour: 'copies a key holding : = + # ? & given as a URL-encoded CopySource',
    outcome: 'as AWS',
    doc: `${S3_API}/API_CopyObject.html`,
  },
  {
    id: 's3-concurrent-deletes',
    service: 's3',
    operation: 'DeleteObject',
    behaviour: 'concurrent deletes of nested keys all succeed (aws s3 rm --recursive)',
    outcome: 'as AWS',
    doc: `${S3_API}/API_DeleteObject.html`,
  },
  {
    id: 's3-versioning-refused',
    service: 's3',
    operation: 'PutBucketVersioning',
    behaviour: 'refused with the clear message (versioning is not emulated)',
    outcome: 'refused',
    doc: `${S3_API}/API_PutBucketVersioning.html`,
  },
  {
    id: 's3-object-attributes-refused',
    service: 's3',
    operation: 'GetObjectAttributes',
    behaviour: 'refused with the clear message',
    outcome: 'refused',
    doc: `${S3_API}/API_GetObjectAttributes.html`,
  },
  {
    id: 'dynamodb-table-arn-region',
    service: 'dynamodb',
    operation: 'DescribeTable',
    behaviour: 'TableArn names the region the client called',
    outcome: 'as AWS',
    doc: `${DDB_API}/API_TableDescription.html`,
  },
  {
    id: 'dynamodb-condition-failure-item',
    service: 'dynamodb',
    operation: 'PutItem',
    behaviour: 'ReturnValuesOnConditionCheckFailure ALL_OLD puts the item in the ConditionalCheckFailedException',
    outcome: 'as AWS',
    doc: `${DDB_API}/API_PutItem.html`,
  },
  {
    id: 'dynamodb-ttl-update-describe',
    service: 'dynamodb',
    operation: 'UpdateTimeToLive',
    behaviour: 'enables time to live, which DescribeTimeToLive then reports',
    outcome: 'as AWS',
    doc: `${DDB_API}/API_UpdateTimeToLive.html`,
  },
  {
    id: 'dynamodb-ttl-sweep',
    service: 'dynamodb',
    operation: 'TimeToLive',
    behaviour: 'items whose time-to-live attribute is past are deleted, others kept',
    outcome: 'as AWS',
    doc: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html',
  },
  {
    id: 'dynamodb-ttl-declared',
    service: 'dynamodb',
    operation: 'DescribeTimeToLive',
    behaviour: 'the tables the deployment gives a time to live have it enabled at start',
    outcome: 'as AWS',
    doc: `${DDB_API}/API_DescribeTimeToLive.html`,
  },
  {
    id: 'dynamodb-transact-write-commits',
    service: 'dynamodb',
    operation: 'TransactWriteItems',
    behaviour: 'puts, updates and deletes of several items all happen',
    outcome: 'as AWS',
    doc: `${DDB_API}/API_TransactWriteItems.html`,
  },
  {
    id: 'dynamodb-transact-write-cancels',
    service: 'dynamodb',
    operation: 'TransactWriteItems',
    behaviour: 'one failed condition cancels all, with CancellationReasons per item',
    outcome: 'as AWS',
    doc: `${DDB_API}/API_TransactWriteItems.html`,
  },
  {
    id: 'dynamodb-transact-write-idempotent',
    service: 'dynamodb',
    operation: 'TransactWriteItems',
    behaviour: 'the same ClientRequestToken and request again is not run twice; another request under it is refused',
    outcome: 'as AWS',
    doc: `${DDB_API}/API_TransactWriteItems.html`,
  },
  {
    id: 'dynamodb-transact-get',
    service: 'dynamodb',
    operation: 'TransactGetItems',
    behaviour: 'answers each item in order, an empty response for a missing one',
    outcome: 'as AWS',
    doc: `${DDB_API}/API_TransactGetItems.html`,
  },
  {
    id: 'dynamodb-execute-statement-refused',
    service: 'dynamodb',
    operation: 'ExecuteStatement',
    behaviour: 'PartiQL is refused with the clear message',
    outcome: 'refused',
    doc: `${DDB_API}/API_ExecuteStatement.html`,
  },
  {
    id: 'dynamodb-continuous-backups-refused',
    service: 'dynamodb',
    operation: 'DescribeContinuousBackups',
    behaviour: 'refused with the clear message',
    outcome: 'refused',
    doc: `${DDB_API}/API_DescribeContinuousBackups.html`,
  },
  {
    id: 'sqs-delete-batch-per-entry',
    service: 'sqs',
    operation: 'DeleteMessageBatch',
    behaviour: 'a bad receipt handle fails its own entry; the others are deleted',
    outcome: 'as AWS',
    doc: `${SQS_API}/API_DeleteMessageBatch.html`,
  },
  {
    id: 'sqs-create-same-attributes',
    service: 'sqs',
    operation: 'CreateQueue',
    behaviour: 'an existing name with the same attributes answers the existing queue',
    outcome: 'as AWS',
    doc: `${SQS_API}/API_CreateQueue.html`,
  },
  {
    id: 'sqs-create-different-attributes',
    service: 'sqs',
    operation: 'CreateQueue',
    behaviour: 'an existing name with different attributes answers QueueNameExists',
    outcome: 'as AWS',
    doc: `${SQS_API}/API_CreateQueue.html`,
  },
  {
    id: 'sqs-unknown-attribute',
    service: 'sqs',
    operation: 'CreateQueue',
    behaviour: 'an unknown attribute answers InvalidAttributeName',
    outcome: 'as AWS',
    doc: `${SQS_API}/API_CreateQueue.html`,
  },
  {
    id: 'sqs-attribute-out-of-range',
    service: 'sqs',
    operation: 'SetQueueAttributes',
    behaviour: 'a value out of range answers InvalidAttributeValue',
    outcome: 'as AWS',
    doc: `${SQS_API}/API_SetQueueAttributes.html`,
  },
  {
    id: 'sqs-fifo-attribute-on-standard-name',
    service: 'sqs',
    operation: 'CreateQueue',
    behaviour: 'FifoQueue=true on a name without .fifo answers InvalidParameterValue',
    outcome: 'as AWS',
    doc: `${SQS_API}/API_CreateQueue.html`,
  },
  {
    id: 'sqs-redrive-missing-queue',
    service: 'sqs',
    operation: 'SetQueueAttributes',
    behaviour: 'a RedrivePolicy naming a missing dead-letter queue answers InvalidParameterValue',
    outcome: 'as AWS',
    doc: `${SQS_API}/API_SetQueueAttributes.html`,
  },
  {
    id: 'sqs-purge-twice',
    service: 'sqs',
    operation: 'PurgeQueue',
    behaviour: 'a second purge within 60 seconds answers PurgeQueueInProgress',
    outcome: 'as AWS',
    doc: `${SQS_API}/API_PurgeQueue.html`,
  },
  {
    id: 'sqs-fifo-refused',
    service: 'sqs',
    operation: 'CreateQueue',
    behaviour: 'a FIFO queue is refused with the clear message',
    outcome: 'refused',
    doc: `${SQS_API}/API_CreateQueue.html`,
  },
  {
    id: 'sqs-query-protocol-refused',
    service: 'sqs',
    operation: 'SendMessage',
    behaviour: 'the query (XML) protocol is refused with a message naming the protocol',
    outcome: 'refused',
    doc: `${SQS_API}/API_SendMessage.html`,
  },
  {
    id: 'events-input-transformer-json',
    service: 'events',
    operation: 'PutTargets',
    behaviour: 'InputTransformer fills a JSON InputTemplate: quoted placeholders as text, bare ones as JSON',
    outcome: 'as AWS',
    doc: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html',
  },
  {
    id: 'events-input-transformer-text',
    service: 'events',
    operation: 'PutTargets',
    behaviour: 'InputTransformer with a text InputTemplate delivers the text',
    outcome: 'as AWS',
    doc: 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html',
  },
  {
    id: 'events-input-exclusive',
    service: 'events',
    operation: 'PutTargets',
    behaviour: 'Input, InputPath and InputTransformer together answer ValidationException',
    outcome: 'as AWS',
    doc: 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html',
  },
  {
    id: 'cloudfront-list-invalidations-max-items',
    service: 'cloudfront',
    operation: 'ListInvalidations',
    behaviour: 'MaxItems pages the list; Marker continues from NextMarker',
    outcome: 'as AWS',
    doc: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ListInvalidations.html',
  },
  {
    id: 'lambda-function-error-async-retries',
    service: 'lambda',
    operation: 'Invoke (Event)',
    behaviour:
      'a failing function is run once and retried as its EventInvokeConfig says, whatever the rule RetryPolicy',
    outcome: 'as AWS',
    doc: 'https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html',
  },
  {
    id: 'lambda-function-error-dead-letter',
    service: 'lambda',
    operation: 'Invoke (Event)',
    behaviour: 'then the event goes to the function DLQ with RequestID, ErrorCode and ErrorMessage',
    outcome: 'as AWS',
    doc: 'https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html',
  },
  {
    id: 'events-invoke-refused-rule-retry',
    service: 'events',
    operation: 'PutEvents',
    behaviour:
      'an invoke Lambda refuses is retried by the rule RetryPolicy, then the rule DLQ with EventBridge attributes',
    outcome: 'as AWS',
    doc: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html',
  },
];

/** The README's table, one row per case. */
export function renderTable(cases: readonly ConformanceCase[] = catalog): string {
  const rows = cases.map(
    (c) => `| \`${c.service}.${c.operation}\` | ${c.behaviour} | ${c.outcome} | [AWS](${c.doc}) |`,
  );
  return ['| Operation | Behaviour | Local stack | Follows |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
