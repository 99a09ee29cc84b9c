import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startStack, type LocalStack } from '../../../../local/charterflow/stack';
import { clientConfig } from '../../support';

let stack: LocalStack;
let sqs: SQSClient;

beforeAll(async () => {
  stack = await startStack({ ephemeral: true, ports: { aws: 0 }, consumers: false, standIns: false });
  sqs = new SQSClient(clientConfig(stack));
});
afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
});

const attributes = async (QueueUrl: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;

describe('SQS on the edge port', () => {
  it('creates queues idempotently, finds them by name, lists and deletes them', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'charterflow-local-calendar-dlq' }));
    expect(QueueUrl).toBe(`${stack.endpoints.aws}/000000000000/charterflow-local-calendar-dlq`);
    expect((await sqs.send(new CreateQueueCommand({ QueueName: 'charterflow-local-calendar-dlq' }))).QueueUrl).toBe(
      QueueUrl,
    );
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'charterflow-local-calendar-dlq' }))).QueueUrl).toBe(
      QueueUrl,
    );
    expect((await attributes(QueueUrl!)).QueueArn).toBe(
      'arn:aws:sqs:us-west-2:000000000000:charterflow-local-calendar-dlq',
    );
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'charterflow-local-cal' }));
    expect(QueueUrls).toEqual([QueueUrl]);
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    const gone = sqs.send(new GetQueueUrlCommand({ QueueName: 'charterflow-local-calendar-dlq' }));
    await expect(gone).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(gone).rejects.toMatchObject({ Code: 'AWS.SimpleQueueService.NonExistentQueue' });
  });

  it('sends and receives with message attributes, receive counts and visibility timeouts', async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'visibility-test', Attributes: { VisibilityTimeout: '30' } }),
    );
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: JSON.stringify({ 'detail-type': 'BookingReceived' }),
        MessageAttributes: {
          ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' },
          RETRY_ATTEMPTS: { DataType: 'Number', StringValue: '8' },
        },
      }),
    );
    expect(sent.MessageId).toBeTruthy();
    const first = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        VisibilityTimeout: 1,
      }),
    );
    const message = first.Messages![0]!;
    expect(message.MessageId).toBe(sent.MessageId);
    expect(message.MessageAttributes).toEqual({
      ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' },
      RETRY_ATTEMPTS: { DataType: 'Number', StringValue: '8' },
    });
    expect(message.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message.Attributes?.ApproximateReceiveCount).toBe('1');
    expect((await attributes(QueueUrl!)).ApproximateNumberOfMessagesNotVisible).toBe('1');
    // Invisible now; visible again once the 1 s visibility timeout has passed (long poll waits for it).
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toHaveLength(0);
    const second = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['All'] }),
    );
    expect(second.Messages?.[0]?.MessageId).toBe(sent.MessageId);
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    // The first receipt handle is stale: deleting with it leaves the message, as in SQS.
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: second.Messages![0]!.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    expect((await attributes(QueueUrl!)).ApproximateNumberOfMessages).toBe('1');
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: third.Messages![0]!.ReceiptHandle }));
    const after = await attributes(QueueUrl!);
    expect([after.ApproximateNumberOfMessages, after.ApproximateNumberOfMessagesNotVisible]).toEqual(['0', '0']);
  });

  it('long-polls until a message arrives and honours MaxNumberOfMessages', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'long-poll-test' }));
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10, MaxNumberOfMessages: 10 }));
    setTimeout(() => void stack.queues.sendMessage(QueueUrl!, 'arrived while waiting'), 100);
    expect((await waiting).Messages?.map((m) => m.Body)).toEqual(['arrived while waiting']);

    for (let i = 0; i < 5; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
    const some = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 3 }));
    expect(some.Messages).toHaveLength(3);
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 }))).rejects.toThrow(
      /MaxNumberOfMessages/,
    );
  });

  it('purges a queue', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'purge-test' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'one' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'two' }));
    expect((await attributes(QueueUrl!)).ApproximateNumberOfMessages).toBe('2');
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    expect((await attributes(QueueUrl!)).ApproximateNumberOfMessages).toBe('0');
  });

  it('serves the in-process API the bus uses for DLQs and queue targets', async () => {
    const { url, arn } = stack.queues.createQueue('in-process-dlq');
    expect(stack.queues.hasQueue(arn) && stack.queues.hasQueue(url)).toBe(true);
    stack.queues.sendMessage(arn, '{"id":"e1"}', {
      RULE_ARN: { DataType: 'String', StringValue: 'arn:aws:events:us-west-2:000000000000:rule/x' },
    });
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['RULE_ARN'] }));
    expect(received.Messages?.[0]?.MessageAttributes?.RULE_ARN?.StringValue).toBe(
      'arn:aws:events:us-west-2:000000000000:rule/x',
    );
    expect(() => stack.queues.sendMessage('arn:aws:sqs:us-west-2:000000000000:missing', 'x')).toThrow(
      expect.objectContaining({ code: 'AWS.SimpleQueueService.NonExistentQueue' }),
    );
  });
});
