import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ListMessageMoveTasksCommand, SQSClient } from '@aws-sdk/client-sqs';
import { secretNames } from '../../../shared/config';
import { LEGACY_BUCKET, SAMPLE_PHOTO_KEY } from '../../../local/charterflow/seed';
import { startStack, type LocalStack } from '../../../local/charterflow/stack';
import { clientConfig } from '../support';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startStack({ ephemeral: true, ports: { aws: 0 }, consumers: false, standIns: false });
  console.log(`local stack started in ${stack.startupMs} ms`);
});
afterAll(() => stack?.stop());

describe('DynamoDB on the edge port (dynalite)', () => {
  it('creates a table, puts, gets and updates an item under a condition', async () => {
    const dynamodb = new DynamoDBClient(clientConfig(stack));
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'edge-test-bookings',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    await dynamodb.send(
      new PutItemCommand({
        TableName: 'edge-test-bookings',
        Item: { pk: { S: 'BOOKING#XHQGMDH' }, revision: { N: '1' } },
      }),
    );
    const update = (expected: string) =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName: 'edge-test-bookings',
          Key: { pk: { S: 'BOOKING#XHQGMDH' } },
          UpdateExpression: 'SET revision = :next',
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: { ':next': { N: '2' }, ':expected': { N: expected } },
        }),
      );
    await update('1');
    await expect(update('1')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: 'edge-test-bookings', Key: { pk: { S: 'BOOKING#XHQGMDH' } } }),
    );
    expect(Item?.revision).toEqual({ N: '2' });
    dynamodb.destroy();
  });

  it('has the bookings table seeded', async () => {
    const dynamodb = new DynamoDBClient(clientConfig(stack));
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: 'charterflow-local-bookings', Key: { pk: { S: 'none' }, sk: { S: 'none' } } }),
    );
    expect(Item).toBeUndefined();
    dynamodb.destroy();
  });
});

