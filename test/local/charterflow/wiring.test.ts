import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeEventBusCommand,
  DescribeRuleCommand,
  ListTargetsByRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { discoverServices } from '../../../deploy/discover';
import { startStack, type LocalStack } from '../../../local/charterflow/stack';
import type { LocalLambda } from '../../../local/lambda';
import { eventCatalog } from '../../../shared/contract/events';
import { asyncRetriesOf, deployedNames, eventPatternOf, type ConsumerDeclaration } from '../../../shared/declaration';
import { drain, REGION } from '../aws/eventbridge/helpers';
import { clientConfig } from '../support';

let stack: LocalStack;
let events: EventBridgeClient;
let sqs: SQSClient;
let lambda: LocalLambda;

beforeAll(async () => {
  // Source mode: the template made in-process (deploy/source-template.ts), read by the same reader as a package.
  stack = await startStack({ ephemeral: true, ports: { aws: 0 }, standIns: false, log: false });
  lambda = stack.lambda;
  events = new EventBridgeClient(clientConfig(stack));
  sqs = new SQSClient(clientConfig(stack));
}, 60_000);
afterAll(async () => {
  events?.destroy();
  sqs?.destroy();
  await stack?.stop();
});

async function consumers(): Promise<ConsumerDeclaration[]> {
  return (await discoverServices())
    .map((s) => s.declaration)
    .filter((d): d is ConsumerDeclaration => d.kind === 'consumer');
}

describe('the stack wired from the template: every declared consumer subscribed as deployed', () => {
  it('finds every service folder with a declaration', async () => {
    const found = await discoverServices();
    expect(found.length).toBeGreaterThan(0);
    for (const service of found) expect(existsSync(join(service.dir, 'handler.ts')), service.name).toBe(true);
    expect((await consumers()).length).toBeGreaterThan(0);
  });

  it('creates the charterflow-local bus', async () => {
    const described = await events.send(new DescribeEventBusCommand({ Name: 'charterflow-local' }));
    expect(described.Name).toBe('charterflow-local');
  });

  it('gives each consumer the rule, retry policy and DLQ of its declaration, and registers its handler', async () => {
    for (const declaration of await consumers()) {
      const names = deployedNames(declaration.name, 'local');
      const rule = await events.send(
        new DescribeRuleCommand({ Name: names.ruleName, EventBusName: 'charterflow-local' }),
      );
      expect(JSON.parse(rule.EventPattern!)).toEqual(eventPatternOf(declaration));
      expect(rule.State).toBe('ENABLED');

      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: names.deadLetterQueueName }));
      expect(QueueUrl).toBeTruthy();
      const { Targets } = await events.send(
        new ListTargetsByRuleCommand({ Rule: names.ruleName, EventBusName: 'charterflow-local' }),
      );
      expect(Targets).toEqual([
        {
          Id: declaration.name,
          Arn: `arn:aws:lambda:${REGION}:000000000000:function:${names.functionName}`,
          RetryPolicy: {
            MaximumRetryAttempts: declaration.retry.maximumRetryAttempts,
            MaximumEventAgeInSeconds: declaration.retry.maximumEventAgeInSeconds,
          },
          DeadLetterConfig: { Arn: `arn:aws:sqs:${REGION}:000000000000:${names.deadLetterQueueName}` },
        },
      ]);
      expect(lambda.has(names.functionName)).toBe(true);
    }
  });

  it('refuses a consumer name that no function of the template runs', async () => {
    await expect(
      startStack({ ephemeral: true, ports: { aws: 0 }, standIns: false, consumers: ['no-such-consumer'] }),
    ).rejects.toThrow(/no-such-consumer/);
  });

  it('an event for a consumer whose handler keeps failing ends in that consumer’s DLQ after Lambda’s declared retries, with Lambda’s attributes', async () => {
    const declaration = (await consumers())[0]!;
    const names = deployedNames(declaration.name, 'local');
    // Stand in for the consumers' own code (this test is about the subscription): the chosen one fails, the
    // others succeed. The rule, retry policy and DLQ are still the declared ones.
    for (const other of await consumers())
      lambda.register(deployedNames(other.name, 'local').functionName, async () => async () => {});
    let runs = 0;
    lambda.register(names.functionName, () =>
      Promise.resolve(() => {
        runs++;
        return Promise.reject(new Error('downstream answered 503'));
      }),
    );
    const detailType = declaration.consumes[0]!;
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'charterflow-local',
            Source: eventCatalog[detailType].source,
            DetailType: detailType,
            Detail: JSON.stringify({ metadata: { bookingId: 'XHQGMDH' } }),
          },
        ],
      }),
    );
    await stack.eventBridge.idle();
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: names.deadLetterQueueName }));
    const messages = await drain(sqs, QueueUrl!);
    const mine = messages.filter((m) => JSON.parse(m.Body!).id === put.Entries![0]!.EventId);
    expect(mine).toHaveLength(1);
    // The deployed function's EventInvokeConfig: asyncRetriesOf(declaration), the same derivation as the deploy.
    expect(runs).toBe(1 + asyncRetriesOf(declaration).maximumRetryAttempts);
    expect(mine[0]!.MessageAttributes?.ErrorCode).toEqual({ DataType: 'Number', StringValue: '200' });
    expect(mine[0]!.MessageAttributes?.RequestID?.StringValue).toMatch(/^[0-9a-f-]{36}$/);
    expect(mine[0]!.MessageAttributes?.ErrorMessage?.StringValue).toContain('downstream answered 503');
  });
});
