import { describe, expect, it } from 'vitest';
import {
  isCloudFrontResponse,
  loadCloudFrontFunction,
  viewerRequestEvent,
} from '../../../../local/aws/cloudfront/function';

const guestPageFunction = loadCloudFrontFunction(
  new URL('../../../../services/guest-page/cloudfront-function.js', import.meta.url),
);

const event = (url: string, headers: Record<string, string> = {}) =>
  viewerRequestEvent({
    method: 'GET',
    url,
    headers,
    ip: '203.0.113.7',
    distributionId: 'E1CHARTERFLOWLOCAL',
    distributionDomainName: 'd.cloudfront.net',
    requestId: 'r1',
  });

describe('running a CloudFront Function file locally', () => {
  it('builds the viewer-request event CloudFront passes', () => {
    const e = event('/g/XHQGMDH?lang=en&lang=es', { host: 'queenofsandiego.com', cookie: 'a=1; b=2' });
    expect(e.version).toBe('1.0');
    expect(e.context.eventType).toBe('viewer-request');
    expect(e.viewer.ip).toBe('203.0.113.7');
    expect(e.request.uri).toBe('/g/XHQGMDH');
    expect(e.request.querystring.lang).toEqual({ value: 'en', multiValue: [{ value: 'en' }, { value: 'es' }] });
    expect(e.request.headers.host).toEqual({ value: 'queenofsandiego.com' });
    expect(e.request.cookies).toEqual({ a: { value: '1' }, b: { value: '2' } });
  });

  it.each([
    ['/g/XHQGMDH', '/g/XHQGMDH.html'],
    ['/g/XHQGMDH/', '/g/XHQGMDH.html'],
    ['/g/XHQGMDH.html', '/g/XHQGMDH.html'],
    ['/g/ab', '/g/ab'],
    ['/assets/boats/lst_8812/hero.jpg', '/assets/boats/lst_8812/hero.jpg'],
  ])('the guest-page function maps %s to %s', (uri, expected) => {
    const result = guestPageFunction(event(uri));
    expect(isCloudFrontResponse(result)).toBe(false);
    expect((result as { uri: string }).uri).toBe(expected);
  });
});
