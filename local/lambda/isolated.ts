import { spawn } from 'node:child_process';
import { nodeForRuntime } from './node-runtime';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FunctionAsyncConfig } from '../aws/eventbridge/delivery';
import { AwsError, LOCAL_ACCOUNT_ID } from '../aws/service';
import { functionNameOf, invocationTraceHeader, LambdaTimeout, Slots } from './index';
import type { InvokeOptions, LambdaRuntime } from './runtime';

/** One function of the `serverless package` output, as Lambda would run it. */
export interface IsolatedFunctionSpec {
  name: string;
  /** LAMBDA_TASK_ROOT: the unzipped bundle. */
  codeDir: string;
  /** "dir/file.fn", as the template gives it. */
  handler: string;
  /** nodejs22.x and the like: which Node runs it. */
  runtime: string;
  /** The template's variables plus what the stack adds (AWS_ENDPOINT_URL, ...). */
  environment: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
  reservedConcurrency?: number;
  asyncConfig?: FunctionAsyncConfig;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface NodeBinary {
  path: string;
  version: string;
}
export type NodeForRuntime = (runtime: string) => Promise<NodeBinary>;

/** A cold start as the environment measured it. */
export interface ColdStart {
  functionName: string;
  pid: number;
  nodeVersion: string;
  /** Inside the process: Node's start until the runtime ran, then the bundle's import. */
  processStartMs: number;
  importMs: number;
  /** From spawn until the runtime asked for its first event (Lambda's init duration). */
  initMs: number;
  /** From spawn until the first invocation was answered. */
  coldStartMs: number;
}

export interface EnvironmentFacts {
  pid: number;
  nodeVersion?: string;
  initMs?: number;
  coldStartMs?: number;
  invocations: number;
}

export interface IsolatedLambdaOptions {
  region?: string;
  accountId?: string;
  /** Environments of one function at once when it reserves no concurrency; more invocations wait their turn. */
  concurrency?: number;
  /** Forward each environment's output and Lambda's platform lines to this process's stdout and stderr. */
  log?: boolean;
  nodeForRuntime?: NodeForRuntime;
  onColdStart?: (coldStart: ColdStart) => void;
}

export const DEFAULT_ISOLATED_CONCURRENCY = 10;

/** A function error as Lambda reports it: name is the errorType, message the errorMessage. */
export class FunctionError extends Error {
  constructor(
    errorType: string,
    message: string,
    readonly stackTrace: string[] = [],
  ) {
    super(message);
    this.name = errorType;
  }
}

const RUNTIME_DIR = dirname(fileURLToPath(import.meta.url));
const BOOTSTRAP = fileURLToPath(new URL('./bootstrap.mjs', import.meta.url));
const API = '/2018-06-01/runtime';
/**
 * Lambda gives init 10 seconds; past them it runs init again inside the first invocation, under the function's
 * timeout. Here the same time in one piece.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
 */
const INIT_LIMIT_MS = 10_000;

interface IsolatedFunction {
  spec: IsolatedFunctionSpec;
  slots: Slots;
  /** Warm environments, the most recently used last. */
  idle: Environment[];
  all: Set<Environment>;
}

/**
 * Runs the packaged functions each in execution environments of their own: a child process on the Node of the
 * function's runtime, fed through the Lambda Runtime API. One invocation at a time per environment; a new
 * environment (a cold start) when every one is busy, up to the function's reserved concurrency.
 */
export class IsolatedLambda implements LambdaRuntime {
  private readonly functions = new Map<string, IsolatedFunction>();
  private readonly region: string;
  private readonly accountId: string;
  private readonly concurrency: number;
  private readonly nodeForRuntime: NodeForRuntime;
  private stopped = false;

  constructor(private readonly options: IsolatedLambdaOptions = {}) {
    this.region = options.region ?? 'us-west-2';
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.concurrency = options.concurrency ?? DEFAULT_ISOLATED_CONCURRENCY;
    this.nodeForRuntime = options.nodeForRuntime ?? nodeForRuntime;
  }

  register(spec: IsolatedFunctionSpec): void {
    const previous = this.functions.get(spec.name);
    // New code keeps the function's settings, as updating a function's code keeps its EventInvokeConfig; its
    // environments ran the old code, so they go.
    for (const environment of previous?.all ?? []) void environment.kill();
    this.functions.set(spec.name, {
      spec: { ...spec, asyncConfig: spec.asyncConfig ?? previous?.spec.asyncConfig },
      slots: new Slots(() => spec.reservedConcurrency ?? this.concurrency),
      idle: [],
      all: new Set(),
    });
  }

