import { describe, expect } from 'vitest';
import {
  AddPermissionCommand,
  CreateQueueCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { clientConfig, conformance, refusal } from './support';

describe('SQS, as the clients people bring call it', () => {
  const sqs = () => new SQSClient(clientConfig());
  async function queue(client: SQSClient, name: string, attributes?: Record<string, string>): Promise<string> {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    return QueueUrl!;
  }

  conformance('sqs-invalid-message-contents', async () => {
    const client = sqs();
    const QueueUrl = await queue(client, 'fidelity-contents');
    await expect(
      client.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"bookingId":"XHQGMDH","note":"\u0001"}' })),
    ).rejects.toMatchObject({ name: 'InvalidMessageContents', $metadata: { httpStatusCode: 400 } });
    const batch = await client.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'clean', MessageBody: '{"bookingId":"XHQGMDH","note":"Dock 4, Marina del Rey 🚤"}' },
          { Id: 'control', MessageBody: 'bad \u0001 byte' },
        ],
      }),
    );
    expect(batch.Successful?.map((e) => e.Id)).toEqual(['clean']);
    expect(batch.Failed).toEqual([
      { Id: 'control', SenderFault: true, Code: 'InvalidMessageContents', Message: expect.any(String) },
    ]);
  });

  conformance('sqs-list-queues-pages', async () => {
    const client = sqs();
    for (const n of [1, 2, 3, 4, 5]) await queue(client, `fidelity-paging-${n}`);
    await queue(client, 'fidelity-other');
    const names: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const answer = await client.send(
        new ListQueuesCommand({ QueueNamePrefix: 'fidelity-paging-', MaxResults: 2, NextToken }),
      );
      expect(answer.QueueUrls!.length).toBeLessThanOrEqual(2);
      names.push(...answer.QueueUrls!.map((url) => url.slice(url.lastIndexOf('/') + 1)));
      NextToken = answer.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBe(3);
    expect(names).toEqual([1, 2, 3, 4, 5].map((n) => `fidelity-paging-${n}`));
    const unpaged = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'fidelity-paging-' }));
    expect([unpaged.QueueUrls?.length, unpaged.NextToken]).toEqual([5, undefined]);
    await expect(client.send(new ListQueuesCommand({ MaxResults: 1001 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  conformance('sqs-queue-tags', async () => {
    const client = sqs();
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: 'fidelity-tags', tags: { stage: 'local', team: 'charters' } }),
    );
    await client.send(new TagQueueCommand({ QueueUrl, Tags: { owner: 'dock-office' } }));
    await client.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['team'] }));
    const { Tags } = await client.send(new ListQueueTagsCommand({ QueueUrl }));
    expect(Tags).toEqual({ stage: 'local', owner: 'dock-office' });
  });

  conformance('sqs-dead-letter-source-queues', async () => {
    const client = sqs();
    const deadLetters = await queue(client, 'fidelity-dead-letters');
    const arn = `arn:aws:sqs:us-west-2:000000000000:fidelity-dead-letters`;
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 3 });
    await queue(client, 'fidelity-source-b', { RedrivePolicy });
    await queue(client, 'fidelity-source-a', { RedrivePolicy });
    await queue(client, 'fidelity-unrelated');
    const first = await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: deadLetters, MaxResults: 1 }));
    const second = await client.send(
      new ListDeadLetterSourceQueuesCommand({ QueueUrl: deadLetters, MaxResults: 1, NextToken: first.NextToken }),
    );
    expect([...first.queueUrls!, ...second.queueUrls!].map((url) => url.slice(url.lastIndexOf('/') + 1))).toEqual([
      'fidelity-source-a',
      'fidelity-source-b',
    ]);
    expect(second.NextToken).toBeUndefined();
  });

  conformance('sqs-add-permission-refused', async () => {
    const client = sqs();
    const QueueUrl = await queue(client, 'fidelity-permission');
    await expect(
      client.send(
        new AddPermissionCommand({ QueueUrl, Label: 'ops', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }),
      ),
    ).rejects.toMatchObject({
      message: `${refusal('sqs', 'AddPermission')} (SetQueueAttributes takes a Policy)`,
      $metadata: { httpStatusCode: 501 },
    });
  });
});
