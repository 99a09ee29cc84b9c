import { describe, expect } from 'vitest';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { CloudFrontClient, CreateInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { GUEST_SITE_DISTRIBUTION_ID } from '../../../../local/charterflow/seed';
import { clientConfig, conformance, stack } from './support';

describe('EventBridge, Lambda and CloudFront', () => {
  let rules = 0;
  const booking = {
    Source: 'charterflow.calendar',
    DetailType: 'CalendarEntryCreated',
    Detail: JSON.stringify({ metadata: { bookingId: 'XHQGMDH' }, data: { partySize: 6, boat: 'JADA' } }),
  };

  async function queue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { url: QueueUrl!, arn: Attributes!.QueueArn! };
  }

  async function messages(sqs: SQSClient, url: string): Promise<Message[]> {
    await stack().eventBridge.idle();
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    return Messages ?? [];
  }

  /** A rule on the default bus for this case's source, with one target. */
  async function ruleWith(events: EventBridgeClient, target: Record<string, unknown>): Promise<string> {
    const Name = `conformance-${++rules}`;
    const source = `conformance.${Name}`;
    await events.send(new PutRuleCommand({ Name, EventPattern: JSON.stringify({ source: [source] }) }));
    const put = await events.send(
      new PutTargetsCommand({ Rule: Name, Targets: [{ Id: 'target', ...target } as never] }),
    );
    expect(put.FailedEntryCount).toBe(0);
    return source;
  }

  conformance('events-input-transformer-json', async () => {
    const events = new EventBridgeClient(clientConfig());
    const sqs = new SQSClient(clientConfig());
    const tap = await queue(sqs, 'conformance-transformed');
    const Source = await ruleWith(events, {
      Arn: tap.arn,
      InputTransformer: {
        InputPathsMap: {
          booking: '$.detail.metadata.bookingId',
          party: '$.detail.data.partySize',
          missing: '$.detail.nothing',
        },
        InputTemplate:
          '{"booking": <booking>, "party": <party>, "line": "Booking <booking> for <party>", "none": <missing>, "rule": "<aws.events.rule-name>"}',
      },
    });
    await events.send(new PutEventsCommand({ Entries: [{ ...booking, Source }] }));
    const [message] = await messages(sqs, tap.url);
    expect(JSON.parse(message!.Body!)).toEqual({
      booking: 'XHQGMDH',
      party: 6,
      line: 'Booking XHQGMDH for 6',
      none: null,
      rule: `conformance-${rules}`,
    });
    events.destroy();
    sqs.destroy();
  });

  conformance('events-input-transformer-text', async () => {
    const events = new EventBridgeClient(clientConfig());
    const sqs = new SQSClient(clientConfig());
    const tap = await queue(sqs, 'conformance-text');
    const Source = await ruleWith(events, {
      Arn: tap.arn,
      InputTransformer: {
        InputPathsMap: { booking: '$.detail.metadata.bookingId', boat: '$.detail.data.boat' },
        InputTemplate: '<booking> is booked on <boat>',
      },
    });
    await events.send(new PutEventsCommand({ Entries: [{ ...booking, Source }] }));
    const [message] = await messages(sqs, tap.url);
    expect(message?.Body).toBe('XHQGMDH is booked on JADA');
    events.destroy();
    sqs.destroy();
  });

  conformance('events-input-exclusive', async () => {
    const events = new EventBridgeClient(clientConfig());
    await events.send(
      new PutRuleCommand({ Name: 'conformance-exclusive', EventPattern: JSON.stringify({ source: ['x'] }) }),
    );
    const put = events.send(
      new PutTargetsCommand({
        Rule: 'conformance-exclusive',
        Targets: [
          {
            Id: 't',
            Arn: 'arn:aws:sqs:us-west-2:000000000000:x',
            Input: '{}',
            InputTransformer: { InputTemplate: '"x"' },
          },
        ],
      }),
    );
    await expect(put).rejects.toMatchObject({ name: 'ValidationException' });
    events.destroy();
  });

  conformance('cloudfront-list-invalidations-max-items', async () => {
    const cloudfront = new CloudFrontClient(clientConfig());
    for (const n of [1, 2, 3])
      await cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: GUEST_SITE_DISTRIBUTION_ID,
          InvalidationBatch: {
            CallerReference: `conformance-${n}-${Date.now()}`,
            Paths: { Quantity: 1, Items: [`/g/CONF${n}/*`] },
          },
        }),
      );
    const all = (await cloudfront.send(new ListInvalidationsCommand({ DistributionId: GUEST_SITE_DISTRIBUTION_ID })))
      .InvalidationList!;
    const first = (
      await cloudfront.send(new ListInvalidationsCommand({ DistributionId: GUEST_SITE_DISTRIBUTION_ID, MaxItems: 2 }))
    ).InvalidationList!;
    expect(first).toMatchObject({ MaxItems: 2, Quantity: 2, IsTruncated: true, NextMarker: first.Items![1]!.Id });
    const second = (
      await cloudfront.send(
        new ListInvalidationsCommand({
          DistributionId: GUEST_SITE_DISTRIBUTION_ID,
          MaxItems: 2,
          Marker: first.NextMarker,
        }),
      )
    ).InvalidationList!;
    expect([...first.Items!, ...(second.Items ?? [])].map((i) => i.Id).slice(0, 3)).toEqual(
      all.Items!.map((i) => i.Id).slice(0, 3),
    );
    cloudfront.destroy();
  });

  describe('a Lambda target, invoked asynchronously', () => {
    const functionName = 'conformance-fails';
    let runs = 0;
    const requestIds = new Set<string>();

    async function failingFunction(sqs: SQSClient) {
      const functionDlq = await queue(sqs, `${functionName}-dlq`);
      const ruleDlq = await queue(sqs, `${functionName}-rule-dlq`);
      stack().lambda.register(
        functionName,
        () =>
          Promise.resolve((_event, context) => {
            runs++;
            requestIds.add(context.awsRequestId);
            return Promise.reject(new Error('scc createCrewEvent failed for booking XHQGMDH: HTTP 503'));
          }),
        { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600, deadLetterArn: functionDlq.arn },
      );
      return { functionDlq, ruleDlq };
    }

    let dead: Message[] = [];
    let ruleDead: Message[] = [];

    conformance('lambda-function-error-async-retries', async () => {
      const events = new EventBridgeClient(clientConfig());
      const sqs = new SQSClient(clientConfig());
      const { functionDlq, ruleDlq } = await failingFunction(sqs);
      const Source = await ruleWith(events, {
        Arn: stack().lambda.arnOf(functionName),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: ruleDlq.arn },
      });
      await events.send(new PutEventsCommand({ Entries: [{ ...booking, Source }] }));
      dead = await messages(sqs, functionDlq.url);
      ruleDead = await messages(sqs, ruleDlq.url);
      expect(runs).toBe(3);
      expect(requestIds.size).toBe(1);
      expect(ruleDead).toEqual([]);
      events.destroy();
      sqs.destroy();
    });

    conformance('lambda-function-error-dead-letter', () => {
      expect(dead).toHaveLength(1);
      expect(JSON.parse(dead[0]!.Body!).detail.metadata.bookingId).toBe('XHQGMDH');
      expect(dead[0]!.MessageAttributes).toEqual({
        RequestID: { DataType: 'String', StringValue: [...requestIds][0] },
        ErrorCode: { DataType: 'Number', StringValue: '200' },
        ErrorMessage: { DataType: 'String', StringValue: 'scc createCrewEvent failed for booking XHQGMDH: HTTP 503' },
      });
      return Promise.resolve();
    });
  });

  conformance('events-invoke-refused-rule-retry', async () => {
    const events = new EventBridgeClient(clientConfig());
    const sqs = new SQSClient(clientConfig());
    const ruleDlq = await queue(sqs, 'conformance-missing-function-dlq');
    const Source = await ruleWith(events, {
      Arn: stack().lambda.arnOf('conformance-no-such-function'),
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: ruleDlq.arn },
    });
    await events.send(new PutEventsCommand({ Entries: [{ ...booking, Source }] }));
    const [letter] = await messages(sqs, ruleDlq.url);
    const attribute = (name: string) => letter?.MessageAttributes?.[name]?.StringValue;
    expect([attribute('ERROR_CODE'), attribute('RETRY_ATTEMPTS'), attribute('EXHAUSTED_RETRY_CONDITION')]).toEqual([
      'NO_RESOURCE',
      '2',
      'MaximumRetryAttempts',
    ]);
    expect(attribute('TARGET_ARN')).toBe(stack().lambda.arnOf('conformance-no-such-function'));
    events.destroy();
    sqs.destroy();
  });
});
