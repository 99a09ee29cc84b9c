import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { getXRayTraceIdFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { documentClient, eventBridgeClient, secretsManagerClient } from '../../shared/aws';
import { createLogger } from '../../shared/logger';
import { createMetrics, metricNames, MetricUnit, type Metrics } from '../../shared/metrics';
import { PrivateRecords } from '../../shared/private-records';
import { Publisher } from '../../shared/publisher';
import { DEFAULT_SECRET_TTL_MS, SecretCache } from '../../shared/secrets';
import { Deliveries } from './deliveries';
import { answerOf, createWebhookHandler } from './intake';

const secrets = new SecretCache(secretsManagerClient(), {
  ttlMs: Number(process.env.CHARTERFLOW_SECRET_TTL_MS ?? DEFAULT_SECRET_TTL_MS),
});
const logger = createLogger('webhook');

/** A new booking revision on the bus, counted by what Boatsetter said happened to the booking. */
const bookingMetric: Record<string, string> = {
  BookingReceived: metricNames.bookingsReceived,
  BookingModified: metricNames.bookingsChanged,
  BookingCancelled: metricNames.bookingsCancelled,
};

/** Counts accepted deliveries (from the invocation's Answer, answerOf) and flushes the request's metrics. */
function bookingMetrics(): MiddlewareObj<unknown, unknown, Error, Context> {
  const perRequest = new WeakMap<object, Metrics>();
  // Most requests count nothing (duplicates, rejections): no empty EMF line for them.
  const flush = (request: object) => {
    const metrics = perRequest.get(request);
    if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return {
    before: (request) => {
      perRequest.set(request, createMetrics('webhook'));
    },
    after: (request) => {
      const answer = answerOf(request.context);
      const metric = answer?.outcome === 'accepted' && answer.detailType ? bookingMetric[answer.detailType] : undefined;
      const metrics = perRequest.get(request);
      if (answer && metric && metrics) {
        metrics.addMetric(metric, MetricUnit.Count, 1);
        // The same ids as the request's log line, so the EMF line leads to it and to the booking's trace.
        metrics.addMetadata('bookingId', answer.bookingId ?? '');
        metrics.addMetadata('eventId', answer.eventId ?? '');
        metrics.addMetadata('function_request_id', request.context.awsRequestId);
        const traceId = getXRayTraceIdFromEnv();
        if (traceId) metrics.addMetadata('xray_trace_id', traceId);
      }
      flush(request);
    },
    onError: (request) => {
      flush(request);
    },
  };
}

const documents = documentClient();

export const handler = createWebhookHandler(
  {
    secrets,
    deliveries: new Deliveries(documents),
    publisher: new Publisher(eventBridgeClient()),
    privateRecords: new PrivateRecords(documents),
  },
  logger,
)
  .use(injectLambdaContext(logger))
  .use(bookingMetrics() as MiddlewareObj);
