import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError, LOCAL_ACCOUNT_ID, notSupported, type AwsJsonService } from '../service';
import type { QueryCompatibleError } from '../edge';
import { QueueJournal, type StoredMessage } from './journal';
import { md5Hex, md5OfMessageAttributes, type MessageAttributeValue } from './md5';

/**
 * SQS for the dead-letter queues and for anyone tapping the bus (npx charterflow tail): the JSON protocol
 * (AmazonSQS.*) the current SDK speaks, standard queues only. Written by us because no embeddable SQS server
 * exists in the registry that speaks the JSON protocol.
 */

/** An SQS error: `code` is the query-era code the SDK exposes as `Code`, `jsonType` the JSON protocol's shape. */
export class SqsError extends AwsError implements QueryCompatibleError {
  constructor(
    code: string,
    readonly jsonType: string,
    message: string,
    status = 400,
  ) {
    super(code, message, status);
  }
}

const nonExistentQueue = (queue: string) =>
  new SqsError(
    'AWS.SimpleQueueService.NonExistentQueue',
    'com.amazonaws.sqs#QueueDoesNotExist',
    `The specified queue does not exist: ${queue}`,
  );
const invalidParameter = (message: string) =>
  new SqsError('InvalidParameterValue', 'com.amazonaws.sqs#InvalidParameterValue', message);
const invalidReceiptHandle = (receiptHandle: unknown) =>
  new SqsError(
    'ReceiptHandleIsInvalid',
    'com.amazonaws.sqs#ReceiptHandleIsInvalid',
    `The input receipt handle "${String(receiptHandle)}" is not a valid receipt handle.`,
    404,
  );

/**
 * The attributes a standard queue takes, with the ranges AWS enforces where it has one; anything else is
 * refused as AWS refuses it. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
const QUEUE_ATTRIBUTES: Record<string, [number, number] | undefined> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
  Policy: undefined,
  RedrivePolicy: undefined,
  RedriveAllowPolicy: undefined,
  KmsMasterKeyId: undefined,
  SqsManagedSseEnabled: undefined,
  FifoQueue: undefined,
  ContentBasedDeduplication: undefined,
  DeduplicationScope: undefined,
  FifoThroughputLimit: undefined,
};

/** A refused operation named with the nearest one the stack answers, where one applies. */
const NEAREST_SUPPORTED: Record<string, string> = {
  AddPermission: 'AddPermission (SetQueueAttributes takes a Policy)',
  RemovePermission: 'RemovePermission (SetQueueAttributes takes a Policy)',
  StartMessageMoveTask: 'StartMessageMoveTask (ReceiveMessage from the dead-letter queue, then SendMessage)',
};

/** SQS allows one purge of a queue every 60 seconds. */
const PURGE_INTERVAL_MS = 60_000;

const DEFAULT_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: '30',
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  ReceiveMessageWaitTimeSeconds: '0',
};
const MAX_BODY_BYTES = 1_048_576;
/**
 * The characters a message body may hold; anything else answers InvalidMessageContents.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
const OUTSIDE_ALLOWED_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** ListQueues and ListDeadLetterSourceQueues answer at most 1000 URLs a page. */
const MAX_LIST_RESULTS = 1000;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

interface Queue {
  name: string;
  createdAt: number;
  attributes: Record<string, string>;
  tags?: Record<string, string>;
  messages: Map<string, StoredMessage>;
  waiters: Set<() => void>;
  purgedAt?: number;
}

export interface LocalQueuesOptions {
  region?: string;
  accountId?: string;
  /** Messages and queues persist here (<dataDir>/sqs); in memory only when absent. */
  dataDir?: string;
  /** Base of queue URLs; the edge's URL, known once it listens (see setBaseUrl). */
  baseUrl?: string;
}

type SendAttributes = Record<string, MessageAttributeValue>;

/** The request fields the SQS operations read, typed as the SDK's JSON protocol sends them. */
interface SqsRequest {
  QueueName?: string;
  QueueUrl: string;
  QueueNamePrefix?: string;
  Attributes?: Record<string, string>;
  AttributeNames?: string[];
  MessageSystemAttributeNames?: string[];
  MessageAttributeNames?: string[];
  MessageBody: string;
  MessageAttributes?: SendAttributes;
  DelaySeconds?: number;
  MaxNumberOfMessages?: number;
  VisibilityTimeout?: number;
  WaitTimeSeconds?: number;
  ReceiptHandle: string;
  Entries?: SqsBatchEntry[];
  MaxResults?: number;
  NextToken?: string;
  /** CreateQueue's tags and TagQueue's Tags: the API spells them differently. */
  tags?: Record<string, string>;
  Tags?: Record<string, string>;
  TagKeys?: string[];
}

