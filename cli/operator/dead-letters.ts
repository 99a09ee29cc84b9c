import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  paginateListQueues,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { stage } from '../../shared/config';
import { deployedNames } from '../../shared/declaration';

/**
 * The consumers' dead-letter queues. Two writers put letters there, both with the event as the body:
 * EventBridge, when it could not hand the event to the function (attributes ERROR_CODE, ERROR_MESSAGE,
 * RULE_ARN, TARGET_ARN, RETRY_ATTEMPTS), and in AWS Lambda itself, when the function failed the event after
 * its asynchronous retries (attributes ErrorCode, ErrorMessage, RequestID). SQS has no "peek": reading a letter hides it for a visibility timeout, so callers either
 * delete what they handled or release it (visibility 0) for the next reader.
 */

export interface DeadEvent {
  id: string;
  time: string;
  source: string;
  'detail-type': string;
  'replay-name'?: string;
  detail?: { metadata?: { bookingId?: string; correlationId?: string } };
}

export interface DeadLetter {
  consumer: string;
  queueUrl: string;
  messageId: string;
  receiptHandle: string;
  /** The event as delivered; undefined when the body is not an EventBridge event (someone else's message). */
  event?: DeadEvent;
  bookingId?: string;
  errorCode?: string;
  errorMessage?: string;
  retryAttempts?: number;
  ruleArn?: string;
  /** When EventBridge gave up on the event and wrote the letter. */
  deadAt: Date;
}

function parseEvent(body: string | undefined): DeadEvent | undefined {
  try {
    const event = JSON.parse(body ?? '') as DeadEvent;
    return typeof event?.id === 'string' && typeof event.time === 'string' && typeof event['detail-type'] === 'string'
      ? event
      : undefined;
  } catch {
    return undefined;
  }
}

export function deadLetterOf(consumer: string, queueUrl: string, message: Message): DeadLetter {
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const event = parseEvent(message.Body);
  const attempts = attribute('RETRY_ATTEMPTS');
  const errorCode = attribute('ERROR_CODE') ?? attribute('ErrorCode');
  const errorMessage = attribute('ERROR_MESSAGE') ?? attribute('ErrorMessage');
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    consumer,
    queueUrl,
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    ...(event ? { event } : {}),
    ...(event?.detail?.metadata?.bookingId ? { bookingId: event.detail.metadata.bookingId } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(errorMessage ? { errorMessage } : {}),
    ...(attempts !== undefined ? { retryAttempts: Number(attempts) } : {}),
    ...(attribute('RULE_ARN') ? { ruleArn: attribute('RULE_ARN') } : {}),
    deadAt: new Date(Number.isFinite(sent) && sent > 0 ? sent : Date.now()),
  };
}

async function queueUrlOf(sqs: SQSClient, consumer: string): Promise<string | undefined> {
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: deployedNames(consumer).deadLetterQueueName })))
      .QueueUrl;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') return undefined;
    throw error;
  }
}

/**
 * Every consumer of the stage that has a dead-letter queue: the declared ones (services/*) and any other the
 * stage holds a queue charterflow-<stage>-<name>-dlq for (one scaffolded or deployed from another checkout),
 * so that no consumer's letters go unseen.
 */
export async function consumersWithDeadLetterQueues(
  sqs: SQSClient,
  declared: readonly string[],
  stageName = stage(),
): Promise<string[]> {
  const prefix = deployedNames('', stageName).functionName;
  const names = new Set(declared);
  for await (const page of paginateListQueues({ client: sqs }, { QueueNamePrefix: prefix })) {
    for (const url of page.QueueUrls ?? []) {
      const queue = url.split('/').at(-1)!;
      if (queue.endsWith('-dlq') && queue.length > prefix.length + '-dlq'.length)
        names.add(queue.slice(prefix.length, -'-dlq'.length));
    }
  }
  return [...names].sort();
}

export interface ReadOptions {
  /** How long the letters read stay hidden from other readers (seconds). */
  holdSeconds: number;
}

/**
 * Every letter in each consumer's DLQ, held for `holdSeconds`. Stops when a receive comes back empty and
 * what came matches the queue's approximate depth, or after two empty receives (short polling in AWS can
 * miss messages on one call).
 */
export async function readDeadLetters(
  sqs: SQSClient,
  consumers: readonly string[],
  options: ReadOptions,
): Promise<DeadLetter[]> {
  const perConsumer = await Promise.all(
    consumers.map(async (consumer) => {
      const queueUrl = await queueUrlOf(sqs, consumer);
      if (!queueUrl) return [];
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      const expected = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
      const letters = new Map<string, DeadLetter>();
      let empty = 0;
      while (empty < 2) {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: options.holdSeconds,
            // A second look waits a moment: short polling in AWS asks only some of the queue's servers.
            WaitTimeSeconds: empty > 0 ? 1 : 0,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['SentTimestamp'],
          }),
        );
        if (!Messages?.length) {
          if (letters.size >= expected) break;
          empty += 1;
          continue;
        }
        for (const message of Messages) letters.set(message.MessageId!, deadLetterOf(consumer, queueUrl, message));
      }
      return [...letters.values()];
    }),
  );
  return perConsumer.flat().sort((a, b) => a.deadAt.getTime() - b.deadAt.getTime());
}

/** Makes held letters visible again at once. */
export async function releaseDeadLetters(sqs: SQSClient, letters: readonly DeadLetter[]): Promise<void> {
  await Promise.all(
    letters.map((l) =>
      sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: l.queueUrl,
            ReceiptHandle: l.receiptHandle,
            VisibilityTimeout: 0,
          }),
        )
        // A letter another reader already deleted has nothing to release.
        .catch(() => undefined),
    ),
  );
}

export async function deleteDeadLetters(sqs: SQSClient, letters: readonly DeadLetter[]): Promise<void> {
  for (const l of letters)
    await sqs.send(new DeleteMessageCommand({ QueueUrl: l.queueUrl, ReceiptHandle: l.receiptHandle }));
}

/** Reads every letter and lets it go again: a look that leaves the queues as they were. */
export async function listDeadLetters(sqs: SQSClient, consumers: readonly string[]): Promise<DeadLetter[]> {
  const letters = await readDeadLetters(sqs, consumers, { holdSeconds: 30 });
  await releaseDeadLetters(sqs, letters);
  return letters;
}
