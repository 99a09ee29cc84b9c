import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { InvokeStore, type InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import { AwsError, LOCAL_ACCOUNT_ID } from '../aws/service';
import type { FunctionAsyncConfig } from '../aws/eventbridge/delivery';
import type { InvokeOptions, LambdaRuntime } from './runtime';

export type { InvokeOptions } from './runtime';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalLambdaOptions {
  region?: string;
  accountId?: string;
  /** The function timeout Lambda would enforce; an invocation past it fails like a Lambda timeout. */
  timeoutMs?: number;
  memoryLimitInMB?: number;
  /**
   * Executions of one function at once; more invocations wait their turn, outside the function's timeout, as
   * Lambda queues asynchronous invocations beyond a function's reserved concurrency. Unbounded, a replay of
   * thousands of events would queue tens of thousands of SDK requests in this one process until they time out.
   */
  concurrency?: number;
  /**
   * Run each invocation in the Lambda runtime's invoke store (its request id and trace header), as Lambda
   * runs concurrent invocations in one process: log lines then carry their own trace id. Only when the logs
   * are written: the store is an AsyncLocalStorage, which slows every promise of this one process.
   */
  invokeStore?: boolean;
}

/** Executions of one function at once, as Lambda's reserved concurrency would cap them. */
export const DEFAULT_LOCAL_CONCURRENCY = 25;

interface LocalFunction {
  name: string;
  load: () => Promise<LambdaHandler>;
  handler?: Promise<LambdaHandler>;
  slots: Slots;
  asyncConfig?: FunctionAsyncConfig;
}

/** A counting semaphore: one per function. */
export class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: () => number) {}

  async take(): Promise<void> {
    if (this.busy < this.limit()) {
      this.busy++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy--;
  }
}

/**
 * Runs our consumers in-process, invoked as Lambda invokes them: a JSON copy of the event and a Context.
 * Handlers load lazily on first use (a cold start), then stay loaded (warm), like a Lambda execution environment.
 */
export class LocalLambda implements LambdaRuntime {
  private readonly functions = new Map<string, LocalFunction>();
  private readonly region: string;
  private readonly accountId: string;
  private readonly timeoutMs: number;
  private readonly memoryLimitInMB: number;
  private concurrency: number;
  private readonly invokeStore: boolean;

  constructor(options: LocalLambdaOptions = {}) {
    this.region = options.region ?? process.env.AWS_REGION ?? 'us-west-2';
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.memoryLimitInMB = options.memoryLimitInMB ?? 1024;
    this.concurrency = options.concurrency ?? DEFAULT_LOCAL_CONCURRENCY;
    this.invokeStore = options.invokeStore ?? false;
  }

  /** Changes how many executions of each function may run at once (undefined: the default). */
  setConcurrency(limit: number | undefined): void {
    this.concurrency = limit ?? DEFAULT_LOCAL_CONCURRENCY;
  }

  /** asyncConfig: what Lambda does when the function fails an asynchronous invocation (its retries and DLQ). */
  register(functionName: string, load: () => Promise<LambdaHandler>, asyncConfig?: FunctionAsyncConfig): void {
    // New code keeps the function's settings, as updating a function's code keeps its EventInvokeConfig.
    const settings = asyncConfig ?? this.functions.get(functionName)?.asyncConfig;
    this.functions.set(functionName, {
      name: functionName,
      load,
      slots: new Slots(() => this.concurrency),
      asyncConfig: settings,
    });
  }

  asyncConfigOf(functionArnOrName: string): FunctionAsyncConfig | undefined {
    return this.functions.get(functionNameOf(functionArnOrName))?.asyncConfig;
  }

  has(functionArnOrName: string): boolean {
    return this.functions.has(functionNameOf(functionArnOrName));
  }

