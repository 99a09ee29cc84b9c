import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalQueues, queueNameOf } from '../../../../local/aws/sqs/queues';
import { md5OfMessageAttributes } from '../../../../local/aws/sqs/md5';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'charterflow-queues-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('LocalQueues', () => {
  it('names a queue by its URL or its ARN', () => {
    expect(queueNameOf('http://127.0.0.1:4566/000000000000/charterflow-local-crew-dlq')).toBe(
      'charterflow-local-crew-dlq',
    );
    expect(queueNameOf('arn:aws:sqs:us-west-2:000000000000:charterflow-local-crew-dlq')).toBe(
      'charterflow-local-crew-dlq',
    );
  });

  it('builds URLs on the edge URL it is given once the edge listens', () => {
    const queues = new LocalQueues();
    queues.setBaseUrl('http://127.0.0.1:45001');
    expect(queues.createQueue('dlq')).toEqual({
      url: 'http://127.0.0.1:45001/000000000000/dlq',
      arn: 'arn:aws:sqs:us-west-2:000000000000:dlq',
    });
    expect(() => queues.createQueue('bad name!')).toThrow(/alphanumeric/);
  });

  it('makes in-flight messages visible again after a restart and survives a line torn by a crash', async () => {
    const dir = dataDir();
    const before = new LocalQueues({ dataDir: dir });
    const { arn } = before.createQueue('dlq');
    before.sendMessage(arn, 'kept', { ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' } });
    before.sendMessage(arn, 'deleted');
    const received = await before.receiveMessages(arn, { max: 10, visibilityTimeout: 600 });
    before.deleteMessage(arn, received.find((m) => m.body === 'deleted')!.receipt!);
    before.stop();
    appendFileSync(join(dir, 'sqs', 'dlq.jsonl'), '{"t":"send","m":{"id":"torn'); // a crash mid-append

    const after = new LocalQueues({ dataDir: dir });
    const again = await after.receiveMessages(arn, { max: 10 });
    expect(again.map((m) => [m.body, m.receiveCount])).toEqual([['kept', 2]]);
    expect(again[0]!.attributes.ERROR_CODE?.StringValue).toBe('SDK_CLIENT_ERROR');
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives (RedrivePolicy)', async () => {
    const queues = new LocalQueues();
    const dlq = queues.createQueue('source-dlq');
    const source = queues.createQueue('source', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    queues.sendMessage(source.arn, 'poison');
    for (let i = 0; i < 2; i++)
      expect(await queues.receiveMessages(source.url, { visibilityTimeout: 0 })).toHaveLength(1);
    expect(await queues.receiveMessages(source.url)).toHaveLength(0);
    expect((await queues.receiveMessages(dlq.url)).map((m) => m.body)).toEqual(['poison']);
  });

  it('computes MD5OfMessageAttributes as SQS documents it', () => {
    // Reference values from other SQS implementations' tests (LocalStack; sqslite), checked against SQS.
    expect(md5OfMessageAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } })).toBe(
      '235c5c510d26fb653d073faed50ae77c',
    );
    expect(
      md5OfMessageAttributes({
        ordinal: { DataType: 'Number', StringValue: '1' },
        category: { DataType: 'String', StringValue: 'test' },
      }),
    ).toBe('d21ae90c49061e927f57df5f5d72be1f');
  });
});
