import { describe, expect, it } from 'vitest';
import {
  isCloudFrontResponse,
  loadCloudFrontFunction,
  viewerRequestEvent,
} from '../../../local/aws/cloudfront/function';

// The very file serverless.yml deploys, run in a vm context as CloudFront runs it.
const viewerRequest = loadCloudFrontFunction(
  new URL('../../../services/guest-page/cloudfront-function.js', import.meta.url),
);

function rewrite(url: string) {
  const result = viewerRequest(
    viewerRequestEvent({
      method: 'GET',
      url,
      headers: { host: 'queenofsandiego.com', 'user-agent': 'test' },
      ip: '127.0.0.1',
      distributionId: 'E1CHARTERFLOWLOCAL',
      distributionDomainName: 'd111111abcdef8.cloudfront.net',
      requestId: 'req-1',
    }),
  );
  if (isCloudFrontResponse(result)) throw new Error(`the function answered ${result.statusCode} itself`);
  return result;
}

describe('guest site CloudFront Function (viewer request)', () => {
  it.each([
    ['/g/XHQGMDH', '/g/XHQGMDH.html'],
    ['/g/XHQGMDH/', '/g/XHQGMDH.html'],
    ['/g/xhqgmdh', '/g/XHQGMDH.html'],
    ['/g/BK000001', '/g/BK000001.html'],
    ['/g/ABC123', '/g/ABC123.html'],
    ['/g/ABCDEF123456', '/g/ABCDEF123456.html'],
  ])('rewrites the clean guest URL %s to the page object %s', (url, uri) => {
    expect(rewrite(url).uri).toBe(uri);
  });

  it.each([
    '/g/XHQGMDH.html',
    '/',
    '/index.html',
    '/g/',
    '/g/ABC12',
    '/g/ABCDEF1234567',
    '/g/XHQGMDH/extra',
    '/g/XHQ-GMDH',
    '/assets/boats/lst_8812/hero.jpg',
    '/G/XHQGMDH',
  ])('leaves %s as it is', (url) => {
    expect(rewrite(url).uri).toBe(url);
  });

  it('keeps the query string and headers of the request', () => {
    const request = rewrite('/g/XHQGMDH?utm_source=boatsetter');
    expect(request.uri).toBe('/g/XHQGMDH.html');
    expect(request.querystring.utm_source).toEqual({ value: 'boatsetter' });
    expect(request.headers.host).toEqual({ value: 'queenofsandiego.com' });
  });
});
