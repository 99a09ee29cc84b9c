import { getXrayTraceDataFromEnv } from '@aws-lambda-powertools/commons/utils/env';

/**
 * The X-Ray trace header of the running invocation (Root, Parent, Sampled), as Lambda hands it to the
 * function with active tracing on: from the runtime's per-invocation store, or `_X_AMZN_TRACE_ID`.
 * Undefined outside a traced invocation (tests, the CLI).
 *
 * Put on each PutEvents entry (TraceHeader), it lets EventBridge pass the trace on to the rule's Lambda
 * target, so one booking is one trace from the webhook to the guest page. We propagate the header only and
 * do not load the X-Ray SDK (Powertools Tracer): see README, Observability, for what it would cost.
 */
export function currentTraceHeader(): string | undefined {
  const data = getXrayTraceDataFromEnv();
  if (!data?.Root) return undefined;
  return Object.entries(data)
    .map(([key, value]) => `${key}=${value}`)
    .join(';');
}
