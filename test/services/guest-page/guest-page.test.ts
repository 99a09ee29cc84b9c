import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  copyBoatPhoto,
  guestSiteFromEnvironment,
  PhotosInStep,
  publishGuestPage,
} from '../../../services/guest-page/publish';
import { renderGuestPage } from '../../../services/guest-page/render';
import { ContractViolation } from '../../../shared/contract/validate';
import { bookingSnapshot } from '../../../samples';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from '../calendar/support';
import {
  crewEventCancelled,
  crewEventCreated,
  crewEventUpdated,
  DISTRIBUTION_ID,
  GUEST_SITE_BUCKET,
  guestSiteClients,
  invalidationsFor,
  invalidationsOf,
} from './support';

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let s3: S3Client;
let cloudFront: CloudFrontClient;
const site = { bucket: GUEST_SITE_BUCKET, distributionId: DISTRIBUTION_ID };

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['guest-page']);
  ({ s3, cloudFront } = guestSiteClients(env.stack.endpoints.aws));
});
afterAll(async () => {
  s3?.destroy();
  cloudFront?.destroy();
  await env?.stop();
  logs?.restore();
});

/** S3 commands sent by a client, by name (a middleware on the real client; the calls still go to the stack). */
function countCommands(client: S3Client) {
  const sent: string[] = [];
  const name = `count-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { sent, stop: () => client.middlewareStack.remove(name) };
}

const head = (key: string) => s3.send(new HeadObjectCommand({ Bucket: GUEST_SITE_BUCKET, Key: key }));
const guestPage = (path: string) => fetch(new URL(path, env.stack.endpoints.guestSite));

describe('guest-page consumer on the local stack', () => {
  it('publishes the page on CrewEventCreated: served at /g/{id}, invalidated, announced', async () => {
    const bookingId = uniqueBookingId('G');
    await env.publisher.publishOne('CrewEventCreated', crewEventCreated({ bookingId }));
    const published = await env.eventsOf(bookingId, 'GuestPagePublished');

    const response = await guestPage(`/g/${bookingId}`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('Hi Dana, you are going sailing on JADA!');
    expect(html).toContain('<img class="photo" src="/assets/boats/lst_8812/hero.jpg"');

    const object = await head(`g/${bookingId}.html`);
    expect(object.ContentType).toBe('text/html; charset=utf-8');
    expect(object.CacheControl).toBe('public, max-age=60, s-maxage=86400');

    expect(published).toHaveLength(1);
    expect(published[0]!.detail.data).toMatchObject({
      url: `${env.stack.endpoints.guestSite}/g/${bookingId}`,
      etag: object.ETag!.replace(/"/g, ''),
    });
    expect(published[0]!.detail.metadata.causationId).not.toBe(published[0]!.id);

    expect(await invalidationsOf(cloudFront, bookingId)).toEqual([
      { id: expect.any(String), paths: expect.arrayContaining([`/g/${bookingId}.html`, `/g/${bookingId}`]) },
    ]);
  });

  it('copies the boat photo into the guest-site bucket and serves it from the same site', async () => {
    const photo = await guestPage('/assets/boats/lst_8812/hero.jpg');
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await photo.arrayBuffer());
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('a redelivered CrewEventCreated writes nothing, invalidates nothing, announces nothing', async () => {
    const bookingId = uniqueBookingId('G');
    const detail = crewEventCreated({ bookingId });
    await env.publisher.publishOne('CrewEventCreated', detail);
    await env.busEvents();
    const before = await head(`g/${bookingId}.html`);

    await env.publisher.publishOne('CrewEventCreated', detail);
    await env.busEvents();

    const after = await head(`g/${bookingId}.html`);
    expect(after.ETag).toBe(before.ETag);
    expect(after.LastModified).toEqual(before.LastModified);
    expect(await invalidationsOf(cloudFront, bookingId)).toHaveLength(1);
    expect(await env.eventsOf(bookingId, 'GuestPagePublished')).toHaveLength(1);
  });

  it('a new revision with a changed trip replaces the page guests see; one with an identical page writes nothing', async () => {
    const bookingId = uniqueBookingId('G');
    await env.publisher.publishOne('CrewEventCreated', crewEventCreated({ bookingId }));
    await env.busEvents();
    expect(await (await guestPage(`/g/${bookingId}`)).text()).toContain('<dd>6 guests</dd>');

    await env.publisher.publishOne('CrewEventUpdated', crewEventUpdated({ bookingId, revision: 2, partySize: 8 }));
    await env.busEvents();
    // The edge cached revision 1 a day long; the invalidation is what lets guests see revision 2 now.
    expect(await (await guestPage(`/g/${bookingId}`)).text()).toContain('<dd>8 guests</dd>');
    expect(await invalidationsOf(cloudFront, bookingId)).toHaveLength(2);
    const written = await head(`g/${bookingId}.html`);

    await env.publisher.publishOne('CrewEventUpdated', crewEventUpdated({ bookingId, revision: 3, partySize: 8 }));
    await env.busEvents();

    expect((await head(`g/${bookingId}.html`)).LastModified).toEqual(written.LastModified);
    expect(await invalidationsOf(cloudFront, bookingId)).toHaveLength(2);
    expect((await env.eventsOf(bookingId, 'GuestPagePublished')).map((e) => e.detail.data.booking.revision)).toEqual([
      1,
    ]);
    const updated = await env.eventsOf(bookingId, 'GuestPageUpdated');
    expect(updated.map((e) => e.detail.data.booking.revision)).toEqual([2, 3]);
    expect(updated.map((e) => e.detail.data.changes)).toEqual([
      [{ field: 'party', before: '6 guests', after: '8 guests' }],
      [],
    ]);
    expect(new Set(updated.map((e) => e.detail.data.etag)).size).toBe(1);
  });

  it('an older revision arriving late writes nothing and announces nothing', async () => {
    const bookingId = uniqueBookingId('G');
    await env.publisher.publishOne('CrewEventUpdated', crewEventUpdated({ bookingId, revision: 2, partySize: 8 }));
    await env.busEvents();
    const written = await head(`g/${bookingId}.html`);
    await env.publisher.publishOne('CrewEventCreated', crewEventCreated({ bookingId, revision: 1 }));
    await env.busEvents();

    expect((await head(`g/${bookingId}.html`)).LastModified).toEqual(written.LastModified);
    expect(await (await guestPage(`/g/${bookingId}`)).text()).toContain('<dd>8 guests</dd>');
    expect(await invalidationsOf(cloudFront, bookingId)).toHaveLength(1);
    // The first revision it saw created the page, whatever its type.
    expect((await env.eventsOf(bookingId, 'GuestPagePublished')).map((e) => e.detail.data.booking.revision)).toEqual([
      2,
    ]);
  });

  it('a cancellation replaces the page with one that tells only that the charter was cancelled', async () => {
    const bookingId = uniqueBookingId('G');
    await env.publisher.publishOne('CrewEventCreated', crewEventCreated({ bookingId }));
    await env.busEvents();
    await env.publisher.publishOne('CrewEventCancelled', crewEventCancelled({ bookingId, revision: 2 }));
    await env.busEvents();

    const page = await (await guestPage(`/g/${bookingId}`)).text();
    expect(page).toContain('this charter was cancelled');
    expect(page).toContain('noindex');
    for (const detail of ['Shelter Island', 'JADA', '6 guests', 'Sam', 'December', 'Reyes'])
      expect(page).not.toContain(detail);
    expect(await invalidationsOf(cloudFront, bookingId)).toHaveLength(2);
    expect(await env.eventsOf(bookingId, 'GuestPageWithdrawn')).toHaveLength(1);

    // Replaying the confirmation afterwards revives nothing.
    await env.publisher.publishOne('CrewEventCreated', crewEventCreated({ bookingId }));
    await env.busEvents();
    expect(await (await guestPage(`/g/${bookingId}`)).text()).toContain('this charter was cancelled');
    expect(await env.eventsOf(bookingId, 'GuestPagePublished')).toHaveLength(1);
  });

  it('a cancellation seen first leaves no page, and the late confirmation publishes none', async () => {
    const bookingId = uniqueBookingId('G');
    await env.publisher.publishOne('CrewEventCancelled', crewEventCancelled({ bookingId, revision: 2 }));
    await env.busEvents();
    await env.publisher.publishOne('CrewEventCreated', crewEventCreated({ bookingId }));
    await env.busEvents();
    expect((await guestPage(`/g/${bookingId}`)).ok).toBe(false);
    expect(await env.eventsOf(bookingId, 'GuestPagePublished')).toEqual([]);
    expect(await env.eventsOf(bookingId, 'GuestPageWithdrawn')).toEqual([]);
  });

  it('nothing failed into the dead-letter queue', async () => {
    expect(await env.deadLetters('guest-page')).toEqual([]);
  });
});

describe('publishGuestPage', () => {
  it('after a crash between PutObject and CreateInvalidation, the retry invalidates without writing again', async () => {
    const bookingId = uniqueBookingId('P');
    const html = renderGuestPage(bookingSnapshot({ bookingId }));
    const failing = guestSiteClients(env.stack.endpoints.aws).cloudFront;
    failing.middlewareStack.add(() => () => Promise.reject(new Error('simulated crash before CreateInvalidation')), {
      step: 'initialize',
      name: 'crash',
    });
    await expect(publishGuestPage(bookingId, html, { s3, cloudFront: failing, site })).rejects.toThrow(
      'simulated crash',
    );
    expect(await invalidationsOf(cloudFront, bookingId)).toEqual([]);

    const retry = await publishGuestPage(bookingId, html, {
      s3,
      cloudFront,
      site,
      invalidatedBefore: async () => false,
    });

    expect(retry.written).toBe(false);
    expect(retry.invalidationId).toBeDefined();
    expect(await invalidationsOf(cloudFront, bookingId)).toHaveLength(1);
    failing.destroy();
  });

  it('a retried invalidation of the same content is not a second one (CallerReference)', async () => {
    const bookingId = uniqueBookingId('P');
    const html = renderGuestPage(bookingSnapshot({ bookingId }));
    const first = await publishGuestPage(bookingId, html, { s3, cloudFront, site });
    const again = await publishGuestPage(bookingId, html, {
      s3,
      cloudFront,
      site,
      invalidatedBefore: async () => false,
    });
    expect(again.invalidationId).toBe(first.invalidationId);
    expect(await invalidationsOf(cloudFront, bookingId)).toHaveLength(1);
  });

  it('the object body is exactly the rendered page', async () => {
    const bookingId = uniqueBookingId('P');
    const html = renderGuestPage(bookingSnapshot({ bookingId }));
    await publishGuestPage(bookingId, html, { s3, cloudFront, site });
    const object = await s3.send(new GetObjectCommand({ Bucket: GUEST_SITE_BUCKET, Key: `g/${bookingId}.html` }));
    expect(await object.Body!.transformToString('utf8')).toBe(html);
  });
});

describe('copyBoatPhoto', () => {
  it('copies only when the copy is missing or the legacy photo changed, and invalidates a replaced photo', async () => {
    const listingId = `lst_${uniqueBookingId('L').toLowerCase()}`;
    const key = `assets/boats/${listingId}/hero.jpg`;
    await s3.send(
      new PutObjectCommand({
        Bucket: 'sailjada.com',
        Key: key,
        Body: Buffer.from('photo v1'),
        ContentType: 'image/jpeg',
      }),
    );
    const count = countCommands(s3);
    try {
      expect(await copyBoatPhoto(s3, listingId, site, { cloudFront })).toBe(`/assets/boats/${listingId}/hero.jpg`);
      expect(await copyBoatPhoto(s3, listingId, site, { cloudFront })).toBe(`/assets/boats/${listingId}/hero.jpg`);
      expect(count.sent.filter((c) => c === 'CopyObjectCommand')).toHaveLength(1);
      expect(await invalidationsFor(cloudFront, `/assets/boats/${listingId}/`)).toEqual([]);

      await s3.send(
        new PutObjectCommand({
          Bucket: 'sailjada.com',
          Key: key,
          Body: Buffer.from('photo v2'),
          ContentType: 'image/jpeg',
        }),
      );
      await copyBoatPhoto(s3, listingId, site, { cloudFront });
      expect(count.sent.filter((c) => c === 'CopyObjectCommand')).toHaveLength(2);
      expect(await invalidationsFor(cloudFront, `/assets/boats/${listingId}/`)).toEqual([
        { id: expect.any(String), paths: [`/assets/boats/${listingId}/hero.jpg`] },
      ]);
    } finally {
      count.stop();
    }
    const copy = await s3.send(new GetObjectCommand({ Bucket: GUEST_SITE_BUCKET, Key: key }));
    expect(await copy.Body!.transformToString()).toBe('photo v2');
    expect(copy.ContentType).toBe('image/jpeg');
  });

  it('a copy seen in step is not looked at again: one conditional look at the legacy photo, which still catches a change', async () => {
    const listingId = `lst_${uniqueBookingId('L').toLowerCase()}`;
    const key = `assets/boats/${listingId}/hero.jpg`;
    const legacyPhoto = (body: string) =>
      s3.send(
        new PutObjectCommand({ Bucket: 'sailjada.com', Key: key, Body: Buffer.from(body), ContentType: 'image/jpeg' }),
      );
    const inStep = new PhotosInStep();
    const copy = () => copyBoatPhoto(s3, listingId, site, { cloudFront, inStep });
    await legacyPhoto('photo v1');
    const count = countCommands(s3);
    const sent = () => count.sent.splice(0);
    try {
      expect(await copy()).toBe(`/assets/boats/${listingId}/hero.jpg`);
      expect(sent()).toEqual(['HeadObjectCommand', 'HeadObjectCommand', 'CopyObjectCommand']);
      expect(await copy()).toBe(`/assets/boats/${listingId}/hero.jpg`);
      expect(sent()).toEqual(['HeadObjectCommand']);

      await legacyPhoto('photo v2');
      sent();
      expect(await copy()).toBe(`/assets/boats/${listingId}/hero.jpg`);
      expect(sent()).toEqual(['HeadObjectCommand', 'CopyObjectCommand']);
      expect(await invalidationsFor(cloudFront, `/assets/boats/${listingId}/`)).toEqual([
        { id: expect.any(String), paths: [`/assets/boats/${listingId}/hero.jpg`] },
      ]);
      const copied = await s3.send(new GetObjectCommand({ Bucket: GUEST_SITE_BUCKET, Key: key }));
      expect(await copied.Body!.transformToString()).toBe('photo v2');
      sent();
      expect(await copy()).toBe(`/assets/boats/${listingId}/hero.jpg`);
      expect(sent()).toEqual(['HeadObjectCommand']);

      await s3.send(new DeleteObjectCommand({ Bucket: 'sailjada.com', Key: key }));
      sent();
      expect(await copy()).toBeUndefined();
      expect(sent()).toEqual(['HeadObjectCommand']);
      // Gone from what was seen: the next look is at both again.
      await copy();
      expect(sent()).toEqual(['HeadObjectCommand', 'HeadObjectCommand']);
    } finally {
      count.stop();
    }
  });

  it('a copy kept back (no CopyObjectResult, as a shut shadow gate answers) is not taken for one in step', async () => {
    const listingId = `lst_${uniqueBookingId('L').toLowerCase()}`;
    const key = `assets/boats/${listingId}/hero.jpg`;
    await s3.send(
      new PutObjectCommand({ Bucket: 'sailjada.com', Key: key, Body: Buffer.from('photo'), ContentType: 'image/jpeg' }),
    );
    const name = `keep-back-${Math.random()}`;
    s3.middlewareStack.add(
      (next, context) => (args) =>
        context.commandName === 'CopyObjectCommand'
          ? Promise.resolve({ output: { $metadata: {} }, response: {} } as never)
          : next(args),
      { step: 'initialize', name },
    );
    const inStep = new PhotosInStep();
    try {
      await copyBoatPhoto(s3, listingId, site, { inStep });
      expect(inStep.sourceEtagOf(`sailjada.com/${key} -> ${GUEST_SITE_BUCKET}/${key}`)).toBeUndefined();
    } finally {
      s3.middlewareStack.remove(name);
    }
  });

  it('a boat without a photo in the legacy bucket gets a page without one', async () => {
    expect(await copyBoatPhoto(s3, 'lst_nophoto', site)).toBeUndefined();
  });
});

describe('the guest site, from the environment the deploy sets', () => {
  it('is the bucket and distribution the deploy parameters name', () => {
    const env = { GUEST_SITE_DISTRIBUTION_ID: 'E2EXAMPLE', GUEST_SITE_BUCKET: 'queenofsandiego.com' };
    expect(guestSiteFromEnvironment(env)).toEqual({ distributionId: 'E2EXAMPLE', bucket: 'queenofsandiego.com' });
  });

  it('without a distribution id is an error naming the variable and the field', () => {
    const env = { GUEST_SITE_BUCKET: 'queenofsandiego.com' };
    expect(() => guestSiteFromEnvironment(env)).toThrow(ContractViolation);
    expect(() => guestSiteFromEnvironment(env)).toThrow(/GUEST_SITE_DISTRIBUTION_ID[\s\S]*distributionId/);
  });
});
