import type { ArnContext, Authorizations, AwsRequest } from '../model';
import { cloudFrontAuthorizations } from './cloudfront';
import { dynamodbAuthorizations } from './dynamodb';
import { eventBridgeAuthorizations } from './eventbridge';
import { s3Authorizations } from './s3';
import { secretsManagerAuthorizations } from './secrets-manager';
import { sesAuthorizations } from './ses';
import { sqsAuthorizations } from './sqs';

/**
 * What AWS would authorise for a request as it reached the edge: the action, the resource ARN and the condition
 * values, one module per service. A service or operation no module knows is `unknown`, which the evaluator
 * refuses with that message: never allowed by default.
 */
export function authorizationsOf(request: AwsRequest, arns: ArnContext): Authorizations {
  if (request.protocol === 'json') {
    const service = JSON_SERVICES[request.service] ?? request.service;
    const { operation, input } = request;
    switch (service) {
      case 'dynamodb':
        return dynamodbAuthorizations(operation, input, arns);
      case 'sqs':
        return sqsAuthorizations(operation, input, arns);
      case 'events':
        return eventBridgeAuthorizations(operation, input, arns);
      case 'secretsmanager':
        return secretsManagerAuthorizations(operation, input, arns);
    }
    return { unknown: `${service}.${operation} is not known to the local IAM` };
  }
  switch (request.service) {
    case 's3':
      return s3Authorizations(request);
    case 'cloudfront':
      return cloudFrontAuthorizations(request.method, request.url, arns);
    case 'ses':
      return sesAuthorizations(request, arns);
  }
  return { unknown: `${String((request as { service: unknown }).service)} is not known to the local IAM` };
}

/** The edge names a JSON-protocol service by its signing name; its X-Amz-Target prefix is taken too. */
const JSON_SERVICES: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  DynamoDB_20111205: 'dynamodb',
  AmazonSQS: 'sqs',
  AWSEvents: 'events',
};

export { keySchemaOfTable } from './dynamodb';
export { queueArnOfUrl } from './sqs';
