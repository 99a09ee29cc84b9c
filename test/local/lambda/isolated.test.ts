import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ColdStart, type IsolatedFunctionSpec, IsolatedLambda } from '../../../local/lambda/isolated';

// Each function runs in child processes of its own (spawned with 'node:child_process'): the integration lane.

/** Tiny hand-written bundles, as `serverless package` lays them out: one ESM file per function. */
const bundles: Record<string, string> = {
  'services/echo/handler.mjs': `
    export const handler = async (event, context) => ({
      event,
      requestId: context.awsRequestId,
      remainingMs: context.getRemainingTimeInMillis(),
      functionName: context.functionName,
      invokedFunctionArn: context.invokedFunctionArn,
      trace: process.env._X_AMZN_TRACE_ID,
      node: process.version,
      pid: process.pid,
    });`,
  'services/env/handler.mjs': `
    import { getHeapStatistics } from 'node:v8';
    export const handler = async () => ({
      env: { ...process.env },
      sourceMaps: process.sourceMapsEnabled,
      heapLimitMb: getHeapStatistics().heap_size_limit / 1024 / 1024,
    });`,
  'services/broken/handler.mjs': `
    import 'charterflow-no-such-package';
    export const handler = async () => 'never';`,
  'services/slow/handler.mjs': `
    export const handler = async (event) => {
      await new Promise((resolve) => setTimeout(resolve, event.waitMs));
      return { pid: process.pid };
    };`,
  'services/crash/handler.mjs': `
    export const handler = async (event) => {
      if (event.how === 'exit') process.exit(1);
      if (event.how === 'kill') process.kill(process.pid, 'SIGKILL');
      if (event.how === 'throw') throw Object.assign(new Error('JADA answered 503 for booking XHQGMDH'), { name: 'DownstreamUnavailable' });
      console.log(JSON.stringify({ level: 'INFO', message: 'calendar entry created', bookingId: 'XHQGMDH' }));
      return 'ok';
    };`,
};

let codeDir: string;
let lambda: IsolatedLambda;
const coldStarts: ColdStart[] = [];

function spec(name: string, overrides: Partial<IsolatedFunctionSpec> = {}): IsolatedFunctionSpec {
  return {
    name,
    codeDir,
    handler: `services/${name}/handler.handler`,
    runtime: 'nodejs22.x',
    environment: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', SERVICE: name },
    timeoutMs: 3000,
    memoryMb: 256,
    credentials: { accessKeyId: 'charterflow-local', secretAccessKey: 'charterflow-local-secret' },
    ...overrides,
  };
}

const coldStartsOf = (name: string) => coldStarts.filter((start) => start.functionName === name).length;

beforeAll(() => {
  codeDir = mkdtempSync(join(tmpdir(), 'charterflow-isolated-'));
  for (const [file, text] of Object.entries(bundles)) {
    mkdirSync(dirname(join(codeDir, file)), { recursive: true });
    writeFileSync(join(codeDir, file), text);
  }
});

afterEach(async () => {
  await lambda?.stop();
  coldStarts.length = 0;
});

afterAll(() => rmSync(codeDir, { recursive: true, force: true }));

function start(options: ConstructorParameters<typeof IsolatedLambda>[0] = {}): IsolatedLambda {
  lambda = new IsolatedLambda({ region: 'us-west-2', onColdStart: (fact) => coldStarts.push(fact), ...options });
  return lambda;
}