  asyncConfigOf(functionArnOrName: string): FunctionAsyncConfig | undefined {
    return this.functions.get(functionNameOf(functionArnOrName))?.spec.asyncConfig;
  }

  has(functionArnOrName: string): boolean {
    return this.functions.has(functionNameOf(functionArnOrName));
  }

  arnOf(functionName: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${functionName}`;
  }

  async invoke(functionArn: string, event: unknown, options: InvokeOptions = {}): Promise<void> {
    await this.invokeWithResult(functionArn, event, options);
  }

  async invokeWithResult(functionArn: string, event: unknown, options: InvokeOptions = {}): Promise<unknown> {
    const name = functionNameOf(functionArn);
    const fn = this.functions.get(name);
    if (!fn) throw new AwsError('ResourceNotFoundException', `Function not found: ${this.arnOf(name)}`, 404);
    if (fn.spec.reservedConcurrency === 0) throw new AwsError('TooManyRequestsException', 'Rate Exceeded.', 429);
    const invocation: Invocation = {
      requestId: options.requestId ?? randomUUID(),
      payload: JSON.stringify(event ?? null),
      traceId: invocationTraceHeader(options.traceHeader),
      invokedFunctionArn: this.arnOf(name),
    };
    await fn.slots.take();
    try {
      if (this.stopped) throw new AwsError('ServiceException', 'the local Lambda runtime has stopped', 500);
      const environment = fn.idle.pop() ?? (await this.start(fn));
      try {
        return await environment.run(invocation);
      } finally {
        if (environment.alive && this.functions.get(name) === fn) fn.idle.push(environment);
      }
    } finally {
      fn.slots.release();
    }
  }

  /** The function's live environments, for tests and the bench. */
  environments(functionName: string): EnvironmentFacts[] {
    return [...(this.functions.get(functionName)?.all ?? [])].map((environment) => environment.facts());
  }

  /** Kills every environment and waits until each has exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    const environments = [...this.functions.values()].flatMap((fn) => [...fn.all]);
    await Promise.all(environments.map((environment) => environment.kill()));
  }

  private async start(fn: IsolatedFunction): Promise<Environment> {
    const node = await this.nodeForRuntime(fn.spec.runtime);
    const environment = new Environment(fn.spec, node.path, {
      region: this.region,
      log: this.options.log ?? false,
      onColdStart: this.options.onColdStart,
      onExit: () => {
        fn.all.delete(environment);
        const at = fn.idle.indexOf(environment);
        if (at >= 0) fn.idle.splice(at, 1);
      },
    });
    fn.all.add(environment);
    await environment.started;
    return environment;
  }
}

interface Invocation {
  requestId: string;
  payload: string;
  traceId: string;
  invokedFunctionArn: string;
}

interface Running extends Invocation {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  handedOffAt?: number;
  timer?: NodeJS.Timeout;
}

interface InitFacts {
  nodeVersion: string;
  processStartMs: number;
  importMs: number;
  initMs: number;
}

interface EnvironmentOptions {
  region: string;
  log: boolean;
  onColdStart?: (coldStart: ColdStart) => void;
  onExit: () => void;
}

/** One execution environment: a child process and the Runtime API it polls. */
class Environment {
  readonly started: Promise<void>;
  readonly exited: Promise<void>;
  alive = true;
  private readonly spawnedAt = performance.now();
  private readonly server: Server;
  private pid = 0;
  private child?: ReturnType<typeof spawn>;
  private invocations = 0;
  private init?: InitFacts;
  private coldStartMs?: number;
  private parked?: ServerResponse;
  private running?: Running;
  /** Why the environment died, when it was not a plain exit: its init error or its timeout. */
  private cause?: Error;
  private endStatus: 'timeout' | 'failure' = 'failure';
  private readonly initTimer: NodeJS.Timeout;
  private markExited!: () => void;

  constructor(
    private readonly spec: IsolatedFunctionSpec,
    nodePath: string,
    private readonly options: EnvironmentOptions,
  ) {
    this.exited = new Promise((resolve) => {
      this.markExited = resolve;
    });
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => answer(res, 500, { errorMessage: String(error) }));
    });
    // The runtime keeps one connection for the environment's life. Node's server drops a connection idle for 5 s,
    // and an invocation is that idle: a handler that ran 5 s or more then had its response POST reset, and the
    // invocation failed with "read ECONNRESET" though the handler had succeeded. Lambda's Runtime API never does.
    this.server.keepAliveTimeout = 0;
    this.initTimer = setTimeout(
      () => this.discard(new LambdaTimeout(timedOut(INIT_LIMIT_MS + spec.timeoutMs))),
      INIT_LIMIT_MS + spec.timeoutMs,
    );
    this.started = new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        if (this.alive) this.spawn(nodePath, (this.server.address() as AddressInfo).port);
        resolve();
      });
    });
  }

  facts(): EnvironmentFacts {
    return {
      pid: this.pid,
      nodeVersion: this.init?.nodeVersion,
      initMs: this.init?.initMs,
      coldStartMs: this.coldStartMs,
      invocations: this.invocations,
    };
  }

  run(invocation: Invocation): Promise<unknown> {
    if (!this.alive) return Promise.reject(this.cause ?? new FunctionError('Runtime.ExitError', 'Runtime exited'));
    return new Promise((resolve, reject) => {
      this.running = { ...invocation, resolve, reject };
      if (this.parked) this.handOff(this.parked);
    });
  }

  /** Ends the process (SIGKILL, as Lambda ends an environment) and waits for it. */
  kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    if (!this.child) this.exit();
    return this.exited;
  }

  private spawn(nodePath: string, port: number): void {
    const { spec } = this;
    const stream = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
    // Exactly what Lambda gives a function: its own variables, then the reserved ones, which it cannot override.
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
    const env: Record<string, string> = {
      ...spec.environment,
      AWS_REGION: this.options.region,
      AWS_DEFAULT_REGION: this.options.region,
      AWS_LAMBDA_FUNCTION_NAME: spec.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: stream,
      _HANDLER: spec.handler,
      LAMBDA_TASK_ROOT: spec.codeDir,
      LAMBDA_RUNTIME_DIR: RUNTIME_DIR,
      AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      PATH: `${dirname(nodePath)}:/usr/local/bin:/usr/bin/:/bin`,
      AWS_ACCESS_KEY_ID: spec.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: spec.credentials.secretAccessKey,
      // Each environment has a role session of its own.
      AWS_SESSION_TOKEN: randomBytes(48).toString('base64'),
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
    };
    const child = spawn(nodePath, [...nodeFlags(spec.memoryMb), BOOTSTRAP], {
      cwd: spec.codeDir,
      env,
      stdio: ['ignore', this.options.log ? 'pipe' : 'ignore', this.options.log ? 'pipe' : 'ignore'],
    });
    this.child = child;
    this.pid = child.pid ?? 0;
    if (child.stdout) forwardLines(child.stdout, process.stdout);
    if (child.stderr) forwardLines(child.stderr, process.stderr);
    child.once('error', (error) => {
      this.cause ??= new FunctionError('Runtime.InvalidEntrypoint', error.message);
      this.exit();
    });
    child.once('exit', (code, signal) => {
      this.cause ??= new FunctionError('Runtime.ExitError', exitMessage(code, signal));
      this.exit();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    const body = await readBody(req);
    if (req.method === 'GET' && url === `${API}/invocation/next`) {
      this.onNext(req, res);
      return;
    }
    const answered = new RegExp(`^${API}/invocation/([^/]+)/(response|error)$`).exec(url);
    if (req.method === 'POST' && answered) {
      const [, requestId, kind] = answered;
      const running = this.running;
      if (!running || running.requestId !== decodeURIComponent(requestId!)) {
        answer(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
        return;
      }
      answer(res, 202, { status: 'OK' });
      if (kind === 'response') this.finish(running, 'success', () => running.resolve(parseResult(body)));
      else {
        const error = functionErrorOf(body, req.headers['lambda-runtime-function-error-type']);
        this.finish(running, 'error', () => running.reject(error));
      }
      return;
    }
    if (req.method === 'POST' && url === `${API}/init/error`) {
      answer(res, 202, { status: 'OK' });
      this.discard(functionErrorOf(body, req.headers['lambda-runtime-function-error-type']));
      return;
    }
    answer(res, 404, { errorMessage: `no such route: ${req.method} ${url}`, errorType: 'NotFound' });
  }

  private onNext(req: IncomingMessage, res: ServerResponse): void {
    if (!this.init) {
      clearTimeout(this.initTimer);
      const reported = JSON.parse(String(req.headers['charterflow-init'] ?? '{}')) as Partial<InitFacts>;
      this.init = {
        nodeVersion: reported.nodeVersion ?? '',
        processStartMs: reported.processStartMs ?? 0,
        importMs: reported.importMs ?? 0,
        initMs: performance.now() - this.spawnedAt,
      };
    }
    this.parked = res;
    if (this.running && this.running.handedOffAt === undefined) this.handOff(res);
  }

  private handOff(res: ServerResponse): void {
    const running = this.running!;
    this.parked = undefined;
    running.handedOffAt = performance.now();
    const deadline = Date.now() + this.spec.timeoutMs;
    res.writeHead(200, {
      'content-type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': running.requestId,
      'Lambda-Runtime-Deadline-Ms': String(deadline),
      'Lambda-Runtime-Invoked-Function-Arn': running.invokedFunctionArn,
      'Lambda-Runtime-Trace-Id': running.traceId,
    });
    res.end(running.payload);
    this.platform('platform.start', { requestId: running.requestId, version: '$LATEST' });
    running.timer = setTimeout(() => {
      // Lambda's timeout ends the environment: the next invocation starts a new one.
      this.discard(new LambdaTimeout(timedOut(this.spec.timeoutMs)), 'timeout');
    }, this.spec.timeoutMs);
  }

  private finish(running: Running, status: 'success' | 'error' | 'timeout' | 'failure', settle: () => void): void {
    clearTimeout(running.timer);
    this.running = undefined;
    this.invocations++;
    const durationMs = running.handedOffAt === undefined ? 0 : performance.now() - running.handedOffAt;
    const coldStart = this.coldStartMs === undefined;
    // A cold start counts once the runtime answered its first invocation, with a result or a function error.
    if (coldStart && this.init && (status === 'success' || status === 'error')) {
      this.coldStartMs = performance.now() - this.spawnedAt;
      this.options.onColdStart?.({
        functionName: this.spec.name,
        pid: this.pid,
        nodeVersion: this.init.nodeVersion,
        processStartMs: this.init.processStartMs,
        importMs: this.init.importMs,
        initMs: this.init.initMs,
        coldStartMs: this.coldStartMs,
      });
    }
    this.platform('platform.runtimeDone', { requestId: running.requestId, status });
    this.platform('platform.report', {
      requestId: running.requestId,
      status,
      metrics: {
        durationMs: round(durationMs),
        billedDurationMs: Math.ceil(durationMs),
        memorySizeMB: this.spec.memoryMb,
        ...(coldStart && this.init ? { initDurationMs: round(this.init.initMs) } : {}),
      },
    });
    settle();
  }

  /**
   * The environment is done for (an init error, a timeout): end it, then fail what it ran, so that the caller
   * never sees the failed environment still running.
   */
  private discard(cause: Error, status: 'timeout' | 'failure' = 'failure'): void {
    if (!this.cause) {
      this.cause = cause;
      this.endStatus = status;
    }
    void this.kill();
  }

  private exit(): void {
    if (!this.alive) return;
    this.alive = false;
    clearTimeout(this.initTimer);
    const running = this.running;
    if (running) this.finish(running, this.endStatus, () => running.reject(this.cause!));
    this.parked?.destroy();
    this.server.closeAllConnections();
    this.server.close(() => this.markExited());
    this.options.onExit();
  }

  private platform(type: string, record: Record<string, unknown>): void {
    if (!this.options.log) return;
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), type, record })}\n`);
  }
}

