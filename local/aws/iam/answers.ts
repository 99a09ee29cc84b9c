import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AwsError } from '../service';

/**
 * A refused call answered as each service answers AccessDenied, so a function's SDK throws what it would in AWS:
 * JSON services AccessDeniedException (SQS adds its query-era code, AccessDenied), S3 and CloudFront a 403 XML
 * AccessDenied, SES v2 a 403 AccessDeniedException.
 */

/** The JSON protocol's error; for SQS, `jsonType` makes the edge send x-amzn-query-error: AccessDenied;Sender. */
export function accessDeniedJson(service: string, message: string): AwsError {
  return service === 'sqs'
    ? Object.assign(new AwsError('AccessDenied', message, 400), { jsonType: 'AccessDeniedException' })
    : new AwsError('AccessDeniedException', message, 400);
}

/** S3's 403: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html */
export function sendS3AccessDenied(res: ServerResponse, message: string): void {
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  sendXml(
    res,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${escapeXml(message)}</Message>` +
      `<RequestId>${requestId}</RequestId></Error>`,
    { 'x-amz-request-id': requestId },
  );
}

/** CloudFront's 403, in the 2020-05-31 API's namespace. */
export function sendCloudFrontAccessDenied(res: ServerResponse, message: string): void {
  sendXml(
    res,
    `<?xml version="1.0"?>\n<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type>` +
      `<Code>AccessDenied</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    { 'x-amzn-requestid': randomUUID() },
  );
}

/** SES v2's 403 (a REST-JSON service: the type is in x-amzn-errortype). */
export function sendSesAccessDenied(res: ServerResponse, message: string): void {
  const payload = JSON.stringify({ message });
  res.writeHead(403, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-errortype': 'AccessDeniedException',
    'x-amzn-requestid': randomUUID(),
  });
  res.end(payload);
}

function sendXml(res: ServerResponse, payload: string, headers: Record<string, string>): void {
  res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
