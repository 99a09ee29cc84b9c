import { listenOnLoopback } from '../listen';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readBody } from '../aws/edge';

/**
 * The local HTTP API (API Gateway HTTP API, payload format 2.0): each route declared by a service of kind
 * 'http' invokes that service's handler in-process, with the event and context Lambda would pass.
 */

export type HttpResult = APIGatewayProxyStructuredResultV2 | string | undefined;

/** What routes a request: the method and path (from a route's RouteKey, "POST /webhooks/boatsetter"). */
export interface RouteMatch {
  route: { method: string; path: string };
}

export interface HttpRoute {
  declaration: RouteMatch;
  /** Runs the route's function as Lambda would (the stack's LocalLambda: lazy load, context, timeout). */
  invoke(event: APIGatewayProxyEventV2): Promise<HttpResult>;
}

export interface WebhookRoute {
  url: string;
  stop(): Promise<void>;
}

export async function startHttpRoutes(options: {
  port?: number;
  routes: HttpRoute[];
  stage?: string;
}): Promise<WebhookRoute> {
  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      // What API Gateway answers when the integration fails.
      if (!res.headersSent) json(res, 500, { message: 'Internal Server Error' });
      process.stderr.write(`${JSON.stringify({ level: 'ERROR', message: 'http route failed', error: String(err) })}\n`);
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const match = options.routes.find(
      (r) => r.declaration.route.method === req.method && r.declaration.route.path === url.pathname,
    );
    if (!match) {
      await readBody(req);
      return json(res, 404, { message: 'Not Found' });
    }
    const body = await readBody(req);
    const event = httpApiEvent(
      {
        method: req.method ?? 'GET',
        url,
        headers: req.headers,
        body,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
        httpVersion: req.httpVersion,
      },
      match.declaration,
      options.stage ?? '$default',
    );
    const result = await match.invoke(event);
    const normalised = normaliseResult(result);
    const payload = normalised.isBase64Encoded
      ? Buffer.from(normalised.body ?? '', 'base64')
      : Buffer.from(normalised.body ?? '');
    const headers: Record<string, string | number> = { ...(normalised.headers as Record<string, string | number>) };
    headers['content-length'] = payload.length;
    const cookies = normalised.cookies;
    res.writeHead(normalised.statusCode ?? 200, cookies?.length ? { ...headers, 'set-cookie': cookies } : headers);
    res.end(payload);
  }

  const listening = await listenOnLoopback(server, options.port ?? 3000);
  return { url: listening.url, stop: listening.close };
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|[\w.+-]+\+json|[\w.+-]+\+xml))/i;

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  sourceIp?: string;
  httpVersion?: string;
  /** API Gateway sends a body base64-encoded when it takes it for binary; tests force it. */
  base64?: boolean;
}

/** The HTTP API payload v2 event: lower-cased headers, comma-joined repeats, body as text or base64. */
export function httpApiEvent(
  request: HttpRequest,
  declaration: RouteMatch,
  stage = '$default',
): APIGatewayProxyEventV2 {
  const { url, body } = request;
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') {
      cookies.push(...String(value).split(/;\s*/).filter(Boolean));
      continue;
    }
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys()))
    queryStringParameters[key] = url.searchParams.getAll(key).join(',');
  const isText = !request.base64 && (!body.length || TEXT_TYPES.test(headers['content-type'] ?? ''));
  const now = new Date();
  const sourceIp = request.sourceIp ?? '127.0.0.1';
  const routeKey = `${declaration.route.method} ${declaration.route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'charterflow-local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127').split('.')[0]!,
      http: {
        method: request.method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion ?? '1.1'}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage,
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

/** As API Gateway reads a v2 result: a string or an object without statusCode is a 200 JSON body. */
function normaliseResult(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  if (result === undefined) return { statusCode: 200 };
  if (typeof result === 'string')
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: result };
  if (typeof result.statusCode !== 'number')
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
  return result;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}
