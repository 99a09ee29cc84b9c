import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeEventBusCommand,
  DescribeRuleCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { discoverServices, subscribeConsumers } from '../../../local/charterflow/consumers';
import { LocalLambda } from '../../../local/lambda';
import { eventCatalog } from '../../../shared/contract/events';
import { asyncRetriesOf, deployedNames, eventPatternOf, type ConsumerDeclaration } from '../../../shared/declaration';
import { drain, REGION, startBus, type BusUnderTest } from '../aws/eventbridge/helpers';

let bus: BusUnderTest;
let lambda: LocalLambda;
const saved = { ...process.env };

beforeAll(async () => {
  lambda = new LocalLambda({ region: REGION });
  bus = await startBus({
    lambda: (arn, event) => lambda.invoke(arn, event),
    functionConfig: (arn) => lambda.asyncConfigOf(arn),
  });
  // subscribeConsumers uses the services' own SDK client factories: only the endpoint points them here.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: bus.edge.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    CHARTERFLOW_STAGE: 'local',
  });
  await subscribeConsumers({ lambda });
});
afterAll(async () => {
  process.env = saved;
  await bus.stop();
});

async function consumers(): Promise<ConsumerDeclaration[]> {
  return (await discoverServices())
    .map((s) => s.declaration)
    .filter((d): d is ConsumerDeclaration => d.kind === 'consumer');
}

describe('subscribing the declared consumers', () => {
  it('finds every service folder with a declaration', async () => {
    const found = await discoverServices();
    expect(found.length).toBeGreaterThan(0);
    for (const service of found) expect(existsSync(join(service.dir, 'handler.ts')), service.name).toBe(true);
    expect((await consumers()).length).toBeGreaterThan(0);
  });

  it('creates the charterflow-local bus', async () => {
    const described = await bus.events.send(new DescribeEventBusCommand({ Name: 'charterflow-local' }));
    expect(described.Name).toBe('charterflow-local');
  });

  it('gives each consumer the rule, retry policy and DLQ of its declaration, and registers its handler', async () => {
    for (const declaration of await consumers()) {
      const names = deployedNames(declaration.name, 'local');
      const rule = await bus.events.send(
        new DescribeRuleCommand({ Name: names.ruleName, EventBusName: 'charterflow-local' }),
      );
      expect(JSON.parse(rule.EventPattern!)).toEqual(eventPatternOf(declaration));
      expect(rule.State).toBe('ENABLED');

      const { QueueUrl } = await bus.sqs.send(new GetQueueUrlCommand({ QueueName: names.deadLetterQueueName }));
      expect(QueueUrl).toBeTruthy();
      const { Targets } = await bus.events.send(
        new ListTargetsByRuleCommand({ Rule: names.ruleName, EventBusName: 'charterflow-local' }),
      );
      expect(Targets).toEqual([
        {
          Id: names.functionName,
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

  it('subscribing again changes nothing (safe at every start)', async () => {
    await subscribeConsumers({ lambda });
    const declaration = (await consumers())[0]!;
    const names = deployedNames(declaration.name, 'local');
    const { Targets } = await bus.events.send(
      new ListTargetsByRuleCommand({ Rule: names.ruleName, EventBusName: 'charterflow-local' }),
    );
    expect(Targets).toHaveLength(1);
  });

  it('refuses a consumer name that no folder declares', async () => {
    await expect(subscribeConsumers({ lambda, names: ['no-such-consumer'] })).rejects.toThrow(/no-such-consumer/);
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
    const put = await bus.events.send(
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
    await bus.bridge.idle();
    const { QueueUrl } = await bus.sqs.send(new GetQueueUrlCommand({ QueueName: names.deadLetterQueueName }));
    const messages = await drain(bus.sqs, QueueUrl!);
    const mine = messages.filter((m) => JSON.parse(m.Body!).id === put.Entries![0]!.EventId);
    expect(mine).toHaveLength(1);
    // The deployed function's EventInvokeConfig: asyncRetriesOf(declaration), the same derivation as the deploy.
    expect(runs).toBe(1 + asyncRetriesOf(declaration).maximumRetryAttempts);
    expect(mine[0]!.MessageAttributes?.ErrorCode).toEqual({ DataType: 'Number', StringValue: '200' });
    expect(mine[0]!.MessageAttributes?.RequestID?.StringValue).toMatch(/^[0-9a-f-]{36}$/);
    expect(mine[0]!.MessageAttributes?.ErrorMessage?.StringValue).toContain('downstream answered 503');
  });
});
