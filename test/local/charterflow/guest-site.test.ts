import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  NoSuchDistribution,
} from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GUEST_SITE_BUCKET, GUEST_SITE_DISTRIBUTION_ID } from '../../../local/charterflow/seed';
import { startStack, type LocalStack } from '../../../local/charterflow/stack';
import { clientConfig } from '../support';
import { GUEST_PAGE_CONTENT_SECURITY_POLICY } from '../../../services/guest-page/security-headers';

let stack: LocalStack;
let s3: S3Client;
let cloudFront: CloudFrontClient;

beforeAll(async () => {
  stack = await startStack({ ephemeral: true, ports: { aws: 0 }, consumers: false, standIns: false });
  s3 = new S3Client({ ...clientConfig(stack), forcePathStyle: true });
  cloudFront = new CloudFrontClient(clientConfig(stack));
});
afterAll(async () => {
  s3?.destroy();
  cloudFront?.destroy();
  await stack?.stop();
});

const publish = (key: string, html: string, cacheControl = 'public, max-age=300') =>
  s3.send(
    new PutObjectCommand({
      Bucket: GUEST_SITE_BUCKET,
      Key: key,
      Body: html,
      ContentType: 'text/html; charset=utf-8',
      CacheControl: cacheControl,
    }),
  );

const visit = async (path: string) => {
  const response = await fetch(`${stack.endpoints.guestSite}${path}`);
  return {
    status: response.status,
    cache: response.headers.get('x-cache'),
    type: response.headers.get('content-type'),
    body: await response.text(),
  };
};

const invalidate = (paths: string[], reference = `ref-${Math.random()}`) =>
  cloudFront.send(
    new CreateInvalidationCommand({
      DistributionId: GUEST_SITE_DISTRIBUTION_ID,
      InvalidationBatch: { CallerReference: reference, Paths: { Quantity: paths.length, Items: paths } },
    }),
  );

describe('the local guest site (CloudFront in front of the guest-site bucket)', () => {
  it('serves /g/{bookingId} from g/{bookingId}.html through the CloudFront Function', async () => {
    await publish('g/XHQGMDH.html', '<h1>Dana, your charter on JADA</h1>');
    const page = await visit('/g/XHQGMDH');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.body).toBe('<h1>Dana, your charter on JADA</h1>');
    expect((await visit('/g/XHQGMDH.html')).body).toBe('<h1>Dana, your charter on JADA</h1>');
  });

  it('answers 403 for a page that does not exist, as a private S3 origin does', async () => {
    expect((await visit('/g/NOPAGE1')).status).toBe(403);
  });

  it('caches at the edge until an invalidation evicts the page: Miss, Hit, invalidate, Miss', async () => {
    await publish('g/CACHE01.html', 'version 1');
    expect(await visit('/g/CACHE01')).toMatchObject({ cache: 'Miss from cloudfront', body: 'version 1' });
    await publish('g/CACHE01.html', 'version 2');
    expect(await visit('/g/CACHE01')).toMatchObject({ cache: 'Hit from cloudfront', body: 'version 1' });

    const { Invalidation } = await invalidate(['/g/CACHE01', '/g/CACHE01.html']);
    expect(Invalidation?.Status).toBe('Completed');
    expect(await visit('/g/CACHE01')).toMatchObject({ cache: 'Miss from cloudfront', body: 'version 2' });
    expect(await visit('/g/CACHE01')).toMatchObject({ cache: 'Hit from cloudfront', body: 'version 2' });
  });

  it('evicts every page under a wildcard path', async () => {
    await publish('g/WILD001.html', 'a1');
    await publish('g/WILD002.html', 'b1');
    await visit('/g/WILD001');
    await visit('/g/WILD002');
    await publish('g/WILD001.html', 'a2');
    await publish('g/WILD002.html', 'b2');
    await invalidate(['/g/*']);
    expect((await visit('/g/WILD001')).body).toBe('a2');
    expect((await visit('/g/WILD002')).body).toBe('b2');
  });

  it('does not keep an object whose Cache-Control says no-store', async () => {
    await publish('g/NOSTORE1.html', 'fresh', 'no-store');
    await visit('/g/NOSTORE1');
    expect((await visit('/g/NOSTORE1')).cache).toBe('Miss from cloudfront');
  });
});

