import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { region } from './config';

/**
 * SDK client factories. Handlers call them once at module scope (connection reuse across invocations).
 * The endpoint is never set here: the SDK reads AWS_ENDPOINT_URL, which is how the local stack is reached.
 */

export const eventBridgeClient = () => new EventBridgeClient({ region: region() });
export const dynamoDbClient = () => new DynamoDBClient({ region: region() });
export const documentClient = (client = dynamoDbClient()) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
// Path-style against a custom endpoint: bucket names with dots (queenofsandiego.com) cannot be virtual hosts there.
export const s3Client = () =>
  new S3Client({ region: region(), forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) });
export const cloudFrontClient = () => new CloudFrontClient({ region: region() });
export const secretsManagerClient = () => new SecretsManagerClient({ region: region() });
export const sqsClient = () => new SQSClient({ region: region() });
