import type { FunctionAsyncConfig } from '../aws/eventbridge/delivery';

export interface InvokeOptions {
  /** The X-Ray trace header the invocation continues (EventBridge passes the PutEvents entry's); none starts a trace. */
  traceHeader?: string;
  /** The context's awsRequestId, kept across Lambda's retries of one asynchronous invoke; a new one when absent. */
  requestId?: string;
}

/**
 * What the bus, the webhook route and the stack ask of Lambda, whichever way it runs the functions: in this
 * process from source (LocalLambda) or each function in execution environments of its own (IsolatedLambda).
 * Registering differs between the two (a loader against a packaged bundle), so it stays out of here.
 */
export interface LambdaRuntime {
  /** Invokes the function and throws what it fails with: its error's name is Lambda's errorType. */
  invoke(functionArn: string, event: unknown, options?: InvokeOptions): Promise<void>;
  /** Invokes the function and answers what it returned, as a synchronous invoke does. */
  invokeWithResult(functionArn: string, event: unknown, options?: InvokeOptions): Promise<unknown>;
  /** What Lambda does once the function fails an asynchronous invocation (its retries and DLQ). */
  asyncConfigOf(functionArnOrName: string): FunctionAsyncConfig | undefined;
  has(functionArnOrName: string): boolean;
  arnOf(functionName: string): string;
}