describe("the guest page's security headers, over HTTP", () => {
  const securityHeaders = (response: Response) =>
    Object.fromEntries(
      [
        'content-security-policy',
        'x-frame-options',
        'x-content-type-options',
        'referrer-policy',
        'strict-transport-security',
      ].map((name) => [name, response.headers.get(name)]),
    );
  const expected = {
    'content-security-policy': GUEST_PAGE_CONTENT_SECURITY_POLICY,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'strict-transport-security': 'max-age=31536000',
  };

  it('sends them with a guest page, from the edge cache too: no framing, no sniffing, no referrer, HTTPS only', async () => {
    await publish('g/HEADER1.html', '<h1>Dana</h1>');
    for (const cache of ['Miss from cloudfront', 'Hit from cloudfront']) {
      const response = await fetch(`${stack.endpoints.guestSite}/g/HEADER1`);
      expect(response.headers.get('x-cache')).toBe(cache);
      expect(securityHeaders(response)).toEqual(expected);
    }
  });

  it("forbids framing in the header's policy, where a page's meta policy cannot", async () => {
    const response = await fetch(`${stack.endpoints.guestSite}/g/HEADER1`);
    const directives = response.headers.get('content-security-policy')!.split(/;\s*/);
    expect(directives).toContain("frame-ancestors 'none'");
    expect(directives).toContain("default-src 'none'");
  });

  it('sends them with an error under /g/ too', async () => {
    const response = await fetch(`${stack.endpoints.guestSite}/g/NOPAGE2`);
    expect(response.status).toBe(403);
    expect(securityHeaders(response)).toEqual(expected);
  });

  it('sends none of them outside /g/: the policy belongs to the guest-page behaviour only', async () => {
    await publish('assets/boats/lst_1/hero.jpg', 'jpeg bytes');
    const response = await fetch(`${stack.endpoints.guestSite}/assets/boats/lst_1/hero.jpg`);
    expect(response.status).toBe(200);
    expect(Object.values(securityHeaders(response))).toEqual([null, null, null, null, null]);
  });
});

describe('CloudFront invalidations on the edge port', () => {
  it('records invalidations: get by id, listed newest first', async () => {
    const first = await invalidate(['/g/LIST001.html'], 'list-1');
    const second = await invalidate(['/g/LIST002.html', '/g/LIST002'], 'list-2');
    const got = await cloudFront.send(
      new GetInvalidationCommand({ DistributionId: GUEST_SITE_DISTRIBUTION_ID, Id: second.Invalidation!.Id }),
    );
    expect(got.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(['/g/LIST002.html', '/g/LIST002']);
    expect(got.Invalidation?.InvalidationBatch?.CallerReference).toBe('list-2');
    const { InvalidationList } = await cloudFront.send(
      new ListInvalidationsCommand({ DistributionId: GUEST_SITE_DISTRIBUTION_ID }),
    );
    const ids = InvalidationList?.Items?.map((i) => i.Id) ?? [];
    expect(ids.indexOf(second.Invalidation!.Id!)).toBeLessThan(ids.indexOf(first.Invalidation!.Id!));
    expect(InvalidationList?.Quantity).toBe(ids.length);
  });

  it('treats a retried CallerReference as the same invalidation, and other paths under it as an error', async () => {
    const original = await invalidate(['/g/RETRY01.html'], 'retry-ref');
    const retried = await invalidate(['/g/RETRY01.html'], 'retry-ref');
    expect(retried.Invalidation?.Id).toBe(original.Invalidation?.Id);
    await expect(invalidate(['/g/OTHER01.html'], 'retry-ref')).rejects.toMatchObject({
      name: 'InvalidationBatchAlreadyExists',
    });
  });

  it('rejects an unknown distribution', async () => {
    const call = cloudFront.send(
      new CreateInvalidationCommand({
        DistributionId: 'E0NOSUCH',
        InvalidationBatch: { CallerReference: 'x', Paths: { Quantity: 1, Items: ['/a'] } },
      }),
    );
    await expect(call).rejects.toBeInstanceOf(NoSuchDistribution);
  });
});
