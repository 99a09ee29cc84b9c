import { eventCatalog, type DetailType } from './contract/events';
import { stage } from './config';

/**
 * What a service says about itself: the events it consumes and emits and how failed deliveries are retried.
 * serverless.yml and the local stack both read these declarations (found by folder under services/), so a
 * consumer's pattern, retry policy and DLQ are declared once.
 */

export interface RetryPolicy {
  /** EventBridge target RetryPolicy.MaximumRetryAttempts (0..185). */
  maximumRetryAttempts: number;
  /** EventBridge target RetryPolicy.MaximumEventAgeInSeconds (60..86400). */
  maximumEventAgeInSeconds: number;
}

export interface ConsumerDeclaration<T extends DetailType = DetailType> {
  kind: 'consumer';
  name: string;
  description: string;
  consumes: readonly T[];
  emits: readonly DetailType[];
  retry: RetryPolicy;
}

export interface HttpRouteDeclaration {
  kind: 'http';
  name: string;
  description: string;
  route: { method: 'POST' | 'GET'; path: string };
  emits: readonly DetailType[];
}

export type ServiceDeclaration = ConsumerDeclaration | HttpRouteDeclaration;

export const defaultRetry: RetryPolicy = { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 3600 };

export function defineConsumer<T extends DetailType>(
  declaration: Omit<ConsumerDeclaration<T>, 'kind' | 'retry'> & { retry?: RetryPolicy },
): ConsumerDeclaration<T> {
  return { kind: 'consumer', retry: defaultRetry, ...declaration };
}

export function defineHttpRoute(declaration: Omit<HttpRouteDeclaration, 'kind'>): HttpRouteDeclaration {
  return { kind: 'http', ...declaration };
}

export interface EventPattern {
  source: string[];
  'detail-type': string[];
}

/** The EventBridge pattern of a consumer's rule: exactly the declared detail-types from their producers. */
export function eventPatternOf(declaration: ConsumerDeclaration): EventPattern {
  const types = [...new Set(declaration.consumes)].sort();
  const sources = [...new Set(types.map((t) => eventCatalog[t].source))].sort();
  return { source: sources, 'detail-type': types };
}

/** Deployed names, as the Serverless Framework forms them: service-stage-function. */
export const deployedNames = (name: string, stageName = stage()) => ({
  functionName: `charterflow-${stageName}-${name}`,
  ruleName: `charterflow-${stageName}-${name}`,
  deadLetterQueueName: `charterflow-${stageName}-${name}-dlq`,
});
