import { describe, expect } from 'vitest';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { clientConfig, conformance, refusal, stack } from './support';

describe('SQS', () => {
  const sqs = () => new SQSClient(clientConfig());
  let queues = 0;
  async function queue(client: SQSClient, attributes?: Record<string, string>): Promise<string> {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: `conformance-${++queues}`, Attributes: attributes }),
    );
    return QueueUrl!;
  }

  conformance('sqs-delete-batch-per-entry', async () => {
    const client = sqs();
    const QueueUrl = await queue(client);
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"bookingId":"XHQGMDH"}' }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 300 }));
    const result = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'good', ReceiptHandle: Messages![0]!.ReceiptHandle },
          { Id: 'bad', ReceiptHandle: 'not-a-receipt-handle' },
        ],
      }),
    );
    expect(result.Successful).toEqual([{ Id: 'good' }]);
    expect(result.Failed).toEqual([
      {
        Id: 'bad',
        SenderFault: true,
        Code: 'ReceiptHandleIsInvalid',
        Message: expect.stringContaining('not-a-receipt-handle'),
      },
    ]);
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect([Attributes?.ApproximateNumberOfMessages, Attributes?.ApproximateNumberOfMessagesNotVisible]).toEqual([
      '0',
      '0',
    ]);
    client.destroy();
  });

  conformance('sqs-create-same-attributes', async () => {
    const client = sqs();
    const QueueUrl = await queue(client, { VisibilityTimeout: '60' });
    const again = await client.send(
      new CreateQueueCommand({ QueueName: QueueUrl.split('/').at(-1), Attributes: { VisibilityTimeout: '60' } }),
    );
    expect(again.QueueUrl).toBe(QueueUrl);
    client.destroy();
  });

  conformance('sqs-create-different-attributes', async () => {
    const client = sqs();
    const QueueUrl = await queue(client, { VisibilityTimeout: '60' });
    const again = client.send(
      new CreateQueueCommand({ QueueName: QueueUrl.split('/').at(-1), Attributes: { VisibilityTimeout: '90' } }),
    );
    await expect(again).rejects.toMatchObject({ name: 'QueueNameExists', Code: 'QueueAlreadyExists' });
    client.destroy();
  });

  conformance('sqs-unknown-attribute', async () => {
    const client = sqs();
    const created = client.send(
      new CreateQueueCommand({ QueueName: 'conformance-unknown', Attributes: { VisibilityTimeOut: '30' } as never }),
    );
    await expect(created).rejects.toMatchObject({
      name: 'InvalidAttributeName',
      message: 'Unknown Attribute VisibilityTimeOut.',
    });
    client.destroy();
  });

  conformance('sqs-attribute-out-of-range', async () => {
    const client = sqs();
    const QueueUrl = await queue(client);
    const set = client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '43201' } }));
    await expect(set).rejects.toMatchObject({ name: 'InvalidAttributeValue' });
    client.destroy();
  });

  conformance('sqs-fifo-attribute-on-standard-name', async () => {
    const client = sqs();
    const created = client.send(
      new CreateQueueCommand({ QueueName: 'conformance-not-fifo', Attributes: { FifoQueue: 'true' } }),
    );
    await expect(created).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('must end with .fifo suffix'),
    });
    client.destroy();
  });

  conformance('sqs-redrive-missing-queue', async () => {
    const client = sqs();
    const QueueUrl = await queue(client);
    const RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:us-west-2:000000000000:no-such-dlq',
      maxReceiveCount: 3,
    });
    const set = client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedrivePolicy } }));
    await expect(set).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('Dead letter target does not exist'),
    });
    client.destroy();
  });

  conformance('sqs-purge-twice', async () => {
    const client = sqs();
    const QueueUrl = await queue(client);
    await client.send(new PurgeQueueCommand({ QueueUrl }));
    await expect(client.send(new PurgeQueueCommand({ QueueUrl }))).rejects.toMatchObject({
      name: 'PurgeQueueInProgress',
      $metadata: { httpStatusCode: 403 },
    });
    client.destroy();
  });

  conformance('sqs-fifo-refused', async () => {
    const client = sqs();
    const created = client.send(
      new CreateQueueCommand({ QueueName: 'conformance-orders.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    await expect(created).rejects.toThrow(refusal('sqs', 'CreateQueue of a FIFO queue'));
    client.destroy();
  });

  conformance('sqs-query-protocol-refused', async () => {
    // What the query protocol sends (as Debian's AWS CLI v2 does): a form, answered with an XML error.
    const response = await fetch(stack().endpoints.aws, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization:
          'AWS4-HMAC-SHA256 Credential=conformance/20261129/us-west-2/sqs/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({
        Action: 'SendMessage',
        Version: '2012-11-05',
        QueueUrl: 'x',
        MessageBody: 'y',
      }).toString(),
    });
    expect(response.status).toBe(501);
    const xml = await response.text();
    expect(xml).toContain('<Code>UnsupportedOperation</Code>');
    expect(xml).toContain(`${refusal('sqs', 'SendMessage')} over the query (XML) protocol`);
  });
});