/** One entry of SendMessageBatch, DeleteMessageBatch or ChangeMessageVisibilityBatch. */
type SqsBatchEntry = Pick<
  SqsRequest,
  'MessageBody' | 'MessageAttributes' | 'DelaySeconds' | 'ReceiptHandle' | 'VisibilityTimeout'
> & {
  Id: string;
};

export class LocalQueues implements AwsJsonService {
  readonly targetPrefix = 'AmazonSQS';
  readonly serviceName = 'sqs';
  readonly jsonVersion = '1.0' as const;

  private readonly queues = new Map<string, Queue>();
  private readonly journal?: QueueJournal;
  private readonly region: string;
  private readonly accountId: string;
  private baseUrl: string;
  private stopped = false;

  constructor(options: LocalQueuesOptions = {}) {
    this.region = options.region ?? process.env.AWS_REGION ?? 'us-west-2';
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.baseUrl = options.baseUrl ?? 'http://127.0.0.1:4566';
    if (options.dataDir) {
      this.journal = new QueueJournal(options.dataDir);
      for (const record of this.journal.loadQueues()) {
        this.queues.set(record.name, {
          ...record,
          messages: this.journal.loadMessages(record.name),
          waiters: new Set(),
        });
      }
    }
  }

  setBaseUrl(baseUrl: string): void {
    this.baseUrl = baseUrl.replace(/\/$/, '');
  }

  urlOf(name: string): string {
    return `${this.baseUrl}/${this.accountId}/${name}`;
  }

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  createQueue(
    name: string,
    attributes: Record<string, string> = {},
    tags: Record<string, string> = {},
  ): { url: string; arn: string } {
    const fifo = String(attributes.FifoQueue ?? '').toLowerCase() === 'true';
    if (fifo && !name.endsWith('.fifo'))
      throw invalidParameter(
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
      );
    // FIFO ordering, deduplication and message groups are not emulated: refused rather than half done.
    if (fifo || name.endsWith('.fifo')) throw notSupported('sqs', 'CreateQueue of a FIFO queue');
    if (!QUEUE_NAME.test(name)) {
      throw invalidParameter(
        `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length: ${name}`,
      );
    }
    this.validateAttributes(attributes);
    const existing = this.queues.get(name);
    if (existing) {
      const differs = Object.entries(attributes).some(
        ([key, value]) => (existing.attributes[key] ?? DEFAULT_ATTRIBUTES[key]) !== String(value),
      );
      if (differs)
        throw new SqsError(
          'QueueAlreadyExists',
          'com.amazonaws.sqs#QueueNameExists',
          `A queue already exists with the same name and a different value for attribute(s) ${Object.keys(attributes).join(', ')}`,
        );
    }
    if (!existing) {
      this.queues.set(name, {
        name,
        createdAt: Date.now(),
        attributes: { ...attributes },
        tags: { ...tags },
        messages: new Map(),
        waiters: new Set(),
      });
      this.saveQueues();
    }
    return { url: this.urlOf(name), arn: this.arnOf(name) };
  }

  hasQueue(queueArnOrUrl: string): boolean {
    return this.queues.has(queueNameOf(queueArnOrUrl));
  }

