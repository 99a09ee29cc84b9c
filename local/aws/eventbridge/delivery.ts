import { randomUUID } from 'node:crypto';
import type { LocalQueues } from '../sqs/queues';
import { AwsError } from '../service';
import { createLogger } from '../../../shared/logger';
import type { Authorization, Iam, Principal } from '../iam/model';
import { transformInput, type TransformContext } from './input-transformer';
import { DEFAULT_RETRY, type Delivery, type EventBridgeEvent, type Target } from './model';
import type { BusStore } from './store';

/** Exported so tests can watch what an operator would read. */
export const deliveryLogger = createLogger('local.eventbridge');

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** Close to EventBridge's first retries (about a second apart), capped so a local outage recovers quickly. */
export const DEFAULT_BACKOFF: Backoff = { baseMs: 1000, maxMs: 60_000 };

/**
 * Runs a function with the event, as Lambda's asynchronous invoke does. It throws an AwsError
 * (ResourceNotFoundException, TooManyRequestsException) when Lambda would not accept the event, and anything
 * else when the function itself failed.
 */
export type InvokeLambda = (
  functionArn: string,
  event: EventBridgeEvent,
  invocation: { requestId: string; traceHeader?: string },
) => Promise<void>;

/** A function's asynchronous-invocation settings: what Lambda does once the function fails. */
export interface FunctionAsyncConfig {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  /** The function's DeadLetterConfig.TargetArn (an SQS queue); without one Lambda discards the event. */
  deadLetterArn?: string;
}

/**
 * Lambda's defaults for a function with no settings of its own: 2 retries within 6 hours, no DLQ.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
export const LAMBDA_ASYNC_DEFAULTS: FunctionAsyncConfig = {
  maximumRetryAttempts: 2,
  maximumEventAgeInSeconds: 21_600,
};

/** What a dead-letter log line adds to name the event for whoever reads it (the wiring names its bookings). */
export type EventLabels = (event: EventBridgeEvent) => Record<string, unknown>;

/** Errors with which Lambda refuses an asynchronous invoke: the event never reached the function. */
const INVOKE_REFUSALS = new Set(['ResourceNotFoundException', 'TooManyRequestsException']);

/** Why a delivery failed, in the ERROR_CODE vocabulary EventBridge writes to a DLQ. */
class TargetFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** False where EventBridge skips retries (a target that does not exist). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/;
const SQS_ARN = /^arn:aws[\w-]*:sqs:[^:]*:[^:]*:[^:]+$/;

export function targetKind(arn: string): 'lambda' | 'sqs' | undefined {
  if (LAMBDA_ARN.test(arn)) return 'lambda';
  if (SQS_ARN.test(arn)) return 'sqs';
  return undefined;
}

