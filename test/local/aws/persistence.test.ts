import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CloudFrontClient, CreateInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { secretNames } from '../../../shared/config';
import { startStack } from '../../../local/charterflow/stack';
import { clientConfig } from '../support';

const dataDir = mkdtempSync(join(tmpdir(), 'charterflow-persist-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const options = { dataDir, ports: { aws: 0 }, consumers: false, standIns: false } as const;

describe('a stack restarted on the same data dir', () => {
  it('keeps SQS messages (with attributes), DynamoDB items, S3 objects, rotated secrets and invalidations', async () => {
    const first = await startStack(options);
    try {
      const sqs = new SQSClient(clientConfig(first));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'charterflow-local-crew-dlq' }));
      await sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: '{"detail-type":"CalendarEntryCreated"}',
          MessageAttributes: { ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' } },
        }),
      );
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'received before the restart, never deleted' }));
      await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 600 }));
      sqs.destroy();
      const dynamodb = new DynamoDBClient(clientConfig(first));
      await dynamodb.send(
        new PutItemCommand({
          TableName: 'charterflow-local-bookings',
          Item: { pk: { S: 'BOOKING#PERSIST1' }, sk: { S: 'BOOKING' }, correlationId: { S: 'msg_1' } },
        }),
      );
      dynamodb.destroy();
      const s3 = new S3Client({ ...clientConfig(first), forcePathStyle: true });
      await s3.send(
        new PutObjectCommand({ Bucket: 'queenofsandiego.com', Key: 'g/PERSIST1.html', Body: 'kept across restarts' }),
      );
      s3.destroy();
      const secrets = new SecretsManagerClient(clientConfig(first));
      await secrets.send(
        new PutSecretValueCommand({ SecretId: secretNames.jadaDashboardToken, SecretString: 'rotated-token' }),
      );
      secrets.destroy();
      const cloudFront = new CloudFrontClient(clientConfig(first));
      await cloudFront.send(
        new CreateInvalidationCommand({
          DistributionId: 'E1CHARTERFLOWLOCAL',
          InvalidationBatch: { CallerReference: 'persist', Paths: { Quantity: 1, Items: ['/g/PERSIST1'] } },
        }),
      );
      cloudFront.destroy();
    } finally {
      await first.stop();
    }

    const second = await startStack(options);
    try {
      const sqs = new SQSClient(clientConfig(second));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'charterflow-local-crew-dlq' }));
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
      );
      expect(Messages?.map((m) => m.Body).sort()).toEqual([
        'received before the restart, never deleted',
        '{"detail-type":"CalendarEntryCreated"}',
      ]);
      expect(Messages?.find((m) => m.Body?.startsWith('{'))?.MessageAttributes?.ERROR_CODE?.StringValue).toBe(
        'SDK_CLIENT_ERROR',
      );
      sqs.destroy();
      const dynamodb = new DynamoDBClient(clientConfig(second));
      const { Item } = await dynamodb.send(
        new GetItemCommand({
          TableName: 'charterflow-local-bookings',
          Key: { pk: { S: 'BOOKING#PERSIST1' }, sk: { S: 'BOOKING' } },
        }),
      );
      expect(Item?.correlationId).toEqual({ S: 'msg_1' });
      dynamodb.destroy();
      const s3 = new S3Client({ ...clientConfig(second), forcePathStyle: true });
      const object = await s3.send(new GetObjectCommand({ Bucket: 'queenofsandiego.com', Key: 'g/PERSIST1.html' }));
      expect(await object.Body!.transformToString()).toBe('kept across restarts');
      s3.destroy();
      const secrets = new SecretsManagerClient(clientConfig(second));
      expect(
        (await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.jadaDashboardToken }))).SecretString,
      ).toBe('rotated-token');
      secrets.destroy();
      const cloudFront = new CloudFrontClient(clientConfig(second));
      const { InvalidationList } = await cloudFront.send(
        new ListInvalidationsCommand({ DistributionId: 'E1CHARTERFLOWLOCAL' }),
      );
      expect(InvalidationList?.Quantity).toBe(1);
      cloudFront.destroy();
    } finally {
      await second.stop();
    }
  });
});
