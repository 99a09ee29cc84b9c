import { hostname } from 'node:os';
import {
  DeleteRuleCommand,
  ListRulesCommand,
  RemoveTargetsCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import {
  DeleteQueueCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  paginateListQueues,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * What `tail` leaves when it cannot clean up (the stack went away under it, the process was killed): its rule
 * keeps sending the bus's events to its queue. Each tail tags its queue with its process and machine, so the
 * next tail removes the taps of processes that are gone and leaves those of tails still running.
 */

export const TAIL_PREFIX = 'charterflow-tail-';
export const TAIL_PID_TAG = 'charterflow:tail-pid';
export const TAIL_HOST_TAG = 'charterflow:tail-host';

export const tailTags = (pid = process.pid): Record<string, string> => ({
  [TAIL_PID_TAG]: String(pid),
  [TAIL_HOST_TAG]: hostname(),
});

/** Whether a process of this machine is running (signal 0 checks without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Leftovers {
  removed: string[];
  /** Taps whose owner this machine cannot vouch for: another machine's, or an older tail's without tags. */
  leftAlone: string[];
}

const notFound = (error: unknown) =>
  ['ResourceNotFoundException', 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'].includes(
    (error as Error).name,
  );

async function removeRule(events: EventBridgeClient, bus: string, name: string): Promise<void> {
  try {
    await events.send(new RemoveTargetsCommand({ Rule: name, EventBusName: bus, Ids: ['tap'] }));
    await events.send(new DeleteRuleCommand({ Name: name, EventBusName: bus }));
  } catch (error) {
    if (!notFound(error)) throw error;
  }
}

/** Removes the rules and queues of tails whose process is gone; a rule whose queue is gone goes too. */
export async function clearTailLeftovers(
  events: EventBridgeClient,
  sqs: SQSClient,
  bus: string,
  alive: (pid: number) => boolean = processAlive,
): Promise<Leftovers> {
  const result: Leftovers = { removed: [], leftAlone: [] };
  const queues = new Map<string, string>();
  for await (const page of paginateListQueues({ client: sqs }, { QueueNamePrefix: TAIL_PREFIX })) {
    for (const url of page.QueueUrls ?? []) queues.set(url.split('/').at(-1)!, url);
  }
  const rules: string[] = [];
  let next: string | undefined;
  do {
    const page = await events.send(
      new ListRulesCommand({ EventBusName: bus, NamePrefix: TAIL_PREFIX, ...(next ? { NextToken: next } : {}) }),
    );
    for (const rule of page.Rules ?? []) if (rule.Name) rules.push(rule.Name);
    next = page.NextToken;
  } while (next);
  for (const [name, url] of queues) {
    const { Tags = {} } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    const pid = Number(Tags[TAIL_PID_TAG]);
    const mine = Tags[TAIL_HOST_TAG] === hostname() && Number.isInteger(pid) && pid > 0;
    if (!mine) {
      result.leftAlone.push(name);
      continue;
    }
    if (alive(pid)) continue;
    await removeRule(events, bus, name);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch((error: unknown) => {
      if (!notFound(error)) throw error;
    });
    result.removed.push(name);
  }
  for (const name of rules.filter((r) => !queues.has(r))) {
    // A tail creates its queue before its rule and deletes it after: a rule alone is a leftover, unless its
    // queue was created since the listing.
    const exists = await sqs
      .send(new GetQueueUrlCommand({ QueueName: name }))
      .then(() => true)
      .catch((error: unknown) => (notFound(error) ? false : Promise.reject(error)));
    if (exists) continue;
    await removeRule(events, bus, name);
    result.removed.push(name);
  }
  return result;
}
