import type { DetailType } from './contract/events';
import { eventContracts } from './contract-validators.generated';
import { stage } from './config';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

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
  /** Tables the consumer owns: the deploy and the local stack create them from here. */
  tables?: readonly TableDeclaration[];
}

/** A DynamoDB table owned by one consumer (string keys; pay per request). */
export interface TableDeclaration {
  name: string;
  partitionKey: string;
  sortKey?: string;
  indexes?: readonly { name: string; partitionKey: string; sortKey?: string }[];
  /** Epoch-seconds attribute after which DynamoDB deletes the item. */
  ttlAttribute?: string;
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

/** Lambda's limits for asynchronous invocation: at most 2 retries, an event age of 60..21600 seconds. */
export const LAMBDA_ASYNC_LIMITS = { maximumRetryAttempts: 2, minimumEventAge: 60, maximumEventAge: 21_600 } as const;

/**
 * How Lambda retries a consumer whose function fails, derived from the declared retry policy and clamped to
 * Lambda's limits (osls maximumRetryAttempts/maximumEventAge). The deployment and the local stack both use it.
 */
export function asyncRetriesOf(declaration: Pick<ConsumerDeclaration, 'retry'>) {
  return {
    maximumRetryAttempts: Math.min(LAMBDA_ASYNC_LIMITS.maximumRetryAttempts, declaration.retry.maximumRetryAttempts),
    maximumEventAge: Math.min(
      LAMBDA_ASYNC_LIMITS.maximumEventAge,
      Math.max(LAMBDA_ASYNC_LIMITS.minimumEventAge, declaration.retry.maximumEventAgeInSeconds),
    ),
  };
}

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
  const sources = [...new Set(types.map((t) => eventContracts[t].source))].sort();
  return { source: sources, 'detail-type': types };
}

/** Deployed names, as the Serverless Framework forms them: service-stage-function. */
export const deployedNames = (name: string, stageName = stage()) => ({
  functionName: `charterflow-${stageName}-${name}`,
  ruleName: `charterflow-${stageName}-${name}`,
  deadLetterQueueName: `charterflow-${stageName}-${name}-dlq`,
});

/** The archive of every event on the bus (deploy and local stack alike): what replay and redrive read. */
export const archiveName = (stageName = stage()) => `charterflow-${stageName}-all`;

/** A consumer's own table, named like its function: charterflow-<stage>-<service>-<table>. */
export const ownTableName = (service: string, table: string, stageName = stage()) =>
  `charterflow-${stageName}-${service}-${table}`;

/** The CreateTable input of a consumer's own table (TTL is a separate UpdateTimeToLive call). */
export function ownTableDefinition(
  service: string,
  table: TableDeclaration,
  stageName = stage(),
): CreateTableCommandInput {
  const keys = (partitionKey: string, sortKey?: string) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  const attributes = new Set([table.partitionKey, table.sortKey]);
  for (const index of table.indexes ?? []) attributes.add(index.partitionKey).add(index.sortKey);
  attributes.delete(undefined);
  return {
    TableName: ownTableName(service, table.name, stageName),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name!, AttributeType: 'S' as const })),
    KeySchema: keys(table.partitionKey, table.sortKey),
    ...(table.indexes?.length
      ? {
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keys(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}
