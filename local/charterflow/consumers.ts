import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { discoverServices, type DiscoveredService } from '../../deploy/discover';
import { eventBridgeClient, sqsClient } from '../../shared/aws';
import { busName } from '../../shared/config';
import { asyncRetriesOf, deployedNames, eventPatternOf, type ConsumerDeclaration } from '../../shared/declaration';
import { handlerLoader, type LocalLambda } from '../lambda';

// The stack subscribes exactly the services the deployment finds; callers of the stack import them from here.
export { discoverServices, type DiscoveredService };

export interface SubscribeOptions {
  lambda: LocalLambda;
  /** Only these consumers (by declared name); all when absent. */
  names?: string[];
  root?: string;
}

/**
 * Subscribes every declared consumer to the bus the way the deployment does, through the real SDK clients
 * (pointed at the stack by AWS_ENDPOINT_URL): its DLQ, a rule whose pattern is eventPatternOf(declaration),
 * and a Lambda target with the declared retry policy and that DLQ; then registers its handler to load lazily,
 * with the asynchronous-invocation retries and DLQ the deployed function gets.
 * The declaration is the only source of the pattern and retry policy.
 */
export async function subscribeConsumers(opts: SubscribeOptions): Promise<void> {
  const events = eventBridgeClient();
  const sqs = sqsClient();
  try {
    const bus = busName();
    const busArn = await ensureBus(events, bus);
    const [, , , region, account] = busArn.split(':');
    const consumers = (await discoverServices(opts.root)).filter(
      (s): s is DiscoveredService & { declaration: ConsumerDeclaration } =>
        s.declaration.kind === 'consumer' && (!opts.names || opts.names.includes(s.name)),
    );
    const unknown = (opts.names ?? []).filter((n) => !consumers.some((c) => c.name === n));
    if (unknown.length > 0) throw new Error(`no consumer declared under services/ named ${unknown.join(', ')}`);

    for (const { name, dir, declaration } of consumers) {
      const names = deployedNames(name);
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: names.deadLetterQueueName }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      const dlqArn = Attributes?.QueueArn;
      if (!dlqArn) throw new Error(`the dead-letter queue ${names.deadLetterQueueName} has no QueueArn`);

      await events.send(
        new PutRuleCommand({
          Name: names.ruleName,
          EventBusName: bus,
          EventPattern: JSON.stringify(eventPatternOf(declaration)),
          State: 'ENABLED',
          Description: declaration.description,
        }),
      );
      const functionArn = `arn:aws:lambda:${region}:${account}:function:${names.functionName}`;
      const result = await events.send(
        new PutTargetsCommand({
          Rule: names.ruleName,
          EventBusName: bus,
          Targets: [
            {
              Id: names.functionName,
              Arn: functionArn,
              RetryPolicy: {
                MaximumRetryAttempts: declaration.retry.maximumRetryAttempts,
                MaximumEventAgeInSeconds: declaration.retry.maximumEventAgeInSeconds,
              },
              DeadLetterConfig: { Arn: dlqArn },
            },
          ],
        }),
      );
      if (result.FailedEntryCount) {
        const reasons = (result.FailedEntries ?? []).map((f) => `${f.ErrorCode}: ${f.ErrorMessage}`).join('; ');
        throw new Error(`could not subscribe ${name} to ${bus}: ${reasons}`);
      }
      // The function's own DeadLetterConfig is the same queue, as deployed: a function error dead-letters there too.
      const retries = asyncRetriesOf(declaration);
      opts.lambda.register(names.functionName, handlerLoader(dir), {
        maximumRetryAttempts: retries.maximumRetryAttempts,
        maximumEventAgeInSeconds: retries.maximumEventAge,
        deadLetterArn: dlqArn,
      });
    }
  } finally {
    events.destroy();
    sqs.destroy();
  }
}

async function ensureBus(client: ReturnType<typeof eventBridgeClient>, name: string): Promise<string> {
  try {
    const described = await client.send(new DescribeEventBusCommand({ Name: name }));
    return described.Arn!;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    const created = await client.send(new CreateEventBusCommand({ Name: name }));
    return created.EventBusArn!;
  }
}
