import { listenOnLoopback } from '../listen';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AwsError, notSupported, type AwsJsonService } from './service';
import { accessDeniedJson, sendCloudFrontAccessDenied, sendS3AccessDenied } from './iam/answers';
import type { Authorize, AwsRequest } from './iam/index';

/**
 * One port for every AWS API charterflow uses (LocalStack's "edge" idea), so that
 * AWS_ENDPOINT_URL=http://127.0.0.1:4566 is all the SDK and the aws CLI need.
 * Dispatch: X-Amz-Target picks a JSON-protocol service; CloudFront's REST paths go to the CloudFront
 * emulation; a request signed for another service is refused; everything else is S3 (path-style).
 * With IAM on, each request is authorised for the access key that signed it before it reaches its service.
 */

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface EdgeOptions {
  port?: number;
  region: string;
  accountId: string;
  /** JSON-protocol services, by X-Amz-Target prefix. */
  services: AwsJsonService[];
  /** Raw handlers for services we delegate whole (dynalite, s3rver) or that speak REST-XML (CloudFront). */
  dynamodb: RequestHandler;
  s3: RequestHandler;
  cloudfront: RequestHandler;
  /** IAM: asked before each request reaches its service; a message refuses it as AWS refuses (AccessDenied). */
  authorize?: Authorize;
}

export interface Edge {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const DYNAMODB_PREFIXES = new Set(['DynamoDB_20120810', 'DynamoDB_20111205']);
export const CLOUDFRONT_API_PREFIX = '/2020-05-31/';

/**
 * An AwsError of an "awsQueryCompatible" service (SQS): `code` is the query-era code
 * (AWS.SimpleQueueService.NonExistentQueue), sent in x-amzn-query-error; `jsonType` is the JSON shape name.
 */
export interface QueryCompatibleError {
  jsonType: string;
}

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const services = new Map(options.services.map((s) => [s.targetPrefix, s]));

  const server: Server = createServer((req, res) => {
    dispatch(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJsonError(res, '1.1', internalError(err));
      else res.destroy();
    });
  });

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = header(req, 'x-amz-target');
    if (target) {
      const dot = target.indexOf('.');
      const prefix = dot < 0 ? target : target.slice(0, dot);
      const operation = dot < 0 ? '' : target.slice(dot + 1);
      if (DYNAMODB_PREFIXES.has(prefix)) {
        const refusal = await authorizeJson(req, 'dynamodb', operation);
        if (refusal) return sendJsonError(res, '1.0', accessDeniedJson('dynamodb', refusal));
        return options.dynamodb(req, res);
      }
      const service = services.get(prefix);
      const jsonVersion = service?.jsonVersion ?? jsonVersionOf(req);
      const body = await readBody(req);
      if (!service) return sendJsonError(res, jsonVersion, notSupported(signedService(req) ?? prefix, operation));
      let input: Record<string, unknown>;
      try {
        input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        return sendJsonError(
          res,
          jsonVersion,
          new AwsError('SerializationException', 'request body is not valid JSON'),
        );
      }
      const refusal = await options.authorize?.(accessKeyIdOf(req), {
        protocol: 'json',
        service: service.serviceName,
        operation,
        input,
      });
      if (refusal) return sendJsonError(res, jsonVersion, accessDeniedJson(service.serviceName, refusal));
      try {
        const output = await service.handle(operation, input, {
          region: regionOf(req) ?? options.region,
          accountId: options.accountId,
          headers: req.headers,
        });
        return sendJson(res, jsonVersion, 200, output ?? {});
      } catch (err) {
        return sendJsonError(res, jsonVersion, err instanceof AwsError ? err : internalError(err));
      }
    }

    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith(CLOUDFRONT_API_PREFIX)) {
      const refusal = await authorizeRest(req, 'cloudfront');
      if (refusal) return sendCloudFrontAccessDenied(res, refusal);
      return options.cloudfront(req, res);
    }

    const service = signedService(req);
    if (service && service !== 's3') {
      // A REST or query-protocol call to a service we do not emulate: answer now, never hang or fall into S3.
      const body = await readBody(req);
      const form = (header(req, 'content-type') ?? '').includes('x-www-form-urlencoded');
      const action = (form ? new URLSearchParams(body.toString('utf8')).get('Action') : undefined) ?? queryAction(req);
      const operation = action ?? `${req.method} ${path}`;
      // A service we emulate, called over the protocol we do not speak: name the protocol, not the operation.
      const error = [...services.values()].some((s) => s.serviceName === service)
        ? notSupported(
            service,
            `${operation} over the query (XML) protocol; charterflow local speaks ${service}'s JSON protocol`,
          )
        : notSupported(service, operation);
      // Query-protocol clients (SNS, STS, ...) parse only an XML error.
      return form || action ? sendQueryError(res, error) : sendJsonError(res, '1.1', error);
    }
    const refusal = await authorizeRest(req, 's3');
    if (refusal) return sendS3AccessDenied(res, refusal);
    return options.s3(req, res);
  }

  /** DynamoDB's handler reads the body itself: read here, it is kept for that handler (readBody). */
  async function authorizeJson(req: IncomingMessage, service: string, operation: string) {
    if (!options.authorize) return undefined;
    const body = await readBody(req);
    let input: Record<string, unknown>;
    try {
      input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      // Not JSON: the service answers it with its own SerializationException, whoever signed.
      return undefined;
    }
    return options.authorize(accessKeyIdOf(req), { protocol: 'json', service, operation, input });
  }

  async function authorizeRest(req: IncomingMessage, service: 's3' | 'cloudfront') {
    if (!options.authorize) return undefined;
    return options.authorize(accessKeyIdOf(req), restRequestOf(req, service, await readBody(req)));
  }

  // AWS's endpoints keep an idle connection for about a minute; Node's server drops it after 5 s. A function's
  // SDK that reuses a socket just as the edge drops it reads ECONNRESET, which its three attempts did not always
  // outlast when a packaged function's environments sat idle between bursts (each its own keep-alive pool).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const listening = await listenOnLoopback(server, options.port ?? 4566);
  return { url: listening.url, port: listening.port, stop: listening.close };
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Bodies already read, so that IAM at the edge and then the service (which reads it again) both have it. */
const bodiesRead = new WeakMap<IncomingMessage, Promise<Buffer>>();

