import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';

/**
 * Runs a CloudFront Function file (cloudfront-js-2.0: a script defining `function handler(event)`, no
 * modules) the way CloudFront does for a viewer request, so the local guest site and the unit tests
 * execute the very file that is deployed.
 */

export interface CloudFrontValue {
  value: string;
  multiValue?: { value: string }[];
}

export interface CloudFrontRequest {
  method: string;
  uri: string;
  querystring: Record<string, CloudFrontValue>;
  headers: Record<string, CloudFrontValue>;
  cookies: Record<string, CloudFrontValue>;
}

export interface CloudFrontResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, CloudFrontValue>;
  cookies?: Record<string, CloudFrontValue>;
  body?: string | { encoding: 'text' | 'base64'; data: string };
}

export interface CloudFrontFunctionEvent {
  version: '1.0';
  context: { distributionDomainName: string; distributionId: string; eventType: 'viewer-request'; requestId: string };
  viewer: { ip: string };
  request: CloudFrontRequest;
}

export type CloudFrontFunction = (event: CloudFrontFunctionEvent) => CloudFrontRequest | CloudFrontResponse;

export function loadCloudFrontFunction(file: string | URL): CloudFrontFunction {
  return cloudFrontFunctionOf(readFileSync(file, 'utf8'), String(file));
}

/** A function from its code, as a template's FunctionCode holds it; `filename` names it in stack traces. */
export function cloudFrontFunctionOf(source: string, filename: string): CloudFrontFunction {
  return (event) => {
    // A fresh context per call, as CloudFront isolates invocations; the event crosses as JSON, as on the edge.
    const sandbox: Record<string, unknown> = { __event: JSON.parse(JSON.stringify(event)) };
    return runInNewContext(`${source}\n;handler(__event);`, sandbox, { filename, timeout: 1000 }) as
      | CloudFrontRequest
      | CloudFrontResponse;
  };
}

export const isCloudFrontResponse = (result: CloudFrontRequest | CloudFrontResponse): result is CloudFrontResponse =>
  typeof (result as CloudFrontResponse).statusCode === 'number';

/** The viewer-request event CloudFront builds from an HTTP request. */
export function viewerRequestEvent(input: {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  ip: string;
  distributionId: string;
  distributionDomainName: string;
  requestId: string;
}): CloudFrontFunctionEvent {
  const url = new URL(input.url, 'http://viewer');
  const querystring: Record<string, CloudFrontValue> = {};
  for (const key of new Set(url.searchParams.keys())) querystring[key] = multi(url.searchParams.getAll(key));
  const headers: Record<string, CloudFrontValue> = {};
  const cookies: Record<string, CloudFrontValue> = {};
  for (const [name, raw] of Object.entries(input.headers)) {
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    if (name.toLowerCase() === 'cookie') {
      for (const pair of values.join('; ').split(/;\s*/)) {
        const eq = pair.indexOf('=');
        if (eq > 0) cookies[pair.slice(0, eq)] = { value: pair.slice(eq + 1) };
      }
      continue;
    }
    headers[name.toLowerCase()] = multi(values);
  }
  return {
    version: '1.0',
    context: {
      distributionDomainName: input.distributionDomainName,
      distributionId: input.distributionId,
      eventType: 'viewer-request',
      requestId: input.requestId,
    },
    viewer: { ip: input.ip },
    request: { method: input.method, uri: decodeURIComponent(url.pathname), querystring, headers, cookies },
  };
}

function multi(values: string[]): CloudFrontValue {
  return values.length > 1
    ? { value: values[0]!, multiValue: values.map((value) => ({ value })) }
    : { value: values[0] ?? '' };
}