  sendMessage(
    queueArnOrUrl: string,
    body: string,
    messageAttributes: SendAttributes = {},
    delaySeconds?: number,
  ): { MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes?: string } {
    const queue = this.queue(queueArnOrUrl);
    if (typeof body !== 'string' || body.length === 0)
      throw invalidParameter('The request must contain the parameter MessageBody.');
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
      throw invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_BODY_BYTES} bytes.`,
      );
    }
    if (OUTSIDE_ALLOWED_CHARACTERS.test(body))
      throw new SqsError(
        'InvalidMessageContents',
        'com.amazonaws.sqs#InvalidMessageContents',
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      );
    const delay = delaySeconds ?? Number(this.attribute(queue, 'DelaySeconds'));
    const now = Date.now();
    const message: StoredMessage = {
      id: randomUUID(),
      body,
      attributes: messageAttributes,
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    queue.messages.set(message.id, message);
    this.journal?.sent(queue.name, message);
    this.wake(queue);
    return {
      MessageId: message.id,
      MD5OfMessageBody: md5Hex(body),
      MD5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
    };
  }

  /** Messages now visible, made invisible for the visibility timeout; waits up to waitSeconds for the first. */
  async receiveMessages(
    queueArnOrUrl: string,
    options: { max?: number; visibilityTimeout?: number; waitSeconds?: number } = {},
  ): Promise<StoredMessage[]> {
    const queue = this.queue(queueArnOrUrl);
    const max = options.max ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw invalidParameter(
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const waitSeconds = options.waitSeconds ?? Number(this.attribute(queue, 'ReceiveMessageWaitTimeSeconds'));
    if (waitSeconds < 0 || waitSeconds > 20) {
      throw invalidParameter(
        `Value ${waitSeconds} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    }
    const visibility = options.visibilityTimeout ?? Number(this.attribute(queue, 'VisibilityTimeout'));
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const taken = this.take(queue, max, visibility);
      if (taken.length || Date.now() >= deadline || this.stopped || !this.queues.has(queue.name)) return taken;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          queue.waiters.delete(wake);
          resolve();
        };
        // Re-check at least every 250 ms: a message may become visible again without any send.
        const timer = setTimeout(wake, Math.min(250, Math.max(0, deadline - Date.now())));
        queue.waiters.add(wake);
      });
    }
  }

  deleteMessage(queueArnOrUrl: string, receiptHandle: string): void {
    const queue = this.queue(queueArnOrUrl);
    const id = messageIdOf(receiptHandle);
    const message = queue.messages.get(id);
    // As in SQS, a stale receipt handle (the message was received again since) succeeds without deleting.
    if (message && message.receipt === receiptHandle) {
      queue.messages.delete(id);
      this.journal?.deleted(queue.name, id);
    }
  }

  changeVisibility(queueArnOrUrl: string, receiptHandle: string, visibilityTimeout: number): void {
    const queue = this.queue(queueArnOrUrl);
    const message = queue.messages.get(messageIdOf(receiptHandle));
    if (!message || message.receipt !== receiptHandle) throw invalidReceiptHandle(receiptHandle);
    message.visibleAt = Date.now() + visibilityTimeout * 1000;
    if (visibilityTimeout === 0) this.wake(queue);
  }

  queueAttributes(queueArnOrUrl: string, names: string[] = ['All']): Record<string, string> {
    const queue = this.queue(queueArnOrUrl);
    const now = Date.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of queue.messages.values()) {
      if (m.visibleAt <= now) visible++;
      else if (m.receipt) inFlight++;
      else delayed++;
    }
    const all: Record<string, string> = {
      ...DEFAULT_ATTRIBUTES,
      ...queue.attributes,
      QueueArn: this.arnOf(queue.name),
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    };
    if (names.includes('All')) return all;
    return Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]!]));
  }

  /** Unknown names, values out of range and a RedrivePolicy naming a missing queue are refused, as by AWS. */
  private validateAttributes(attributes: Record<string, string>): void {
    for (const [name, value] of Object.entries(attributes)) {
      if (!(name in QUEUE_ATTRIBUTES))
        throw new SqsError(
          'InvalidAttributeName',
          'com.amazonaws.sqs#InvalidAttributeName',
          `Unknown Attribute ${name}.`,
        );
      const range = QUEUE_ATTRIBUTES[name];
      const number = Number(value);
      if (range && (!Number.isInteger(number) || number < range[0] || number > range[1]))
        throw new SqsError(
          'InvalidAttributeValue',
          'com.amazonaws.sqs#InvalidAttributeValue',
          `Invalid value for the parameter ${name}.`,
        );
    }
    if (attributes.RedrivePolicy !== undefined) {
      let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
      try {
        policy = JSON.parse(attributes.RedrivePolicy) as typeof policy;
      } catch {
        throw invalidParameter(
          `Value ${attributes.RedrivePolicy} for parameter RedrivePolicy is invalid. Reason: Invalid JSON.`,
        );
      }
      const count = Number(policy.maxReceiveCount);
      if (!Number.isInteger(count) || count < 1 || count > 1000)
        throw invalidParameter(
          `Value ${attributes.RedrivePolicy} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${String(policy.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
        );
      if (typeof policy.deadLetterTargetArn !== 'string' || !this.hasQueue(policy.deadLetterTargetArn))
        throw invalidParameter(
          `Value ${attributes.RedrivePolicy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
        );
    }
  }

  setQueueAttributes(queueArnOrUrl: string, attributes: Record<string, string>): void {
    const queue = this.queue(queueArnOrUrl);
    this.validateAttributes(attributes);
    Object.assign(queue.attributes, attributes);
    this.saveQueues();
  }

  purgeQueue(queueArnOrUrl: string): void {
    const queue = this.queue(queueArnOrUrl);
    const now = Date.now();
    if (queue.purgedAt !== undefined && now - queue.purgedAt < PURGE_INTERVAL_MS)
      throw new SqsError(
        'AWS.SimpleQueueService.PurgeQueueInProgress',
        'com.amazonaws.sqs#PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
        403,
      );
    queue.purgedAt = now;
    queue.messages.clear();
    this.journal?.purged(queue.name);
  }

  deleteQueue(queueArnOrUrl: string): void {
    const queue = this.queue(queueArnOrUrl);
    this.queues.delete(queue.name);
    this.journal?.dropQueue(queue.name);
    this.saveQueues();
    this.wake(queue);
  }

  listQueues(prefix = ''): string[] {
    return [...this.queues.keys()]
      .filter((n) => n.startsWith(prefix))
      .sort()
      .map((n) => this.urlOf(n));
  }

  /** The queues whose RedrivePolicy names this one as their dead-letter queue. */
  deadLetterSourceQueues(queueArnOrUrl: string): string[] {
    const arn = this.arnOf(this.queue(queueArnOrUrl).name);
    return [...this.queues.values()]
      .filter((q) => q.attributes.RedrivePolicy && JSON.parse(q.attributes.RedrivePolicy).deadLetterTargetArn === arn)
      .map((q) => q.name)
      .sort()
      .map((n) => this.urlOf(n));
  }

  tagQueue(queueArnOrUrl: string, tags: Record<string, string>): void {
    const queue = this.queue(queueArnOrUrl);
    queue.tags = { ...queue.tags, ...tags };
    this.saveQueues();
  }

  untagQueue(queueArnOrUrl: string, keys: string[]): void {
    const queue = this.queue(queueArnOrUrl);
    queue.tags = Object.fromEntries(Object.entries(queue.tags ?? {}).filter(([key]) => !keys.includes(key)));
    this.saveQueues();
  }

  queueTags(queueArnOrUrl: string): Record<string, string> {
    return { ...this.queue(queueArnOrUrl).tags };
  }

  /** Ends pending long polls; state is already durable. */
  stop(): void {
    this.stopped = true;
    for (const queue of this.queues.values()) this.wake(queue);
  }

  async handle(operation: string, request: Record<string, unknown>): Promise<unknown> {
    const input = request as unknown as SqsRequest;
    switch (operation) {
      case 'CreateQueue': {
        const name = String(input.QueueName ?? '');
        return { QueueUrl: this.createQueue(name, input.Attributes ?? {}, input.tags ?? {}).url };
      }
      case 'GetQueueUrl': {
        const name = String(input.QueueName ?? '');
        if (!this.queues.has(name)) throw nonExistentQueue(name);
        return { QueueUrl: this.urlOf(name) };
      }
      case 'SendMessage': {
        const result = this.sendMessage(
          input.QueueUrl,
          input.MessageBody,
          input.MessageAttributes ?? {},
          input.DelaySeconds,
        );
        return { ...result, MD5OfMessageAttributes: result.MD5OfMessageAttributes };
      }
      case 'SendMessageBatch':
        return this.batch(input, (entry) =>
          this.sendMessage(input.QueueUrl, entry.MessageBody, entry.MessageAttributes ?? {}, entry.DelaySeconds),
        );
      case 'ReceiveMessage': {
        const messages = await this.receiveMessages(input.QueueUrl, {
          max: input.MaxNumberOfMessages,
          visibilityTimeout: input.VisibilityTimeout,
          waitSeconds: input.WaitTimeSeconds,
        });
        const systemNames: string[] = [...(input.MessageSystemAttributeNames ?? []), ...(input.AttributeNames ?? [])];
        const attributeNames: string[] = input.MessageAttributeNames ?? [];
        return { Messages: messages.map((m) => this.toWire(m, systemNames, attributeNames)) };
      }
      case 'DeleteMessage':
        this.deleteMessage(input.QueueUrl, input.ReceiptHandle);
        return {};
      case 'DeleteMessageBatch':
        return this.batch(input, (entry) => {
          this.deleteMessage(input.QueueUrl, entry.ReceiptHandle);
          return {};
        });
      case 'ChangeMessageVisibilityBatch':
        return this.batch(input, (entry) => {
          this.changeVisibility(input.QueueUrl, entry.ReceiptHandle, Number(entry.VisibilityTimeout));
          return {};
        });
      case 'ChangeMessageVisibility':
        this.changeVisibility(input.QueueUrl, input.ReceiptHandle, Number(input.VisibilityTimeout));
        return {};
      case 'GetQueueAttributes':
        return { Attributes: this.queueAttributes(input.QueueUrl, input.AttributeNames ?? ['All']) };
      case 'SetQueueAttributes':
        this.setQueueAttributes(input.QueueUrl, input.Attributes ?? {});
        return {};
      case 'PurgeQueue':
        this.purgeQueue(input.QueueUrl);
        return {};
      case 'ListQueues': {
        const { urls, NextToken } = page(this.listQueues(input.QueueNamePrefix), input);
        return { QueueUrls: urls, ...(NextToken ? { NextToken } : {}) };
      }
      case 'ListDeadLetterSourceQueues': {
        // This operation's answer is spelled queueUrls, lower case, in the AWS API.
        const { urls, NextToken } = page(this.deadLetterSourceQueues(input.QueueUrl), input);
        return { queueUrls: urls, ...(NextToken ? { NextToken } : {}) };
      }
      case 'ListQueueTags': {
        const Tags = this.queueTags(input.QueueUrl);
        return Object.keys(Tags).length ? { Tags } : {};
      }
      case 'TagQueue':
        this.tagQueue(input.QueueUrl, input.Tags ?? {});
        return {};
      case 'UntagQueue':
        this.untagQueue(input.QueueUrl, input.TagKeys ?? []);
        return {};
      case 'DeleteQueue':
        this.deleteQueue(input.QueueUrl);
        return {};
      default:
        throw notSupported('sqs', NEAREST_SUPPORTED[operation] ?? operation);
    }
  }

  /**
   * A batch answers per entry: an entry that fails is in Failed with its code, the others still happen.
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessageBatch.html
   */
  private batch(input: SqsRequest, run: (entry: SqsBatchEntry) => object): unknown {
    this.queue(input.QueueUrl);
    const entries = input.Entries ?? [];
    if (entries.length === 0)
      throw new SqsError(
        'AWS.SimpleQueueService.EmptyBatchRequest',
        'com.amazonaws.sqs#EmptyBatchRequest',
        'There should be at least one entry in the request.',
      );
    if (entries.length > 10)
      throw new SqsError(
        'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
        'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
      );
    if (new Set(entries.map((e) => e.Id)).size !== entries.length)
      throw new SqsError(
        'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
        'com.amazonaws.sqs#BatchEntryIdsNotDistinct',
        'Two or more batch entries in the request have the same Id.',
      );
    const Successful = [];
    const Failed = [];
    for (const entry of entries) {
      try {
        Successful.push({ Id: entry.Id, ...run(entry) });
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        Failed.push({ Id: entry.Id, SenderFault: error.status < 500, Code: error.code, Message: error.message });
      }
    }
    return { Successful, Failed };
  }

  private take(queue: Queue, max: number, visibilitySeconds: number): StoredMessage[] {
    const now = Date.now();
    const retentionMs = Number(this.attribute(queue, 'MessageRetentionPeriod')) * 1000;
    const taken: StoredMessage[] = [];
    for (const message of queue.messages.values()) {
      if (taken.length >= max) break;
      if (message.sentAt + retentionMs < now) {
        queue.messages.delete(message.id);
        this.journal?.deleted(queue.name, message.id);
        continue;
      }
      if (message.visibleAt > now) continue;
      if (this.redriveToDeadLetterQueue(queue, message)) continue;
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receipt = `${message.id}#${randomBytes(12).toString('base64url')}`;
      this.journal?.received(queue.name, message);
      taken.push(message);
    }
    return taken;
  }

  /** The queue's RedrivePolicy: a message received maxReceiveCount times moves to the dead-letter queue. */
  private redriveToDeadLetterQueue(queue: Queue, message: StoredMessage): boolean {
    const policy = queue.attributes.RedrivePolicy;
    if (!policy) return false;
    const { deadLetterTargetArn, maxReceiveCount } = JSON.parse(policy) as {
      deadLetterTargetArn: string;
      maxReceiveCount: number | string;
    };
    if (message.receiveCount < Number(maxReceiveCount) || !this.hasQueue(deadLetterTargetArn)) return false;
    queue.messages.delete(message.id);
    this.journal?.deleted(queue.name, message.id);
    this.sendMessage(deadLetterTargetArn, message.body, message.attributes);
    return true;
  }

  private toWire(message: StoredMessage, systemNames: string[], attributeNames: string[]) {
    const system: Record<string, string> = {
      SenderId: this.accountId,
      SentTimestamp: String(message.sentAt),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    };
    const wantAll = systemNames.includes('All');
    const Attributes = Object.fromEntries(Object.entries(system).filter(([k]) => wantAll || systemNames.includes(k)));
    const wanted = Object.entries(message.attributes).filter(([name]) =>
      attributeNames.some(
        (pattern) =>
          pattern === 'All' ||
          pattern === '.*' ||
          pattern === name ||
          (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))),
      ),
    );
    const MessageAttributes = Object.fromEntries(wanted);
    return {
      MessageId: message.id,
      ReceiptHandle: message.receipt,
      MD5OfBody: md5Hex(message.body),
      Body: message.body,
      ...(Object.keys(Attributes).length ? { Attributes } : {}),
      ...(wanted.length
        ? { MessageAttributes, MD5OfMessageAttributes: md5OfMessageAttributes(MessageAttributes) }
        : {}),
    };
  }

  private queue(queueArnOrUrl: string): Queue {
    const name = queueNameOf(String(queueArnOrUrl ?? ''));
    const queue = this.queues.get(name);
    if (!queue) throw nonExistentQueue(name);
    return queue;
  }

  private attribute(queue: Queue, name: string): string {
    return queue.attributes[name] ?? DEFAULT_ATTRIBUTES[name]!;
  }

  private wake(queue: Queue): void {
    for (const waiter of [...queue.waiters]) waiter();
  }

  private saveQueues(): void {
    this.journal?.saveQueues(
      [...this.queues.values()].map(({ name, createdAt, attributes, tags }) => ({ name, createdAt, attributes, tags })),
    );
  }
}

