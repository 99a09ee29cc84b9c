import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { defineHttpRoute } from '../../../shared/declaration';
import { LocalLambda } from '../../../local/lambda';
import { startHttpRoutes, type WebhookRoute } from '../../../local/charterflow/webhook-route';

const seen: APIGatewayProxyEventV2[] = [];
let loads = 0;
let routes: WebhookRoute;

beforeAll(async () => {
  const lambda = new LocalLambda();
  lambda.register('charterflow-local-echo', () => {
    loads++;
    return Promise.resolve((raw: unknown): Promise<APIGatewayProxyStructuredResultV2> => {
      const event = raw as APIGatewayProxyEventV2;
      seen.push(event);
      if (event.rawQueryString.includes('binary')) {
        return Promise.resolve({
          statusCode: 200,
          headers: { 'content-type': 'application/octet-stream' },
          body: Buffer.from([0, 1, 2]).toString('base64'),
          isBase64Encoded: true,
        });
      }
      return Promise.resolve({
        statusCode: 202,
        headers: { 'content-type': 'application/json', 'x-echo': 'yes' },
        body: JSON.stringify({ ok: true }),
      });
    });
  });
  routes = await startHttpRoutes({
    port: 0,
    routes: [
      {
        declaration: defineHttpRoute({
          name: 'echo',
          description: 'echoes the event',
          route: { method: 'POST', path: '/webhooks/echo' },
          emits: [],
        }),
        invoke: (event) =>
          lambda.invokeWithResult('charterflow-local-echo', event) as Promise<APIGatewayProxyStructuredResultV2>,
      },
    ],
  });
});
afterAll(() => routes?.stop());

describe('the local HTTP API (payload format 2.0)', () => {
  it('loads the handler on the first request only', async () => {
    expect(loads).toBe(0);
    await fetch(`${routes.url}/webhooks/echo`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    await fetch(`${routes.url}/webhooks/echo`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(loads).toBe(1);
  });

  it('passes the request as API Gateway does and returns the handler result', async () => {
    const response = await fetch(`${routes.url}/webhooks/echo?a=1&a=2&b=x`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Webhook-Id': 'msg_1' },
      body: '{"type":"booking.confirmed"}',
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(await response.json()).toEqual({ ok: true });
    const event = seen.at(-1)!;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /webhooks/echo',
      rawPath: '/webhooks/echo',
      rawQueryString: 'a=1&a=2&b=x',
      queryStringParameters: { a: '1,2', b: 'x' },
      body: '{"type":"booking.confirmed"}',
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: '/webhooks/echo', sourceIp: '127.0.0.1' },
        routeKey: 'POST /webhooks/echo',
      },
    });
    expect(event.headers['webhook-id']).toBe('msg_1');
    expect(event.headers['content-type']).toBe('application/json');
    expect(typeof event.requestContext.timeEpoch).toBe('number');
    expect(event.requestContext.requestId).toBeTruthy();
  });

  it('base64-encodes a binary body and decodes a base64 result', async () => {
    const response = await fetch(`${routes.url}/webhooks/echo?binary`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([0xff, 0xfe, 0x00]),
    });
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 1, 2]));
    const event = seen.at(-1)!;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(Buffer.from([0xff, 0xfe, 0x00]));
  });

  it('answers 404 for a route nobody declared', async () => {
    expect((await fetch(`${routes.url}/webhooks/echo`, { method: 'GET' })).status).toBe(404);
    expect((await fetch(`${routes.url}/other`, { method: 'POST' })).status).toBe(404);
  });
});
