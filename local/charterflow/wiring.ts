import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  type EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FunctionModel, RuleModel, StackModel } from '../aws/cloudformation/model';
import type { FunctionAsyncConfig } from '../aws/eventbridge/delivery';
import { LAMBDA_ASYNC_DEFAULTS } from '../aws/eventbridge/delivery';
import { serviceOfHandler } from './stack-model';

/**
 * Builds what the template declares on the local AWS, through the real SDK clients as CloudFormation would
 * call the services: the buses, the archive, the queues, and, once the functions are registered, the rules and
 * their targets. Tables are created with the seed (they keep their data across restarts).
 */

export interface WiringClients {
  events: EventBridgeClient;
  sqs: SQSClient;
}

/** Which of the template's functions run: all, none but the HTTP ones, or these services (tests). */
export type Wanted = boolean | string[];

export function functionsToRun(model: StackModel, consumers: Wanted): FunctionModel[] {
  const http = new Set(model.httpRoutes.map((route) => route.functionName));
  const serviceNames = new Set(model.functions.map((fn) => serviceOfHandler(fn.handler)));
  if (Array.isArray(consumers)) {
    const unknown = consumers.filter((name) => !serviceNames.has(name));
    if (unknown.length > 0) throw new Error(`no function in the template runs a service named ${unknown.join(', ')}`);
  }
  return model.functions.filter((fn) => {
    if (http.has(fn.name) || consumers === true) return true;
    if (consumers === false) return false;
    return consumers.includes(serviceOfHandler(fn.handler) ?? '');
  });
}

/** What Lambda does with an asynchronous invocation the function failed: its EventInvokeConfig and DLQ. */
export function asyncConfigOf(fn: FunctionModel): FunctionAsyncConfig {
  return {
    maximumRetryAttempts: fn.asyncConfig?.maximumRetryAttempts ?? LAMBDA_ASYNC_DEFAULTS.maximumRetryAttempts,
    maximumEventAgeInSeconds:
      fn.asyncConfig?.maximumEventAgeInSeconds ?? LAMBDA_ASYNC_DEFAULTS.maximumEventAgeInSeconds,
    ...(fn.deadLetterArn ? { deadLetterArn: fn.deadLetterArn } : {}),
  };
}

export async function createBusesAndArchives(model: StackModel, { events }: WiringClients): Promise<void> {
  for (const bus of model.buses) {
    await ignoreExisting(events.send(new CreateEventBusCommand({ Name: bus.name })));
  }
  for (const archive of model.archives) {
    await ignoreExisting(
      events.send(
        new CreateArchiveCommand({
          ArchiveName: archive.name,
          EventSourceArn: archive.sourceArn,
          RetentionDays: archive.retentionDays,
          ...(archive.description ? { Description: archive.description } : {}),
          ...(archive.eventPattern ? { EventPattern: JSON.stringify(archive.eventPattern) } : {}),
        }),
      ),
    );
  }
}

/** The queues the running functions and rules use (their dead-letter queues), with the template's attributes. */
export async function createQueues(
  model: StackModel,
  running: FunctionModel[],
  rules: RuleModel[],
  { sqs }: WiringClients,
): Promise<void> {
  const used = new Set([
    ...running.flatMap((fn) => (fn.deadLetterArn ? [fn.deadLetterArn] : [])),
    ...rules.flatMap((rule) => rule.targets.flatMap((t) => [t.Arn, t.DeadLetterConfig?.Arn ?? ''])),
  ]);
  for (const queue of model.queues) {
    if (!used.has(queue.arn)) continue;
    await sqs.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: queue.attributes }));
  }
}

/** The rules whose targets are all running (or not functions): a rule for a function not run is left out. */
export function rulesToWire(model: StackModel, running: FunctionModel[]): RuleModel[] {
  const runningArns = new Set(running.map((fn) => fn.arn));
  const functionArns = new Set(model.functions.map((fn) => fn.arn));
  return model.rules.filter((rule) =>
    rule.targets.every((target) => !functionArns.has(target.Arn) || runningArns.has(target.Arn)),
  );
}

export async function putRules(rules: RuleModel[], { events }: WiringClients): Promise<void> {
  for (const rule of rules) {
    await events.send(
      new PutRuleCommand({
        Name: rule.name,
        EventBusName: rule.busName,
        EventPattern: JSON.stringify(rule.eventPattern),
        State: rule.state as 'ENABLED' | 'DISABLED',
        ...(rule.description ? { Description: rule.description } : {}),
      }),
    );
    const result = await events.send(
      new PutTargetsCommand({ Rule: rule.name, EventBusName: rule.busName, Targets: rule.targets }),
    );
    if (result.FailedEntryCount) {
      const reasons = (result.FailedEntries ?? []).map((f) => `${f.ErrorCode}: ${f.ErrorMessage}`).join('; ');
      throw new Error(`could not put the targets of rule ${rule.name}: ${reasons}`);
    }
  }
}

async function ignoreExisting(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
}
