import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { region } from './config';
import { withCrashPoints } from './crash-points';

/**
 * SDK client factories. Handlers call them once at module scope (connection reuse across invocations).
 * The endpoint is never set here: the SDK reads AWS_ENDPOINT_URL, which is how the local stack is reached.
 */

/**
 * The SDK's logger middleware filters every call's input and output for secrets before it hands them to the
 * client's logger, even to the default logger, which drops them. We give no logger, so the filtering was pure
 * cost on every call (about 1 % of the chain's CPU in the bench's profile).
 */
function withoutCallLog<C extends { middlewareStack: { remove(name: string): boolean } }>(client: C): C {
  client.middlewareStack.remove('loggerMiddleware');
  // Crash points (shared/crash-points.ts) only where tests or the local stack ask for them.
  return withCrashPoints(client);
}

export const eventBridgeClient = () => withoutCallLog(new EventBridgeClient({ region: region() }));
export const dynamoDbClient = () => withoutCallLog(new DynamoDBClient({ region: region() }));
export const documentClient = (client = dynamoDbClient()) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
// Path-style against a custom endpoint: bucket names with dots (queenofsandiego.com) cannot be virtual hosts there.
export const s3Client = () =>
  withoutCallLog(new S3Client({ region: region(), forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) }));
export const cloudFrontClient = () => withoutCallLog(new CloudFrontClient({ region: region() }));
export const secretsManagerClient = () => withoutCallLog(new SecretsManagerClient({ region: region() }));
export const sqsClient = () => withoutCallLog(new SQSClient({ region: region() }));