describe('IsolatedLambda', () => {
  it('answers with what the handler returns, its request id passed through and its deadline honoured', async () => {
    const lambda = start();
    lambda.register(spec('echo', { timeoutMs: 4000 }));
    const traceHeader = 'Root=1-6750a1b2-0123456789abcdef01234567;Sampled=1';
    const answer = (await lambda.invokeWithResult(
      lambda.arnOf('echo'),
      { detail: { bookingId: 'XHQGMDH' } },
      { requestId: 'c0ffee00-1111-4222-8333-444455556666', traceHeader },
    )) as Record<string, unknown>;

    expect(answer.event).toEqual({ detail: { bookingId: 'XHQGMDH' } });
    expect(answer.requestId).toBe('c0ffee00-1111-4222-8333-444455556666');
    expect(answer.remainingMs).toBeGreaterThan(3000);
    expect(answer.remainingMs).toBeLessThanOrEqual(4000);
    expect(answer.functionName).toBe('echo');
    expect(answer.invokedFunctionArn).toBe('arn:aws:lambda:us-west-2:000000000000:function:echo');
    expect(answer.trace).toMatch(/^Root=1-6750a1b2-0123456789abcdef01234567;Parent=[0-9a-f]{16};Sampled=1$/);
    // Its own process, not this one.
    expect(answer.pid).not.toBe(process.pid);
  });

  it('runs the function on the Node of its runtime and reports it', async () => {
    const lambda = start();
    lambda.register(spec('echo'));
    const answer = (await lambda.invokeWithResult('echo', {})) as { node: string; pid: number };

    expect(answer.node).toMatch(/^v22\./);
    const [environment] = lambda.environments('echo');
    expect(environment).toMatchObject({ pid: answer.pid, nodeVersion: answer.node, invocations: 1 });
    expect(environment!.coldStartMs).toBeGreaterThanOrEqual(environment!.initMs!);
    expect(coldStarts).toEqual([expect.objectContaining({ functionName: 'echo', nodeVersion: answer.node })]);
  });

  it("gives the function exactly Lambda's environment: none of this process's variables", async () => {
    process.env.CHARTERFLOW_LEAK_MARKER = 'must-not-reach-the-function';
    try {
      const lambda = start({ region: 'eu-west-1' });
      lambda.register(
        spec('env', { memoryMb: 512, environment: { TABLE: 'scc-events', NODE_OPTIONS: '--enable-source-maps' } }),
      );
      const { env, sourceMaps, heapLimitMb } = (await lambda.invokeWithResult('env', {})) as {
        env: Record<string, string>;
        sourceMaps: boolean;
        heapLimitMb: number;
      };

      expect(Object.keys(env).sort()).toEqual(
        [
          'TABLE',
          'NODE_OPTIONS',
          'AWS_REGION',
          'AWS_DEFAULT_REGION',
          'AWS_LAMBDA_FUNCTION_NAME',
          'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
          'AWS_LAMBDA_FUNCTION_VERSION',
          'AWS_LAMBDA_INITIALIZATION_TYPE',
          'AWS_LAMBDA_LOG_GROUP_NAME',
          'AWS_LAMBDA_LOG_STREAM_NAME',
          '_HANDLER',
          'LAMBDA_TASK_ROOT',
          'LAMBDA_RUNTIME_DIR',
          'AWS_EXECUTION_ENV',
          'TZ',
          'LANG',
          'PATH',
          'AWS_ACCESS_KEY_ID',
          'AWS_SECRET_ACCESS_KEY',
          'AWS_SESSION_TOKEN',
          'AWS_LAMBDA_RUNTIME_API',
          // Set by the runtime itself for the invocation.
          '_X_AMZN_TRACE_ID',
        ].sort(),
      );
      expect(env).toMatchObject({
        TABLE: 'scc-events',
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_LAMBDA_FUNCTION_NAME: 'env',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/env',
        _HANDLER: 'services/env/handler.handler',
        LAMBDA_TASK_ROOT: codeDir,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        TZ: ':UTC',
        AWS_ACCESS_KEY_ID: 'charterflow-local',
        AWS_SECRET_ACCESS_KEY: 'charterflow-local-secret',
      });
      expect(env.AWS_LAMBDA_RUNTIME_API).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(env.AWS_SESSION_TOKEN!.length).toBeGreaterThan(20);
      // The template's NODE_OPTIONS applies, and the heap follows the memory size: 460 MB old space of 512, and
      // the young generation (Node's default on this machine is gigabytes).
      expect(sourceMaps).toBe(true);
      expect(heapLimitMb).toBeGreaterThan(460);
      expect(heapLimitMb).toBeLessThan(600);
    } finally {
      delete process.env.CHARTERFLOW_LEAK_MARKER;
    }
  });

  it('fails with Runtime.ImportModuleError when the bundle imports a missing module, and starts afresh next time', async () => {
    const lambda = start();
    lambda.register(spec('broken'));
    const failure = lambda.invoke('broken', {});

    await expect(failure).rejects.toMatchObject({
      name: 'Runtime.ImportModuleError',
      message: expect.stringContaining("Cannot find package 'charterflow-no-such-package'"),
    });
    await expect(lambda.invoke('broken', {})).rejects.toMatchObject({ name: 'Runtime.ImportModuleError' });
    expect(lambda.environments('broken')).toEqual([]);
  });

  it('fails with Runtime.HandlerNotFound when the handler is not exported', async () => {
    const lambda = start();
    lambda.register(spec('echo', { handler: 'services/echo/handler.onBooking' }));

    await expect(lambda.invoke('echo', {})).rejects.toMatchObject({
      name: 'Runtime.HandlerNotFound',
      message: 'services/echo/handler.onBooking is undefined or not exported',
    });
  });

  it('passes on the error the handler throws, its name as the errorType, and keeps the environment warm', async () => {
    const lambda = start();
    lambda.register(spec('crash'));

    await expect(lambda.invoke('crash', { how: 'throw' })).rejects.toMatchObject({
      name: 'DownstreamUnavailable',
      message: 'JADA answered 503 for booking XHQGMDH',
    });
    await lambda.invoke('crash', {});
    expect(lambda.environments('crash')).toEqual([expect.objectContaining({ invocations: 2 })]);
  });

  it('kills the environment at the timeout, and the next invocation cold-starts', async () => {
    const lambda = start();
    lambda.register(spec('slow', { timeoutMs: 400 }));
    const { pid: warm } = (await lambda.invokeWithResult('slow', { waitMs: 0 })) as { pid: number };

    await expect(lambda.invoke('slow', { waitMs: 5000 })).rejects.toMatchObject({
      name: 'Sandbox.Timedout',
      message: 'Task timed out after 0.40 seconds',
    });
    expect(() => process.kill(warm, 0)).toThrow();
    const { pid: fresh } = (await lambda.invokeWithResult('slow', { waitMs: 0 })) as { pid: number };
    expect(fresh).not.toBe(warm);
    expect(coldStartsOf('slow')).toBe(2);
  });

  it('answers a handler that ran longer than an HTTP server keeps an idle connection, on the same warm environment', async () => {
    const lambda = start();
    lambda.register(spec('slow', { timeoutMs: 10_000 }));
    const { pid: first } = (await lambda.invokeWithResult('slow', { waitMs: 0 })) as { pid: number };
    // Node's server drops a connection idle for 5 s; the runtime's was idle for all of this invocation.
    const { pid: second } = (await lambda.invokeWithResult('slow', { waitMs: 5_500 })) as { pid: number };
    expect(second).toBe(first);
  }, 20_000);

  it('fails with Runtime.ExitError when the process exits or is killed mid-invocation', async () => {
    const lambda = start();
    lambda.register(spec('crash'));

    await expect(lambda.invoke('crash', { how: 'exit' })).rejects.toMatchObject({
      name: 'Runtime.ExitError',
      message: 'Runtime exited with error: exit status 1',
    });
    await expect(lambda.invoke('crash', { how: 'kill' })).rejects.toMatchObject({
      name: 'Runtime.ExitError',
      message: 'Runtime exited with error: signal: killed',
    });
    expect(await lambda.invokeWithResult('crash', {})).toBe('ok');
    // The crashed environments are gone; the answer came from a fresh one.
    expect(lambda.environments('crash')).toEqual([expect.objectContaining({ invocations: 1 })]);
    expect(coldStartsOf('crash')).toBe(1);
  });

  it('starts at most the reserved concurrency of environments and reuses the warm ones', async () => {
    const lambda = start();
    lambda.register(spec('slow', { reservedConcurrency: 2 }));
    const round = () =>
      Promise.all(Array.from({ length: 6 }, () => lambda.invokeWithResult('slow', { waitMs: 150 }))) as Promise<
        Array<{ pid: number }>
      >;

    const first = await round();
    expect(new Set(first.map((answer) => answer.pid)).size).toBe(2);
    const second = await round();
    expect(new Set([...first, ...second].map((answer) => answer.pid)).size).toBe(2);
    expect(coldStartsOf('slow')).toBe(2);
    expect(lambda.environments('slow').map((environment) => environment.invocations)).toEqual([6, 6]);
  });

  it("writes the function's lines and Lambda's platform lines only when logging, the REPORT with its init", async () => {
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      const quiet = start();
      quiet.register(spec('crash'));
      await quiet.invoke('crash', {}, { requestId: 'quiet-request' });
      await quiet.stop();
      expect(written.join('')).not.toContain('calendar entry created');

      const loud = start({ log: true });
      loud.register(spec('crash'));
      await loud.invoke('crash', {}, { requestId: 'first-request' });
      await loud.invoke('crash', {}, { requestId: 'second-request' });
    } finally {
      process.stdout.write = write;
    }
    const lines = written
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, any>);
    expect(lines.filter((line) => line.message === 'runtime started')).toEqual([
      expect.objectContaining({ nodeVersion: expect.stringMatching(/^v22\./) }),
    ]);
    expect(lines.filter((line) => line.message === 'calendar entry created')).toHaveLength(2);
    const reports = lines.filter((line) => line.type === 'platform.report');
    expect(reports.map((line) => line.record.requestId)).toEqual(['first-request', 'second-request']);
    expect(reports[0]!.record.metrics.initDurationMs).toBeGreaterThan(0);
    expect(reports[1]!.record.metrics).not.toHaveProperty('initDurationMs');
    expect(lines.filter((line) => line.type === 'platform.start')).toHaveLength(2);
  });

  it('refuses an unknown function as Lambda does', async () => {
    const lambda = start();
    await expect(lambda.invoke('nope', {})).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
