// The runtime inside one local execution environment: a small Lambda Runtime API client, run on the function's
// own Node beside its bundle. Written here rather than taken from aws-lambda-ric, which needs a native build;
// plain ESM with no dependencies, because it runs outside our TypeScript and node_modules.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { basename, dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

// Node's time before this module ran (its timeOrigin is the process start): the process part of a cold start.
const processStartMs = performance.now();
const API = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

process.stdout.write(
  `${JSON.stringify({ time: new Date().toISOString(), level: 'INFO', message: 'runtime started', nodeVersion: process.version })}\n`,
);

function call(method, path, body, headers = {}) {
  return new Promise((resolvePromise, reject) => {
    const req = request(`${API}${path}`, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolvePromise({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function errorOf(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      stackTrace: (error.stack ?? '')
        .split('\n')
        .slice(1)
        .map((line) => line.trim()),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), stackTrace: [] };
}

function runtimeError(errorType, message, cause) {
  const error = new Error(message, { cause });
  error.name = errorType;
  return error;
}

/**
 * "dir/file.fn" as Lambda's Node runtime resolves it: file.js, file.mjs, then file.cjs under LAMBDA_TASK_ROOT, and
 * fn a property path in what it exports. Its error types and messages are the runtime's own.
 */
async function loadHandler() {
  const handlerString = process.env._HANDLER ?? '';
  const moduleDir = dirname(handlerString);
  const [moduleName, ...path] = basename(handlerString).split('.');
  if (!moduleName || path.length === 0) {
    throw runtimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerString}`);
  }
  const base = resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), moduleDir, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((extension) => base + extension).find((candidate) => existsSync(candidate));
  if (!file) throw runtimeError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
  let module;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'MODULE_NOT_FOUND') {
      throw runtimeError('Runtime.ImportModuleError', String(error), error);
    }
    if (error instanceof SyntaxError) throw runtimeError('Runtime.UserCodeSyntaxError', String(error), error);
    throw error;
  }
  const find = (root) => path.reduce((value, key) => (value == null ? undefined : value[key]), root);
  // A CommonJS file imported as ESM may expose its exports only under default.
  const handler = find(module) ?? find(module.default);
  if (typeof handler !== 'function') {
    throw runtimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  }
  return handler;
}

function contextOf(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  return {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    // Lambda's runtime answers as soon as the handler's promise settles; we do not wait for the event loop.
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** Calls the handler, async or callback style (Node 22 still has both), and settles with what it answers. */
function run(handler, event, context) {
  return new Promise((resolvePromise, reject) => {
    const callback = (error, result) => (error == null ? resolvePromise(result) : reject(error));
    Object.assign(context, {
      done: callback,
      succeed: (result) => callback(null, result),
      fail: (error) => callback(error ?? 'handled'),
    });
    try {
      const answer = handler(event, context, callback);
      if (typeof answer?.then === 'function') answer.then(resolvePromise, reject);
    } catch (error) {
      reject(error);
    }
  });
}

let current;
// What Lambda's Node runtime does: an error that escapes the handler fails the invocation and ends the process.
process.on('uncaughtException', async (error) => {
  const id = current;
  if (id) await call('POST', `/invocation/${id}/error`, JSON.stringify(errorOf(error))).catch(() => undefined);
  else await call('POST', '/init/error', JSON.stringify(errorOf(error))).catch(() => undefined);
  process.exit(129);
});

const importStarted = performance.now();
let handler;
try {
  handler = await loadHandler();
} catch (error) {
  const body = errorOf(error);
  await call('POST', '/init/error', JSON.stringify(body), { 'Lambda-Runtime-Function-Error-Type': body.errorType });
  process.exit(1);
}
// How long this process took to start and to import the bundle, for the parent's cold-start facts.
let initFacts = JSON.stringify({
  nodeVersion: process.version,
  processStartMs,
  importMs: performance.now() - importStarted,
});

for (;;) {
  const headers = initFacts ? { 'Charterflow-Init': initFacts } : {};
  initFacts = undefined;
  const next = await call('GET', '/invocation/next', undefined, headers);
  const context = contextOf(next.headers);
  current = context.awsRequestId;
  const trace = next.headers['lambda-runtime-trace-id'];
  if (trace) process.env._X_AMZN_TRACE_ID = trace;
  else delete process.env._X_AMZN_TRACE_ID;
  try {
    const result = await run(handler, JSON.parse(next.body), context);
    await call('POST', `/invocation/${current}/response`, JSON.stringify(result ?? null));
  } catch (error) {
    const body = errorOf(error);
    await call('POST', `/invocation/${current}/error`, JSON.stringify(body), {
      'Lambda-Runtime-Function-Error-Type': body.errorType,
    });
  }
  current = undefined;
}