  arnOf(functionName: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${functionName}`;
  }

  /** Invokes the function and throws what its handler throws (or a timeout). */
  async invoke(functionArn: string, event: unknown, options: InvokeOptions = {}): Promise<void> {
    await this.invokeWithResult(functionArn, event, options);
  }

  async invokeWithResult(functionArn: string, event: unknown, options: InvokeOptions = {}): Promise<unknown> {
    const name = functionNameOf(functionArn);
    const fn = this.functions.get(name);
    if (!fn) throw new AwsError('ResourceNotFoundException', `Function not found: ${this.arnOf(name)}`, 404);
    await fn.slots.take();
    try {
      return await this.run(fn, event, options);
    } finally {
      fn.slots.release();
    }
  }

  private async run(fn: LocalFunction, event: unknown, options: InvokeOptions): Promise<unknown> {
    const handler = await this.loaded(fn);
    // Lambda hands the function a deserialised copy: the handler can never change the bus's own event.
    const payload = JSON.parse(JSON.stringify(event ?? null)) as unknown;
    const deadline = Date.now() + this.timeoutMs;
    const context = this.context(fn.name, deadline, options.requestId);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new LambdaTimeout(`Task timed out after ${(this.timeoutMs / 1000).toFixed(2)} seconds`)),
        this.timeoutMs,
      );
    });
    const invoke = () => Promise.race([handler(payload, context), timeout]);
    try {
      if (!this.invokeStore) return await invoke();
      // What the Lambda runtime does for each invocation when many run in one process: the request id and the
      // trace header live in its invoke store, where Powertools (xray_trace_id), shared/tracing and shared/metrics read them.
      const store = await runtimeInvokeStore();
      const invocation = {
        [REQUEST_ID]: context.awsRequestId,
        [X_RAY_TRACE_ID]: invocationTraceHeader(options.traceHeader),
      };
      return await store.run(invocation, invoke);
    } finally {
      clearTimeout(timer);
    }
  }

  private loaded(fn: LocalFunction): Promise<LambdaHandler> {
    if (!fn.handler) {
      fn.handler = fn.load().catch((error: unknown) => {
        // An import that failed (a syntax error being fixed) is tried again on the next invocation.
        fn.handler = undefined;
        throw error;
      });
    }
    return fn.handler;
  }

  private context(functionName: string, deadline: number, awsRequestId?: string): Context {
    return lambdaContext(functionName, {
      deadline,
      invokedFunctionArn: this.arnOf(functionName),
      memoryLimitInMB: this.memoryLimitInMB,
      awsRequestId,
    });
  }
}

const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
const X_RAY_TRACE_ID = Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID');
let store: Promise<InvokeStoreBase> | undefined;
const runtimeInvokeStore = () => (store ??= InvokeStore.getInstanceAsync(true));

/**
 * The trace header a function sees with active tracing: the incoming trace's Root with a segment of its
 * own as Parent, or a new trace (X-Ray trace id: 1-<epoch seconds, hex>-<96 random bits, hex>).
 */
export function invocationTraceHeader(incoming: string | undefined): string {
  const fields = Object.fromEntries(
    (incoming ?? '')
      .split(';')
      .filter(Boolean)
      .map((field) => field.split('=') as [string, string]),
  );
  const root = fields.Root ?? `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return `Root=${root};Parent=${randomBytes(8).toString('hex')};Sampled=${fields.Sampled ?? '1'}`;
}

/** The Context Lambda passes a handler. Also for tests that call a handler directly. */
export function lambdaContext(
  functionName: string,
  options: { deadline?: number; invokedFunctionArn?: string; memoryLimitInMB?: number; awsRequestId?: string } = {},
): Context {
  const deadline = options.deadline ?? Date.now() + 30_000;
  const fail = () => {
    throw new Error('callback-style completion is not supported: handlers are async');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn:
      options.invokedFunctionArn ??
      `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-west-2'}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

/** Imports a service's handler.ts on first use, as Lambda loads a function on its first (cold) invocation. */
export function handlerLoader(serviceDir: string): () => Promise<LambdaHandler> {
  const file = pathToFileURL(join(serviceDir, 'handler.ts')).href;
  return async () => {
    const module = (await import(file)) as { handler?: LambdaHandler };
    if (typeof module.handler !== 'function') throw new Error(`${serviceDir}/handler.ts does not export a handler`);
    return module.handler;
  };
}

export class LambdaTimeout extends Error {
  override readonly name = 'Sandbox.Timedout';
}

/** Accepts a function name, a function ARN, or a qualified ARN (…:function:name:alias). */
export function functionNameOf(arnOrName: string): string {
  const match = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arnOrName);
  return match ? match[1]! : arnOrName;
}