/** How long a function's error says a retry cannot succeed (`retryAfterMs`, e.g. a lease still held), else 0. */
function retryAfterOf(error: FunctionError): number {
  const after = (error.cause as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof after === 'number' && Number.isFinite(after) && after > 0 ? after : 0;
}

/**
 * The function failed after Lambda accepted the event: Lambda's to retry, not EventBridge's. The message is
 * the function's errorMessage, what Lambda writes to the dead letter.
 */
class FunctionError extends Error {
  constructor(error: unknown) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/**
 * Delivers each (event, target) pair on its own, concurrently across events: first attempt at once, then
 * retries with exponential backoff and jitter within the target's RetryPolicy, then the target's DLQ with
 * the attributes EventBridge sets. A Lambda target is invoked asynchronously, as EventBridge does: the rule's
 * RetryPolicy covers only an invoke Lambda refuses; once Lambda accepted the event, a failing function gets
 * Lambda's retries (the function's own count and maximum event age), then the function's dead-letter queue
 * with Lambda's attributes. Every step is journaled before it is acknowledged, so a restart resumes what was
 * pending (at least once, never lost).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
 */
export class DeliveryEngine {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Every delivery not yet finished, as the journal would rebuild it (compaction writes these). */
  private readonly live = new Map<string, Delivery>();
  private pendingCount = 0;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly store: BusStore,
    private readonly queues: LocalQueues,
    private readonly invokeLambda: InvokeLambda,
    private readonly backoff: Backoff,
    private readonly functionConfig: (functionArn: string) => FunctionAsyncConfig | undefined = () => undefined,
    private readonly labelsOf: EventLabels = () => ({}),
    /**
     * The stack's IAM when it is enforced (asked at each send: the stack reads it from the template after the bus
     * starts): the dead-letter queues' sends are authorised as AWS authorises them. Undefined: not enforced.
     */
    private readonly iamOf: () => Iam | undefined = () => undefined,
  ) {}

  newDelivery(event: EventBridgeEvent, ruleArn: string, target: Target, ingestedAt: number): Delivery {
    return { id: randomUUID(), event, ruleArn, target, ingestedAt, attempts: 0, nextAttemptAt: ingestedAt };
  }

  /** Journals the deliveries (durably, when the bus is durable), then schedules them. */
  async enqueue(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.store.recordDeliveries(deliveries);
    for (const d of deliveries) {
      this.live.set(d.id, d);
      this.schedule(d);
    }
  }

  /** Resumes deliveries found in the journal at start. */
  resume(deliveries: readonly Delivery[]): void {
    for (const d of deliveries) {
      this.live.set(d.id, d);
      this.schedule(d);
    }
  }

  private async finished(d: Delivery): Promise<void> {
    this.live.delete(d.id);
    await this.store.recordDone(d.id);
    this.store.compactIfWorthIt(() => this.live.values(), this.live.size);
  }

  get pending(): number {
    return this.pendingCount;
  }

  idle(): Promise<void> {
    if (this.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops scheduling; what is still pending stays in the journal for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(d: Delivery): void {
    if (this.stopped) return;
    this.pendingCount++;
    const delay = Math.max(0, d.nextAttemptAt - Date.now());
    const run = () => {
      this.timers.delete(d.id);
      const attempt = this.attempt(d).finally(() => {
        this.inFlight.delete(attempt);
        this.settle();
      });
      this.inFlight.add(attempt);
    };
    if (delay === 0) queueMicrotask(run);
    else this.timers.set(d.id, setTimeout(run, delay));
  }

  private settle(): void {
    this.pendingCount--;
    if (this.pendingCount === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    if (this.stopped) return;
    if (d.accepted) return this.retryFunction(d, d.accepted);
    d.attempts++;
    const startedAt = Date.now();
    const requestId = randomUUID();
    if (targetKind(d.target.Arn) === 'lambda') await this.running(d, { requestId, at: startedAt, attempts: 1 });
    try {
      await this.send(d.target.Arn, inputOf(d), { requestId, traceHeader: d.traceHeader });
      await this.finished(d);
      return;
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof FunctionError) {
        d.accepted = { requestId, at: startedAt, attempts: 1 };
        return this.functionFailed(d, d.accepted, error);
      }
      // Lambda refused the invoke: the rule's retries, not Lambda's.
      d.accepted = undefined;
      const failure = asTargetFailure(error);
      const policy = { ...DEFAULT_RETRY, ...d.target.RetryPolicy };
      const retriesMade = d.attempts - 1;
      const delay = this.backoffDelay(d.attempts);
      let exhausted: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds' | undefined;
      if (failure.retryable) {
        if (retriesMade >= policy.MaximumRetryAttempts) exhausted = 'MaximumRetryAttempts';
        else if (Date.now() + delay - d.ingestedAt > policy.MaximumEventAgeInSeconds * 1000)
          exhausted = 'MaximumEventAgeInSeconds';
      }
      if (failure.retryable && !exhausted) {
        d.nextAttemptAt = Date.now() + delay;
        await this.store.recordAttempt(d);
        this.schedule(d);
        return;
      }
      await this.deadLetter(d, failure, retriesMade, exhausted);
      await this.finished(d);
    }
  }

  /** Lambda's own retry of an event it accepted: same request id, the function's settings. */
  private async retryFunction(d: Delivery, accepted: NonNullable<Delivery['accepted']>): Promise<void> {
    const config = this.functionConfig(d.target.Arn) ?? LAMBDA_ASYNC_DEFAULTS;
    if (accepted.attempts - 1 >= config.maximumRetryAttempts) {
      // Only after a restart: the last attempt Lambda had was journaled as running and never finished.
      await this.functionDeadLetter(
        d,
        accepted,
        config,
        'the invocation did not finish: the local stack stopped during it',
      );
      await this.finished(d);
      return;
    }
    accepted.attempts++;
    await this.running(d, accepted);
    try {
      await this.invokeLambda(d.target.Arn, inputOf(d), { requestId: accepted.requestId, traceHeader: d.traceHeader });
      await this.finished(d);
    } catch (error) {
      if (this.stopped) return;
      await this.functionFailed(d, accepted, new FunctionError(error));
    }
  }

  private async functionFailed(
    d: Delivery,
    accepted: NonNullable<Delivery['accepted']>,
    error: FunctionError,
  ): Promise<void> {
    const config = this.functionConfig(d.target.Arn) ?? LAMBDA_ASYNC_DEFAULTS;
    // Lambda retries a minute and two minutes later, after any lease the failed invocation met (a lease lasts
    // at most a function's timeout); the local backoff is shorter, so it waits at least as long as the error says.
    const delay = Math.max(this.backoffDelay(accepted.attempts), retryAfterOf(error));
    const retriesMade = accepted.attempts - 1;
    const tooOld = Date.now() + delay - accepted.at > config.maximumEventAgeInSeconds * 1000;
    if (retriesMade < config.maximumRetryAttempts && !tooOld) {
      d.nextAttemptAt = Date.now() + delay;
      await this.store.recordAttempt(d);
      this.schedule(d);
      return;
    }
    await this.functionDeadLetter(d, accepted, config, error.message);
    await this.finished(d);
  }

  /**
   * Journals an invocation as Lambda's before it runs: Lambda's queue is durable, so a stack killed during the
   * invocation retries it on start as Lambda's next attempt, counted and after a backoff, not as a new delivery.
   */
  private async running(d: Delivery, accepted: NonNullable<Delivery['accepted']>): Promise<void> {
    d.accepted = accepted;
    if (!this.store.durable) return;
    d.nextAttemptAt = Date.now() + this.backoffDelay(accepted.attempts);
    await this.store.recordAttempt(d);
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, so retries of many events spread out. */
  private backoffDelay(attempts: number): number {
    const exponential = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (attempts - 1));
    return Math.round(exponential / 2 + Math.random() * (exponential / 2));
  }

  private async send(
    arn: string,
    event: EventBridgeEvent,
    invocation: { requestId: string; traceHeader?: string },
  ): Promise<void> {
    // `event` is what the target receives (targetInput): the event unless the target transforms it.
    const kind = targetKind(arn);
    if (kind === 'lambda') {
      try {
        await this.invokeLambda(arn, event, invocation);
      } catch (error) {
        if (!(error instanceof AwsError && INVOKE_REFUSALS.has(error.code))) throw new FunctionError(error);
        // A function that is not registered yet (the stack registers consumers after the bus resumes) is
        // retried rather than dead-lettered at once as AWS would, so a restart never dead-letters on a race.
        if (error.code === 'ResourceNotFoundException') throw new TargetFailure('NO_RESOURCE', error.message, true);
        throw new TargetFailure('THROTTLING', error.message, true);
      }
      return;
    }
    if (kind === 'sqs') {
      if (!this.queues.hasQueue(arn)) throw new TargetFailure('NO_RESOURCE', `Queue ${arn} does not exist.`, false);
      this.queues.sendMessage(arn, typeof event === 'string' ? event : JSON.stringify(event));
      return;
    }
    throw new TargetFailure('INVALID_PARAMETER', `Target ${arn} is not a supported target type.`, false);
  }

  /**
   * Where Lambda sends an event its function failed on: the function's DLQ, the event as the function got
   * it, with Lambda's attributes (ErrorCode is the invoke's HTTP status, 200 for a function error).
   * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq
   */
  private async functionDeadLetter(
    d: Delivery,
    accepted: NonNullable<Delivery['accepted']>,
    config: FunctionAsyncConfig,
    errorMessage: string,
  ): Promise<void> {
    const report = {
      ruleArn: d.ruleArn,
      functionArn: d.target.Arn,
      eventId: d.event.id,
      detailType: d.event['detail-type'],
      ...this.labelsOf(d.event),
      requestId: accepted.requestId,
      errorMessage,
      attempts: accepted.attempts,
    };
    if (!config.deadLetterArn) {
      deliveryLogger.error('the function failed on the event and has no dead-letter queue; Lambda discards it', report);
      return;
    }
    // Lambda sends it with the function's own role: the role (or the queue's policy) must allow sqs:SendMessage.
    const functionName = functionNameOf(d.target.Arn);
    const refusal = await this.refusal(
      this.iamOf()?.functionPrincipal(functionName),
      `function ${functionName}`,
      deadLetterSend(config.deadLetterArn),
    );
    if (refusal) {
      deliveryLogger.error(
        "the function failed on the event and IAM refused Lambda's send to its dead-letter queue; the event is dropped",
        { ...report, deadLetterQueueArn: config.deadLetterArn, ...refusal },
      );
      return;
    }
    const attributes = {
      RequestID: { DataType: 'String' as const, StringValue: accepted.requestId },
      ErrorCode: { DataType: 'Number' as const, StringValue: '200' },
      ErrorMessage: { DataType: 'String' as const, StringValue: truncateUtf8(errorMessage, 1024) || 'Unhandled' },
    };
    try {
      this.queues.sendMessage(config.deadLetterArn, JSON.stringify(inputOf(d)), attributes);
      deliveryLogger.warn('the function failed on the event; Lambda sent it to the dead-letter queue', {
        ...report,
        deadLetterQueueArn: config.deadLetterArn,
      });
    } catch (error) {
      deliveryLogger.error(
        'the function failed on the event and its dead-letter queue could not take it; the event is dropped',
        {
          ...report,
          deadLetterQueueArn: config.deadLetterArn,
          deadLetterError: describe(error),
        },
      );
    }
  }

  private async deadLetter(
    d: Delivery,
    failure: TargetFailure,
    retryAttempts: number,
    exhausted: string | undefined,
  ): Promise<void> {
    const dlqArn = d.target.DeadLetterConfig?.Arn;
    const report = {
      ruleArn: d.ruleArn,
      targetArn: d.target.Arn,
      eventId: d.event.id,
      detailType: d.event['detail-type'],
      ...this.labelsOf(d.event),
      errorCode: failure.code,
      errorMessage: failure.message,
      retryAttempts,
      ...(exhausted ? { exhaustedRetryCondition: exhausted } : {}),
    };
    if (!dlqArn) {
      deliveryLogger.error(
        'event delivery failed and the target has no dead-letter queue; the event is dropped',
        report,
      );
      return;
    }
    // EventBridge sends it as the service, on the queue policy's grant, naming the rule and its account.
    const refusal = await this.refusal(
      { kind: 'service', service: 'events.amazonaws.com' },
      'events.amazonaws.com',
      deadLetterSend(dlqArn, {
        'aws:SourceArn': d.ruleArn,
        'aws:SourceAccount': accountOf(d.ruleArn),
      }),
    );
    if (refusal) {
      deliveryLogger.error(
        "event delivery failed and IAM refused EventBridge's send to the dead-letter queue; the event is dropped",
        { ...report, deadLetterQueueArn: dlqArn, ...refusal },
      );
      return;
    }
    const attribute = (value: string) => ({ DataType: 'String' as const, StringValue: value });
    const attributes: Record<string, { DataType: 'String'; StringValue: string }> = {
      RULE_ARN: attribute(d.ruleArn),
      TARGET_ARN: attribute(d.target.Arn),
      ERROR_CODE: attribute(failure.code),
      ERROR_MESSAGE: attribute(failure.message.slice(0, 1000) || failure.code),
      RETRY_ATTEMPTS: attribute(String(retryAttempts)),
      ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attribute(exhausted) } : {}),
    };
    try {
      this.queues.sendMessage(dlqArn, JSON.stringify(d.event), attributes);
      deliveryLogger.warn('event delivery failed; sent to the dead-letter queue', {
        ...report,
        deadLetterQueueArn: dlqArn,
      });
    } catch (error) {
      deliveryLogger.error('event delivery failed and the dead-letter queue could not take it; the event is dropped', {
        ...report,
        deadLetterQueueArn: dlqArn,
        deadLetterError: describe(error),
      });
    }
  }

  /**
   * Why IAM refuses a send to a dead-letter queue (AWS's message and the statement that would have allowed it), or
   * undefined when it allows it or IAM is not enforced. A sender IAM knows no principal for is refused, never let by.
   */
  private async refusal(
    principal: Principal | undefined,
    sender: string,
    authorization: Authorization,
  ): Promise<{ refusal: string; neededStatement?: unknown } | undefined> {
    const iam = this.iamOf();
    if (!iam) return undefined;
    if (!principal) return { refusal: `IAM knows no role for ${sender}: it may not perform ${authorization.action}` };
    const decision = await iam.decide(principal, authorization, iam.resourcePolicyOf(authorization.resource));
    return decision.allowed ? undefined : { refusal: decision.message, neededStatement: decision.needed };
  }
}

function deadLetterSend(queueArn: string, context?: Record<string, string>): Authorization {
  return { action: 'sqs:SendMessage', resource: queueArn, ...(context ? { context } : {}) };
}

/** arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] */
function functionNameOf(functionArn: string): string {
  return functionArn.split(':')[6] ?? functionArn;
}

/** arn:aws:events:<region>:<account>:rule/... */
function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/**
 * What a target receives: the event, or the target's constant Input, or the part InputPath selects, or what
 * its InputTransformer makes of the event.
 */
export function targetInput(target: Target, event: EventBridgeEvent, context?: TransformContext): EventBridgeEvent {
  if (target.Input !== undefined) return JSON.parse(target.Input) as EventBridgeEvent;
  if (target.InputTransformer !== undefined)
    return transformInput(
      target.InputTransformer,
      event,
      context ?? { ruleArn: '', ingestedAt: Date.now() },
    ) as EventBridgeEvent;
  if (target.InputPath !== undefined && target.InputPath !== '$') {
    let value: unknown = event;
    // Dotted JSONPath ($.detail.data.booking) covers what targets use; EventBridge allows nothing fancier here.
    for (const key of target.InputPath.replace(/^\$\.?/, '')
      .split('.')
      .filter(Boolean))
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return (value ?? null) as EventBridgeEvent;
  }
  return event;
}

function inputOf(d: Delivery): EventBridgeEvent {
  return targetInput(d.target, d.event, { ruleArn: d.ruleArn, ingestedAt: d.ingestedAt });
}

/** Lambda truncates the dead letter's ErrorMessage to 1 KB. */
function truncateUtf8(text: string, bytes: number): string {
  const buffer = Buffer.from(text, 'utf8');
  return buffer.length <= bytes
    ? text
    : buffer
        .subarray(0, bytes)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function asTargetFailure(error: unknown): TargetFailure {
  return error instanceof TargetFailure ? error : new TargetFailure('INTERNAL_ERROR', describe(error), true);
}