export function readBody(req: IncomingMessage): Promise<Buffer> {
  let body = bodiesRead.get(req);
  if (!body) {
    body = (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    })();
    bodiesRead.set(req, body);
  }
  return body;
}

/** The access key a request was signed with (SigV4's Credential, in the header or a presigned URL's query). */
export function accessKeyIdOf(req: IncomingMessage): string | undefined {
  return credentialScope(req)?.[0];
}

/** A REST call as IAM's request mappers read it. */
export function restRequestOf(
  req: IncomingMessage,
  service: 's3' | 'cloudfront' | 'ses',
  body: Buffer,
): Extract<AwsRequest, { protocol: 'rest' }> {
  return { protocol: 'rest', service, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
}

function jsonVersionOf(req: IncomingMessage): '1.0' | '1.1' {
  return (header(req, 'content-type') ?? '').includes('1.0') ? '1.0' : '1.1';
}

/** The service and region the client signed for, from the SigV4 credential scope (key/date/region/service/aws4_request). */
function credentialScope(req: IncomingMessage): string[] | undefined {
  const auth = header(req, 'authorization');
  const fromHeader = auth && /Credential=([^,\s]+)/.exec(auth)?.[1];
  const fromQuery = new URL(req.url ?? '/', 'http://edge').searchParams.get('X-Amz-Credential');
  const credential = fromHeader || fromQuery;
  return credential ? credential.split('/') : undefined;
}

function signedService(req: IncomingMessage): string | undefined {
  return credentialScope(req)?.[3];
}

function regionOf(req: IncomingMessage): string | undefined {
  return credentialScope(req)?.[2];
}

function queryAction(req: IncomingMessage): string | undefined {
  return new URL(req.url ?? '/', 'http://edge').searchParams.get('Action') ?? undefined;
}

function internalError(err: unknown): AwsError {
  return new AwsError('InternalFailure', err instanceof Error ? err.message : String(err), 500);
}

export function sendJson(res: ServerResponse, version: '1.0' | '1.1', status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': `application/x-amz-json-${version}`,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(payload);
}

export function sendJsonError(res: ServerResponse, version: '1.0' | '1.1', err: AwsError): void {
  const jsonType = (err as Partial<QueryCompatibleError>).jsonType;
  const type = jsonType ?? err.code;
  const payload = JSON.stringify({ __type: type, message: err.message, ...err.details });
  const headers: Record<string, string | number> = {
    'content-type': `application/x-amz-json-${version}`,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-errortype': type,
    'x-amzn-requestid': randomUUID(),
  };
  if (jsonType) headers['x-amzn-query-error'] = `${err.code};${err.status >= 500 ? 'Receiver' : 'Sender'}`;
  res.writeHead(err.status, headers);
  res.end(payload);
}

function sendQueryError(res: ServerResponse, err: AwsError): void {
  const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const payload =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>${err.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
    `<Code>${err.code}</Code><Message>${escapeXml(err.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  res.writeHead(err.status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}
