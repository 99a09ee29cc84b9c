import {
  DeleteRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { busName } from '../shared/config';

/**
 * A tap on the bus, the way anyone can tap an EventBridge bus in AWS: an SQS queue of its own and a rule
 * targeting it. `tail`, the demo, the bench and the tests watch the chain through it, against AWS and the
 * local stack alike; nothing watches through a spy on the publisher.
 */

export interface TappedEvent {
  id: string;
  time?: string;
  source: string;
  'detail-type': string;
  'replay-name'?: string;
  detail: {
    metadata: { bookingId?: string } & Record<string, unknown>;
    data: { booking?: { revision?: number } } & Record<string, unknown>;
  };
  /** When the bus sent the event to the tap (the queue's SentTimestamp), epoch ms. */
  sentAt: number;
}

export interface BusTap {
  name: string;
  /** Events that arrived, received and deleted from the tap's queue: waits up to `waitSeconds` for the first. */
  receive(options?: { waitSeconds?: number; abortSignal?: AbortSignal }): Promise<TappedEvent[]>;
  /** Everything that has arrived so far (no waiting). */
  drain(): Promise<TappedEvent[]>;
  /** Removes the rule, its target and the queue; says what it removed and what it could not. */
  close(): Promise<TapClosing>;
}

export interface TapClosing {
  removed: string[];
  /** What is still there, and why (the stack went away, a call was refused). */
  left: { what: string; reason: string }[];
}

export interface BusTapOptions {
  /** Rule and queue name: unique per tap. */
  name: string;
  pattern?: object;
  bus?: string;
  description?: string;
  /** Tags on the queue: `tail` marks whose tap it is, so that a later tail can clear what a dead one left. */
  tags?: Record<string, string>;
}

export const everyCharterflowEvent = { source: [{ prefix: 'charterflow.' }] };

export async function openBusTap(events: EventBridgeClient, sqs: SQSClient, options: BusTapOptions): Promise<BusTap> {
  const bus = options.bus ?? busName();
  const { name } = options;
  let queueUrl: string | undefined;
  let ruleCreated = false;

  const close = async (): Promise<TapClosing> => {
    // Leave nothing behind, even when opening failed halfway; and say so only of what is gone.
    const closing: TapClosing = { removed: [], left: [] };
    const attempt = async (what: string, call: () => Promise<unknown>) => {
      try {
        await call();
        closing.removed.push(what);
      } catch (error) {
        closing.left.push({ what, reason: reasonOf(error) });
      }
    };
    if (ruleCreated) {
      await attempt(`rule ${name}`, async () => {
        await events.send(new RemoveTargetsCommand({ Rule: name, EventBusName: bus, Ids: ['tap'] }));
        await events.send(new DeleteRuleCommand({ Name: name, EventBusName: bus }));
      });
    }
    if (queueUrl) await attempt(`queue ${name}`, () => sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })));
    return closing;
  };

  try {
    queueUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: name, ...(options.tags ? { tags: options.tags } : {}) }))
    ).QueueUrl!;
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queueArn = Attributes!.QueueArn!;
    const { RuleArn } = await events.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: bus,
        EventPattern: JSON.stringify(options.pattern ?? everyCharterflowEvent),
        State: 'ENABLED',
        Description: options.description ?? 'charterflow bus tap (temporary)',
      }),
    );
    ruleCreated = true;
    // In AWS the queue must let this rule send to it; the local stack accepts the same policy.
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: {
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: queueArn,
                Condition: { ArnEquals: { 'aws:SourceArn': RuleArn } },
              },
            ],
          }),
        },
      }),
    );
    const targets = await events.send(
      new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: 'tap', Arn: queueArn }] }),
    );
    if (targets.FailedEntryCount)
      throw new Error(`could not target the tap queue: ${targets.FailedEntries?.[0]?.ErrorMessage}`);
  } catch (error) {
    await close();
    throw error;
  }

  const receive = async ({
    waitSeconds = 0,
    abortSignal,
  }: {
    waitSeconds?: number;
    abortSignal?: AbortSignal;
  } = {}) => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
      { abortSignal },
    );
    if (Messages.length === 0) return [];
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    return Messages.map(
      (m) => ({ ...JSON.parse(m.Body!), sentAt: Number(m.Attributes?.SentTimestamp) }) as TappedEvent,
    );
  };

  return {
    name,
    receive,
    drain: async () => {
      const all: TappedEvent[] = [];
      for (let batch = await receive(); batch.length > 0; batch = await receive()) all.push(...batch);
      return all;
    },
    close,
  };
}

/** An SDK error in a few words: its code, or the network failure under it (ECONNREFUSED when the stack is gone). */
export function reasonOf(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string }; message?: string };
  return e.cause?.code ?? e.code ?? (e.name && e.name !== 'Error' ? e.name : (e.message ?? String(error)));
}
