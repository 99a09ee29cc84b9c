import type { IncomingHttpHeaders } from 'node:http';

/**
 * The seam between the edge router (one port for every AWS API, like LocalStack's 4566) and each
 * emulated service that speaks the AWS JSON protocol (X-Amz-Target: <prefix>.<Operation>).
 */

export interface AwsRequestContext {
  region: string;
  accountId: string;
  headers: IncomingHttpHeaders;
}

export interface AwsJsonService {
  /** The X-Amz-Target prefix: 'AWSEvents', 'AmazonSQS', 'secretsmanager'. */
  readonly targetPrefix: string;
  /** Name used in "not supported by charterflow local: <service>.<operation>". */
  readonly serviceName: string;
  /** Content type of the protocol version the SDK sends (x-amz-json-1.0 or 1.1). */
  readonly jsonVersion: '1.0' | '1.1';
  handle(operation: string, input: Record<string, unknown>, context: AwsRequestContext): Promise<unknown>;
}

/** An error the SDK understands: HTTP status, `__type` code and message, as AWS sends them. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Members an error shape has beside its message (DynamoDB's CancellationReasons). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = code;
  }
}

export function notSupported(service: string, operation: string): AwsError {
  return new AwsError('UnsupportedOperation', `not supported by charterflow local: ${service}.${operation}`, 501);
}

export const LOCAL_ACCOUNT_ID = '000000000000';