describe('S3 on the edge port (s3rver, path-style)', () => {
  const s3 = () => new S3Client({ ...clientConfig(stack), forcePathStyle: true });

  it('puts, gets, heads, copies and lists objects with the current SDK (checksums, aws-chunked bodies)', async () => {
    const client = s3();
    const html = '<!doctype html><h1>Your charter on JADA</h1>';
    const put = await client.send(
      new PutObjectCommand({
        Bucket: 'queenofsandiego.com',
        Key: 'g/TESTPAGE1.html',
        Body: html,
        ContentType: 'text/html; charset=utf-8',
        CacheControl: 'max-age=60',
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: 'queenofsandiego.com', Key: 'g/TESTPAGE1.html' }));
    expect(await got.Body!.transformToString()).toBe(html);
    expect(got.ETag).toBe(put.ETag);
    expect(got.CacheControl).toBe('max-age=60');
    const head = await client.send(new HeadObjectCommand({ Bucket: 'queenofsandiego.com', Key: 'g/TESTPAGE1.html' }));
    expect(head.ContentType).toBe('text/html; charset=utf-8');
    expect(head.ContentLength).toBe(Buffer.byteLength(html));

    await client.send(
      new CopyObjectCommand({
        Bucket: 'queenofsandiego.com',
        Key: 'assets/boats/lst_8812/hero.jpg',
        CopySource: `${LEGACY_BUCKET}/${SAMPLE_PHOTO_KEY}`,
      }),
    );
    const copy = await client.send(
      new GetObjectCommand({ Bucket: 'queenofsandiego.com', Key: 'assets/boats/lst_8812/hero.jpg' }),
    );
    const bytes = Buffer.from(await copy.Body!.transformToByteArray());
    expect(bytes.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(bytes.subarray(-2).toString('hex')).toBe('ffd9');

    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'queenofsandiego.com', Prefix: 'g/' }));
    expect(listed.Contents?.map((o) => o.Key)).toContain('g/TESTPAGE1.html');
    client.destroy();
  });

  it('stores a streamed body (aws-chunked with a trailing CRC32) as the bytes sent, and refuses a wrong checksum', async () => {
    const client = s3();
    const text = 'a streamed guest page body, '.repeat(100);
    await client.send(
      new PutObjectCommand({
        Bucket: 'queenofsandiego.com',
        Key: 'g/STREAM1.html',
        Body: Readable.from([Buffer.from(text)]),
        ContentLength: Buffer.byteLength(text),
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: 'queenofsandiego.com', Key: 'g/STREAM1.html' }));
    expect(await got.Body!.transformToString()).toBe(text);
    const wrong = client.send(
      new PutObjectCommand({
        Bucket: 'queenofsandiego.com',
        Key: 'g/BAD.html',
        Body: 'body',
        ChecksumCRC32: 'AAAAAA==',
      }),
    );
    await expect(wrong).rejects.toMatchObject({ name: 'BadDigest' });
    client.destroy();
  });

  it('refuses to overwrite with If-None-Match: * and answers NoSuchKey for a missing object', async () => {
    const client = s3();
    await client.send(
      new PutObjectCommand({ Bucket: 'queenofsandiego.com', Key: 'once.txt', Body: 'first', IfNoneMatch: '*' }),
    );
    const second = client.send(
      new PutObjectCommand({ Bucket: 'queenofsandiego.com', Key: 'once.txt', Body: 'second', IfNoneMatch: '*' }),
    );
    await expect(second).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    const kept = await client.send(new GetObjectCommand({ Bucket: 'queenofsandiego.com', Key: 'once.txt' }));
    expect(await kept.Body!.transformToString()).toBe('first');
    const missing = client.send(new GetObjectCommand({ Bucket: 'queenofsandiego.com', Key: 'g/NOPE.html' }));
    await expect(missing).rejects.toBeInstanceOf(S3ServiceException);
    await expect(missing).rejects.toMatchObject({ name: 'NoSuchKey' });
    client.destroy();
  });

  it('serves a presigned GET whatever access key signed it (the local stack does not check SigV4)', async () => {
    const amzDate = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `presigner-${Date.now()}/${amzDate.slice(0, 8)}/us-west-2/s3/aws4_request`,
      'X-Amz-Date': amzDate,
      'X-Amz-Expires': '300',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': '0'.repeat(64),
    });
    const response = await fetch(`${stack.endpoints.aws}/${LEGACY_BUCKET}/${SAMPLE_PHOTO_KEY}?${query}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
  });
});

describe('Secrets Manager on the edge port', () => {
  it('is seeded with the dev secrets the services read', async () => {
    const client = new SecretsManagerClient(clientConfig(stack));
    const webhook = await client.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
    expect(webhook.SecretString).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    for (const name of [secretNames.jadaDashboardToken, secretNames.sccServiceKey]) {
      expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBeTruthy();
    }
    client.destroy();
  });

  it('creates, rotates (AWSCURRENT / AWSPREVIOUS), describes and finds by ARN', async () => {
    const client = new SecretsManagerClient(clientConfig(stack));
    const created = await client.send(new CreateSecretCommand({ Name: 'test/rotating', SecretString: 'one' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-west-2:000000000000:secret:test\/rotating-.{6}$/);
    await expect(
      client.send(new CreateSecretCommand({ Name: 'test/rotating', SecretString: 'again' })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
    const rotated = await client.send(new PutSecretValueCommand({ SecretId: 'test/rotating', SecretString: 'two' }));
    expect(rotated.VersionStages).toEqual(['AWSCURRENT']);
    expect((await client.send(new GetSecretValueCommand({ SecretId: created.ARN }))).SecretString).toBe('two');
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'test/rotating', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.SecretString).toBe('one');
    expect(previous.VersionId).toBe(created.VersionId);
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'test/rotating' }));
    expect(described.VersionIdsToStages).toEqual({
      [rotated.VersionId!]: ['AWSCURRENT'],
      [created.VersionId!]: ['AWSPREVIOUS'],
    });
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'test/missing' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    client.destroy();
  });
});

describe('what the stack does not emulate', () => {
  it('answers an unsupported operation of an emulated service with a clear error', async () => {
    const sqs = new SQSClient(clientConfig(stack));
    const call = sqs.send(new ListMessageMoveTasksCommand({ SourceArn: 'arn:aws:sqs:us-west-2:000000000000:none' }));
    await expect(call).rejects.toThrow('not supported by charterflow local: sqs.ListMessageMoveTasks');
    sqs.destroy();
  });

  it('answers a service it does not emulate at once, naming service and operation', async () => {
    const response = await fetch(`${stack.endpoints.aws}/2015-03-31/functions/charterflow-local-calendar/invocations`, {
      method: 'POST',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20261124/us-west-2/lambda/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    expect(response.status).toBe(501);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnsupportedOperation');
    expect(((await response.json()) as { message: string }).message).toBe(
      'not supported by charterflow local: lambda.POST /2015-03-31/functions/charterflow-local-calendar/invocations',
    );
    const unknownTarget = await fetch(stack.endpoints.aws, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSStepFunctions.StartExecution', 'content-type': 'application/x-amz-json-1.0' },
      body: '{}',
    });
    expect(unknownTarget.status).toBe(501);
    expect(((await unknownTarget.json()) as { message: string }).message).toBe(
      'not supported by charterflow local: AWSStepFunctions.StartExecution',
    );
    // Query-protocol clients (SNS, STS) get the error as XML, the only form they parse.
    const query = await fetch(stack.endpoints.aws, {
      method: 'POST',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20261124/us-west-2/sns/aws4_request, SignedHeaders=host, Signature=0',
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      },
      body: 'Action=ListTopics&Version=2010-03-31',
    });
    expect(query.status).toBe(501);
    expect(await query.text()).toContain('<Message>not supported by charterflow local: sns.ListTopics</Message>');
  });
});
