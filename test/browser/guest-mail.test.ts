import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { startStack, type LocalStack } from '../../local/charterflow/stack';
import { Publisher } from '../../shared/publisher';
import { region } from '../../shared/config';
import { uniqueBookingId } from '../services/calendar/support';
import { documentClient } from '../../shared/aws';
import { PrivateRecords } from '../../shared/private-records';
import { bookingDetails } from '../../samples';
import { guestBooking, mailsIn, pageEvent, renterAddress } from '../services/guest-mail/support';
import { npmChromium } from './chromium';

/**
 * The renter's confirmation mail, as the local mailbox (SES) received it, opened in the headless Chromium
 * the guest-page browser test uses (test/browser/chromium.ts), for a booking whose first name and special requests are hostile.
 */

// Each payload would set window.__pwned (or open a dialog) if it ever ran.
const script = '<script>window.__pwned = "script"; alert(1)</script>';
const attribute = `"'><img src=x onerror="window.__pwned='onerror'">`;
const link = 'javascript:window.__pwned="link"';
const hostile = (label: string) => `${label} ${script} ${attribute} ${link}`;

let stack: LocalStack;
let events: EventBridgeClient;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({
    ephemeral: true,
    ports: { aws: 0, webhook: 0, guestSite: 0 },
    consumers: ['guest-mail'],
    standIns: false,
  });
  events = new EventBridgeClient({ region: region(), endpoint: stack.endpoints.aws });
  const npm = await npmChromium();
  browser = await chromium.launch({
    executablePath: npm.executablePath,
    env: npm.env,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  events?.destroy();
  await stack?.stop();
});

describe('the confirmation mail in headless Chromium', () => {
  it('a hostile first name and hostile special requests are text: nothing runs, nothing loads, one link', async () => {
    const bookingId = uniqueBookingId('H');
    const base = guestBooking(bookingId);
    const booking = { ...base, renter: { ...base.renter, firstName: hostile('Dana') } };
    const details = bookingDetails({ specialRequests: hostile('Request') });
    const documents = documentClient();
    await new PrivateRecords(documents).write(bookingId, booking.revision, {
      ...details,
      renter: { ...details.renter, email: renterAddress(bookingId) },
    });
    documents.destroy();
    await new Publisher(events).publishOne('GuestPagePublished', pageEvent('GuestPagePublished', booking));
    await stack.eventBridge.idle();
    const [mail] = await mailsIn(stack.endpoints.mailbox, renterAddress(bookingId));
    expect(mail?.body.html).toBeDefined();

    const page = await browser.newPage();
    const dialogs: string[] = [];
    const requests: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('request', (request) => requests.push(request.url()));
    await page.addInitScript({
      content: `window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));`,
    });
    // Served as a document of its own (no network: the route answers), so the init script runs before it.
    const opened = 'https://mail.invalid/confirmation';
    await page.route(opened, (route) =>
      route.fulfill({ contentType: 'text/html; charset=utf-8', body: mail!.body.html! }),
    );
    await page.goto(opened, { waitUntil: 'load' });

    // Runs in the page (a string: this project's TypeScript has no DOM types).
    const seen = (await page.evaluate(`({
      pwned: window.__pwned,
      violations: window.__violations,
      scripts: document.querySelectorAll('script').length,
      images: document.querySelectorAll('img, iframe, object, embed, link').length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) =>
        [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => el.tagName + '.' + a.name)),
      links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
      text: document.body.innerText,
    })`)) as {
      pwned?: string;
      violations: string[];
      scripts: number;
      images: number;
      handlers: string[];
      links: string[];
      text: string;
    };

    expect(dialogs).toEqual([]);
    expect(seen.pwned).toBeUndefined();
    expect(seen.violations).toEqual([]);
    expect(seen.scripts).toBe(0);
    expect(seen.images).toBe(0);
    expect(seen.handlers).toEqual([]);
    expect(seen.links).toEqual([`https://queenofsandiego.com/g/${bookingId}`]);
    expect(requests).toEqual([opened]);
    expect(seen.text).toContain(`Hi ${hostile('Dana')},`);
    expect(seen.text).toContain(hostile('Request'));
    await page.close();
  });
});
