import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { startStack, type LocalStack } from '../../local/charterflow/stack';
import { Publisher } from '../../shared/publisher';
import { region } from '../../shared/config';
import type { BookingSnapshot } from '../../shared/contract/events';
import { crewEventCreated } from '../services/guest-page/support';
import { uniqueBookingId } from '../services/calendar/support';
import { npmChromium } from './chromium';

/**
 * The guest page in a real browser (Chromium from npm, driven by playwright-core), served by the local guest
 * site through the CloudFront Function, for a booking whose every text field is hostile.
 */

const PHONE = { width: 390, height: 844 };

// Each payload would set window.__pwned (or open a dialog) if it ever ran.
const script = '<script>window.__pwned = "script"; alert(1)</script>';
const attribute = `"'><img src=x onerror="window.__pwned='onerror'">`;
const link = 'javascript:window.__pwned="link"';
const hostile = (label: string) => `${label} ${script} ${attribute} ${link}`;

function hostileBooking(bookingId: string): Partial<BookingSnapshot> & { bookingId: string } {
  return {
    bookingId,
    boat: { listingId: hostile('listing'), name: hostile('Boat'), type: hostile('Type'), lengthFt: 47 },
    trip: {
      start: '2026-12-05T17:00:00-08:00',
      durationHours: 3,
      departure: { name: hostile('Dock'), address: `${link} ${hostile('Address')}` },
    },
    renter: { firstName: hostile('Dana') },
    captain: { name: hostile('Sam') },
    hasSpecialRequests: true,
  };
}

let stack: LocalStack;
let eventBridge: EventBridgeClient;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  // First: unpacking the browser points os.tmpdir() elsewhere for a moment, and nothing else runs yet.
  const browser = await npmChromium();
  stack = await startStack({
    ephemeral: true,
    ports: { aws: 0, webhook: 0, guestSite: 0 },
    consumers: ['guest-page'],
    standIns: false,
    backoff: { baseMs: 20, maxMs: 200 },
  });
  eventBridge = new EventBridgeClient({ region: region(), endpoint: stack.endpoints.aws });
  mkdirSync('test-output', { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'charterflow-profile-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: browser.executablePath,
    env: browser.env,
    headless: true,
    viewport: PHONE,
    deviceScaleFactor: 2,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  eventBridge?.destroy();
  await stack?.stop();
});

async function publish(booking: Partial<BookingSnapshot> & { bookingId: string }) {
  await new Publisher(eventBridge).publishOne('CrewEventCreated', crewEventCreated(booking));
  await stack.eventBridge.idle();
}

/** Opens a page, recording dialogs and CSP violations from before the first byte of the document. */
async function open(path: string): Promise<{ page: Page; dialogs: string[]; status: number }> {
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.addInitScript({
    content: `window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));`,
  });
  const response = await page.goto(new URL(path, stack.endpoints.guestSite).href, { waitUntil: 'load' });
  return { page, dialogs, status: response?.status() ?? 0 };
}

describe('the guest page in headless Chromium', () => {
  it('a hostile booking runs no script and shows every value as text', async () => {
    const bookingId = uniqueBookingId('B');
    await publish(hostileBooking(bookingId));

    const { page, dialogs, status } = await open(`/g/${bookingId}`);
    expect(status).toBe(200);

    // Runs in the page (a string: this project's TypeScript has no DOM types).
    const seen = (await page.evaluate(`({
      pwned: window.__pwned,
      violations: window.__violations,
      scripts: document.querySelectorAll('script').length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) =>
        [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => el.tagName + '.' + a.name)),
      links: [...document.querySelectorAll('a[href]')].map((a) => a.protocol),
      images: [...document.querySelectorAll('img')].map((img) => img.getAttribute('src')),
      heading: document.querySelector('h1').textContent,
      captain: [...document.querySelectorAll('dt')].find((dt) => dt.textContent === 'Captain')?.nextElementSibling?.textContent,
      text: document.body.innerText,
    })`)) as {
      pwned?: string;
      violations: string[];
      scripts: number;
      handlers: string[];
      links: string[];
      images: string[];
      heading: string;
      captain?: string;
      text: string;
    };

    expect(dialogs).toEqual([]);
    expect(seen.pwned).toBeUndefined();
    expect(seen.violations).toEqual([]);
    expect(seen.scripts).toBe(0);
    expect(seen.handlers).toEqual([]);
    expect(seen.links).toEqual(['https:']);
    expect(seen.images).toEqual([]);
    expect(seen.heading).toBe(`Hi ${hostile('Dana')}, you are going sailing on ${hostile('Boat')}!`);
    for (const value of [hostile('Dana'), hostile('Boat'), hostile('Type'), hostile('Dock')]) {
      expect(seen.text).toContain(value);
    }
    // The captain shows by first name only: the first word of the hostile name, as text.
    expect(seen.captain).toBe('Sam');
    // The renter's own note is acknowledged, never published.
    for (const secret of [hostile('Reyes'), hostile('mail'), hostile('phone'), 'Reyes', 'Request']) {
      expect(seen.text).not.toContain(secret);
    }

    await page.screenshot({ path: 'test-output/guest-page-hostile-phone.png', fullPage: true });
    await page.close();
  });

  it('refuses to show inside a frame on another site: the guest site sends frame-ancestors and X-Frame-Options', async () => {
    const bookingId = uniqueBookingId('B');
    await publish({ bookingId });
    const url = new URL(`/g/${bookingId}`, stack.endpoints.guestSite).href;
    const page = await context.newPage();
    const framed = page.waitForEvent('framenavigated', (frame) => frame !== page.mainFrame());
    await page.setContent(`<iframe src="${url}" width="300" height="300"></iframe>`);
    const frame = await framed;
    await page.waitForLoadState('load');
    // Chromium puts its error page in a frame it refuses to render.
    expect(frame.url()).not.toBe(url);
    expect(await frame.evaluate('document.querySelector("h1")?.textContent ?? null').catch(() => null)).toBeNull();
    await page.close();
  });

  it('the sample booking reads well on a phone (screenshot at 390x844)', async () => {
    const bookingId = uniqueBookingId('B');
    await publish({ bookingId });

    const { page, dialogs, status } = await open(`/g/${bookingId}`);
    expect(status).toBe(200);
    expect(dialogs).toEqual([]);
    const layout = (await page.evaluate(`({
      scrollWidth: document.documentElement.scrollWidth,
      photoLoaded: document.querySelector('img.photo')?.naturalWidth ?? 0,
      violations: window.__violations,
    })`)) as { scrollWidth: number; photoLoaded: number; violations: string[] };
    expect(layout.scrollWidth).toBeLessThanOrEqual(PHONE.width);
    expect(layout.photoLoaded).toBeGreaterThan(0);
    expect(layout.violations).toEqual([]);
    expect(await page.locator('h1').textContent()).toBe('Hi Dana, you are going sailing on JADA!');

    await page.screenshot({ path: 'test-output/guest-page-phone.png', fullPage: true });
    await page.close();
  });
});