/**
 * One page of queue URLs, as ListQueues and ListDeadLetterSourceQueues answer it: without MaxResults, the first
 * 1000 and no NextToken; with it, MaxResults URLs and a NextToken while more remain. The token is the last URL given.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueues.html
 */
function page(
  all: string[],
  input: Pick<SqsRequest, 'MaxResults' | 'NextToken'>,
): { urls: string[]; NextToken?: string } {
  const max = input.MaxResults;
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_LIST_RESULTS))
    throw invalidParameter(`Value ${max} for parameter MaxResults is invalid. Reason: Must be between 1 and 1000.`);
  let start = 0;
  if (input.NextToken !== undefined) {
    const after = Buffer.from(String(input.NextToken), 'base64url').toString('utf8');
    if (!after) throw invalidParameter('Invalid NextToken value.');
    start = all.findIndex((url) => url > after);
    if (start < 0) start = all.length;
  }
  const urls = all.slice(start, start + (max ?? MAX_LIST_RESULTS));
  const more = max !== undefined && start + urls.length < all.length;
  return { urls, ...(more ? { NextToken: Buffer.from(urls.at(-1)!, 'utf8').toString('base64url') } : {}) };
}

/** A queue is named by the last part of its URL (…/000000000000/name) or ARN (…:000000000000:name). */
export function queueNameOf(queueArnOrUrl: string): string {
  if (queueArnOrUrl.startsWith('arn:')) return queueArnOrUrl.slice(queueArnOrUrl.lastIndexOf(':') + 1);
  return queueArnOrUrl.replace(/\/$/, '').slice(queueArnOrUrl.replace(/\/$/, '').lastIndexOf('/') + 1);
}

function messageIdOf(receiptHandle: string): string {
  const hash = String(receiptHandle ?? '').indexOf('#');
  if (hash < 1) throw invalidReceiptHandle(receiptHandle);
  return receiptHandle.slice(0, hash);
}
