import type { ArnContext, Authorizations, AwsRequest } from '../model';
import { dynamodbAuthorizations } from './dynamodb';

/**
 * What AWS would authorise for a request as it reached the edge: the action, the resource ARN and the condition
 * values, one module per service. A service or operation no module knows is refused by the evaluator with the
 * `unknown` message, never allowed.
 */
export function authorizationsOf(request: AwsRequest, arns: ArnContext): Authorizations {
  if (request.protocol === 'json') {
    const service = JSON_SERVICES[request.service] ?? request.service;
    switch (service) {
      case 'dynamodb':
        return dynamodbAuthorizations(request.operation, request.input, arns);
    }
    return { unknown: `${service}.${request.operation} is not known to the local IAM` };
  }
  return { unknown: `${request.service}.${request.method} ${request.url.split('?')[0]} is not known to the local IAM` };
}

/** The edge names a JSON-protocol service by its X-Amz-Target prefix or by its signing name: either is taken. */
const JSON_SERVICES: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  DynamoDB_20111205: 'dynamodb',
  AmazonSQS: 'sqs',
  AWSEvents: 'events',
};

export { keySchemaOfTable } from './dynamodb';
