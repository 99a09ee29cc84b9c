import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DeleteRuleCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { eventBridgeClient, sqsClient } from '../shared/aws';
import { busName } from '../shared/config';
import { UsageError } from './main';

/**
 * `npx charterflow tail`: taps the bus the way anyone can in AWS, with a temporary SQS queue and a rule
 * targeting it; prints each event as it arrives; removes rule, target and queue on exit. The same SDK
 * calls work against AWS and the local stack.
 */

export const tailHelp = `Usage: npx charterflow tail [--pattern JSON] [--json] [--local] [--bus NAME]

Prints every event crossing the bus, one line each: time, detail-type, booking id, source.
  --pattern JSON  an EventBridge event pattern (default: every source starting with "charterflow.")
  --json          print each whole event as one JSON line
  --local         use the local stack (http://127.0.0.1:4566, or CHARTERFLOW_AWS_PORT); AWS_ENDPOINT_URL also works
  --bus NAME      the event bus (default: charterflow-<stage>)
Ctrl-C removes the temporary rule, target and queue.`;

const DEFAULT_PATTERN = { source: [{ prefix: 'charterflow.' }] };

interface TailOptions {
  pattern: Record<string, unknown>;
  json: boolean;
  local: boolean;
  bus?: string;
}

export function parseTailArgs(argv: string[]): TailOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      pattern: { type: 'string' },
      json: { type: 'boolean', default: false },
      local: { type: 'boolean', default: false },
      bus: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (see --help)`);
  let pattern: Record<string, unknown> = DEFAULT_PATTERN;
  if (values.pattern !== undefined) {
    try {
      pattern = JSON.parse(values.pattern) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`--pattern is not valid JSON: ${(error as Error).message}`);
    }
    if (!pattern || typeof pattern !== 'object' || Array.isArray(pattern)) throw new UsageError('--pattern must be a JSON object');
  }
  return { pattern, json: values.json ?? false, local: values.local ?? false, bus: values.bus };
}

/** Points the SDK at the local stack unless an endpoint is already set. */
export function useLocalStack(): void {
  process.env.AWS_ENDPOINT_URL ??= `http://127.0.0.1:${process.env.CHARTERFLOW_AWS_PORT ?? 4566}`;
  process.env.AWS_REGION ??= 'us-west-2';
  process.env.AWS_ACCESS_KEY_ID ??= 'charterflow-local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'charterflow-local';
}

/** The local stack needs no real credentials: any endpoint on this machine gets the dummy ones. */
export function isLoopback(endpoint: string | undefined): boolean {
  return Boolean(endpoint && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(endpoint));
}

interface BusEvent {
  id?: string;
  time?: string;
  source?: string;
  'detail-type'?: string;
  detail?: { metadata?: { bookingId?: string } };
}

export function formatEvent(event: BusEvent): string {
  return [event.time ?? '-', event['detail-type'] ?? '-', event.detail?.metadata?.bookingId ?? '-', event.source ?? '-'].join('  ');
}

export async function runTail(argv: string[]): Promise<number> {
  const options = parseTailArgs(argv);
  if (options.local || isLoopback(process.env.AWS_ENDPOINT_URL)) useLocalStack();
  const events = eventBridgeClient();
  const sqs = sqsClient();
  const bus = options.bus ?? busName();
  const name = `charterflow-tail-${randomBytes(4).toString('hex')}`;
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  let queueUrl: string | undefined;
  let ruleCreated = false;
  try {
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const queueArn = Attributes!.QueueArn!;
    const { RuleArn } = await events.send(
      new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(options.pattern), State: 'ENABLED', Description: 'npx charterflow tail (temporary)' }),
    );
    ruleCreated = true;
    // In AWS the queue must let this rule send to it; the local stack accepts the same policy.
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: {
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': RuleArn } } }],
          }),
        },
      }),
    );
    const targets = await events.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: 'tail', Arn: queueArn }] }));
    if (targets.FailedEntryCount) throw new Error(`could not target the tail queue: ${targets.FailedEntries?.[0]?.ErrorMessage}`);
    console.error(`tailing ${bus} with ${JSON.stringify(options.pattern)} (Ctrl-C to stop)`);

    while (!stopping.signal.aborted) {
      let messages: Message[] | undefined;
      try {
        ({ Messages: messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }), {
          abortSignal: stopping.signal,
        }));
      } catch (error) {
        if (stopping.signal.aborted) break;
        throw error;
      }
      if (!messages?.length) continue;
      for (const message of messages) {
        const event = JSON.parse(message.Body ?? '{}') as BusEvent;
        console.log(options.json ? JSON.stringify(event) : formatEvent(event));
      }
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    // Leave nothing behind, even when setup failed halfway.
    if (ruleCreated) {
      await events.send(new RemoveTargetsCommand({ Rule: name, EventBusName: bus, Ids: ['tail'] })).catch(() => undefined);
      await events.send(new DeleteRuleCommand({ Name: name, EventBusName: bus })).catch(() => undefined);
    }
    if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    console.error('tail stopped: temporary rule and queue removed');
    events.destroy();
    sqs.destroy();
  }
}
