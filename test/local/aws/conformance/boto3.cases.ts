import { execFile, spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { catalog } from './catalog';
import { stack } from './support';

/**
 * A few cases again through a client nobody here wrote: boto3, the library under the AWS CLI. It is not an
 * npm package (CI installs from npm only), so the cases run through the first Python found that imports it:
 * CHARTERFLOW_PYTHON if set, then python3 and python on the PATH, then the system's and pyenv's. Where none
 * does, a skipped test and a console line say so; the SDK cases above still run.
 */
const PYTHONS = [
  process.env.CHARTERFLOW_PYTHON,
  'python3',
  'python',
  '/usr/bin/python3',
  '/usr/local/bin/python3',
  join(homedir(), '.pyenv', 'shims', 'python3'),
].filter((candidate): candidate is string => Boolean(candidate));

const pythonWithBoto3 = PYTHONS.find(
  (candidate) => spawnSync(candidate, ['-c', 'import boto3'], { stdio: 'ignore', timeout: 30_000 }).status === 0,
);
const noBoto3 = `boto3 cases not run: no Python with boto3 found (tried ${PYTHONS.join(', ')}; set CHARTERFLOW_PYTHON to one that has it)`;
if (!pythonWithBoto3) console.warn(noBoto3);

/** Runs boto3 in a child process, asynchronously: the stack it calls runs in this one. */
async function python(script: string): Promise<unknown> {
  const prelude = [
    'import boto3, json, os',
    "session = boto3.session.Session(aws_access_key_id='boto3', aws_secret_access_key='boto3', region_name='us-west-2')",
    "client = lambda name: session.client(name, endpoint_url=os.environ['ENDPOINT'])",
  ].join('\n');
  const { stdout } = await promisify(execFile)(pythonWithBoto3!, ['-c', `${prelude}\n${script}`], {
    env: {
      ...process.env,
      ENDPOINT: stack().endpoints.aws,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(stdout);
}

const name = (id: string) => {
  const c = catalog.find((entry) => entry.id === id)!;
  return `${c.service}.${c.operation} through boto3: ${c.behaviour} (${c.doc})`;
};

describe.skipIf(!pythonWithBoto3)('the same cases through boto3', () => {
  it(name('s3-list-truncated'), async () => {
    const listed = await python(`
s3 = client('s3')
s3.create_bucket(Bucket='boto3-listing', CreateBucketConfiguration={'LocationConstraint': 'us-west-2'})
for i in range(5):
    s3.put_object(Bucket='boto3-listing', Key='g/B%04d/index.html' % i, Body=b'x')
keys = []
for page in s3.get_paginator('list_objects_v2').paginate(Bucket='boto3-listing', PaginationConfig={'PageSize': 2}):
    keys += [o['Key'] for o in page.get('Contents', [])]
print(json.dumps({'count': len(keys), 'sorted': keys == sorted(keys)}))
`);
    expect(listed).toEqual({ count: 5, sorted: true });
  });

  it(name('sqs-delete-batch-per-entry'), async () => {
    const result = await python(`
sqs = client('sqs')
url = sqs.create_queue(QueueName='boto3-batch')['QueueUrl']
sqs.send_message(QueueUrl=url, MessageBody='{"bookingId":"XHQGMDH"}')
handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=300)['Messages'][0]['ReceiptHandle']
r = sqs.delete_message_batch(QueueUrl=url, Entries=[{'Id': 'good', 'ReceiptHandle': handle}, {'Id': 'bad', 'ReceiptHandle': 'nope'}])
print(json.dumps({'ok': [e['Id'] for e in r.get('Successful', [])], 'failed': [(e['Id'], e['Code']) for e in r.get('Failed', [])]}))
`);
    expect(result).toEqual({ ok: ['good'], failed: [['bad', 'ReceiptHandleIsInvalid']] });
  });

  it(name('sqs-list-queues-pages'), async () => {
    const result = await python(`
sqs = client('sqs')
for i in range(5):
    sqs.create_queue(QueueName='boto3-paging-%d' % i)
pages = list(sqs.get_paginator('list_queues').paginate(QueueNamePrefix='boto3-paging-', PaginationConfig={'PageSize': 2}))
names = [u.rsplit('/', 1)[1] for p in pages for u in p.get('QueueUrls', [])]
print(json.dumps({'pages': len(pages), 'names': names}))
`);
    expect(result).toEqual({ pages: 3, names: [0, 1, 2, 3, 4].map((n) => `boto3-paging-${n}`) });
  });

  it(name('sqs-invalid-message-contents'), async () => {
    const result = await python(`
sqs = client('sqs')
url = sqs.create_queue(QueueName='boto3-contents')['QueueUrl']
try:
    sqs.send_message(QueueUrl=url, MessageBody='bad \\u0001 byte'.encode().decode('unicode_escape'))
    print(json.dumps({'refused': False}))
except Exception as e:
    print(json.dumps({'refused': True, 'code': e.response['Error']['Code'], 'status': e.response['ResponseMetadata']['HTTPStatusCode']}))
`);
    expect(result).toEqual({ refused: true, code: 'InvalidMessageContents', status: 400 });
  });

  it(name('dynamodb-transact-write-cancels'), async () => {
    const result = await python(`
ddb = client('dynamodb')
ddb.create_table(TableName='boto3-transact', BillingMode='PAY_PER_REQUEST',
    AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}], KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}])
ddb.put_item(TableName='boto3-transact', Item={'pk': {'S': 'taken'}})
try:
    ddb.transact_write_items(TransactItems=[
        {'Put': {'TableName': 'boto3-transact', 'Item': {'pk': {'S': 'fresh'}}}},
        {'Put': {'TableName': 'boto3-transact', 'Item': {'pk': {'S': 'taken'}}, 'ConditionExpression': 'attribute_not_exists(pk)'}},
    ])
    print(json.dumps({'cancelled': False}))
except ddb.exceptions.TransactionCanceledException as e:
    reasons = [r['Code'] for r in e.response['CancellationReasons']]
    items = sorted(i['pk']['S'] for i in ddb.scan(TableName='boto3-transact')['Items'])
    print(json.dumps({'cancelled': True, 'reasons': reasons, 'items': items}))
`);
    expect(result).toEqual({ cancelled: true, reasons: ['None', 'ConditionalCheckFailed'], items: ['taken'] });
  });

  it(name('dynamodb-execute-statement-refused'), async () => {
    const result = await python(`
ddb = client('dynamodb')
try:
    ddb.execute_statement(Statement='SELECT * FROM "charterflow-local-bookings"')
    print(json.dumps({'refused': False}))
except Exception as e:
    print(json.dumps({'refused': True, 'message': e.response['Error']['Message']}))
`);
    expect(result).toEqual({ refused: true, message: 'not supported by charterflow local: dynamodb.ExecuteStatement' });
  });
});

describe.runIf(!pythonWithBoto3)('boto3', () => {
  it.skip(noBoto3, () => {});
});