/**
 * The heap Lambda's Node bootstrap gives a function of this memory size: a tenth for the young generation (half
 * of it per semi-space), the rest for the old.
 */
export function nodeFlags(memoryMb: number): string[] {
  const young = Math.floor(memoryMb / 10);
  return [
    '--expose-gc',
    '--max-http-header-size=81920',
    `--max-semi-space-size=${Math.floor(young / 2)}`,
    `--max-old-space-size=${memoryMb - young}`,
  ];
}

/** How Lambda words a runtime's exit: Go's wording of a process state. */
function exitMessage(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `Runtime exited with error: signal: ${SIGNAL_WORDS[signal] ?? signal}`;
  if (code === 0) return 'Runtime exited without providing a reason';
  return `Runtime exited with error: exit status ${code}`;
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGINT: 'interrupt',
};

const timedOut = (ms: number) => `Task timed out after ${(ms / 1000).toFixed(2)} seconds`;
const round = (ms: number) => Math.round(ms * 100) / 100;

function functionErrorOf(body: string, typeHeader: string | string[] | undefined): FunctionError {
  let posted: { errorType?: string; errorMessage?: string; stackTrace?: string[] } = {};
  try {
    posted = JSON.parse(body) as typeof posted;
  } catch {
    posted = { errorMessage: body };
  }
  const errorType = posted.errorType ?? (typeof typeHeader === 'string' ? typeHeader : 'Runtime.Unknown');
  return new FunctionError(errorType, posted.errorMessage ?? '', posted.stackTrace ?? []);
}

function parseResult(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function forwardLines(from: Readable, to: NodeJS.WriteStream): void {
  createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => to.write(`${line}\n`));
}
