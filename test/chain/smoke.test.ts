import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Io } from '../../cli/args';
import { runSmoke } from '../../cli/smoke';
import { parseSecrets } from '../../services/webhook/signature';
import type { BoatsetterWebhookPayload } from '../../shared/contract/boatsetter';
import { bookingsTable, region, secretNames } from '../../shared/config';
import { deployedNames } from '../../shared/declaration';
import { MAIL_SIMULATOR } from '../../shared/shadow';
import { signedDelivery } from '../../shared/signed-delivery';
import { bookingRevisionAs as revisionOf } from '../../samples';
import { captureLogs, startCalendarCrewStack, type CalendarCrewStack } from '../services/calendar/support';
import { GUEST_SITE_BUCKET, guestSiteClients, invalidationsOf } from '../services/guest-page/support';
import { mailsIn } from '../services/guest-mail/support';

/**
 * `charterflow smoke --local` on a live stage: a synthetic booking, signed with the smoke key, runs the whole
 * chain, is cancelled and forgotten, and leaves nothing behind in JADA, SCC, the guest site, the mailbox (but
 * for SES's simulator) or our private records. Only the smoke key makes a booking synthetic.
 */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let documents: DynamoDBDocumentClient;
let site: ReturnType<typeof guestSiteClients>;
let webhookSecret: string;
let smokeKey: string;

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['calendar', 'crew', 'scrub', 'guest-page', 'guest-mail', 'booking-ledger']);
  const endpoint = env.stack.endpoints.aws;
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: region(), endpoint }));
  site = guestSiteClients(endpoint);
  const secrets = new SecretsManagerClient({ region: region(), endpoint });
  const secret = async (id: string) => (await secrets.send(new GetSecretValueCommand({ SecretId: id }))).SecretString!;
  webhookSecret = parseSecrets(await secret(secretNames.webhookSecret))[0]!;
  smokeKey = await secret(secretNames.smokeSigningKey);
  secrets.destroy();
}, 60_000);

afterAll(async () => {
  documents?.destroy();
  site?.s3.destroy();
  site?.cloudFront.destroy();
  await env?.stop();
  logs?.restore();
});

const webhookUrl = () => `${env.stack.endpoints.webhook}/webhooks/boatsetter`;

function io(out: string[], err: string[] = out): Io {
  return { out: (line) => out.push(line), err: (line) => err.push(line), rewrite: () => {}, isTTY: false };
}

async function post(payload: BoatsetterWebhookPayload, signed: 'boatsetter' | 'smoke') {
  const delivery =
    signed === 'smoke' ? signedDelivery(payload, smokeKey, { format: 'raw' }) : signedDelivery(payload, webhookSecret);
  const response = await fetch(webhookUrl(), { method: 'POST', headers: delivery.headers, body: delivery.body });
  await env.busEvents();
  return response.status;
}

/** Everything the booking left in the systems we do not own, and in our private records. */
async function leftBehind(bookingId: string) {
  const calls = await env.calls();
  const { Contents = [] } = await site.s3.send(
    new ListObjectsV2Command({ Bucket: GUEST_SITE_BUCKET, Prefix: `g/${bookingId}` }),
  );
  const { Items: privateItems = [] } = await documents.send(
    new QueryCommand({
      TableName: bookingsTable(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `PRIVATE#${bookingId}` },
      ConsistentRead: true,
    }),
  );
  const { Items: ours = [] } = await documents.send(
    new QueryCommand({
      TableName: bookingsTable(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :shadow)',
      ExpressionAttributeValues: { ':pk': `BOOKING#${bookingId}`, ':shadow': 'SHADOW#' },
      ConsistentRead: true,
    }),
  );
  return {
    jadaOrSccWrites: [...Object.keys(calls.jada), ...Object.keys(calls.scc)].filter((r) => !r.startsWith('GET ')),
    entries: (await env.tables.calendarEntries()).filter((e) => e.bookingId === bookingId).length,
    events: (await env.tables.sccEvents()).filter((e) => e.bookingId === bookingId).length,
    invitations: (await env.tables.invitations()).length,
    pages: Contents.length,
    invalidations: (await invalidationsOf(site.cloudFront, bookingId)).length,
    mailsToPeople: (await mailsIn(env.stack.endpoints.mailbox)).filter(
      (m) => !m.destination.to.every((to) => to === MAIL_SIMULATOR),
    ).length,
    privateRecords: privateItems.filter((item) => item.sk !== 'FORGOTTEN').length,
    shadowRecords: ours.length,
  };
}

const nothing = {
  jadaOrSccWrites: [],
  entries: 0,
  events: 0,
  invitations: 0,
  pages: 0,
  invalidations: 0,
  mailsToPeople: 0,
  privateRecords: 0,
  shadowRecords: 0,
};

describe('charterflow smoke --local', () => {
  it('sends a synthetic booking through every step, cancels and forgets it, exits 0 and leaves nothing behind', async () => {
    const out: string[] = [];
    const code = await runSmoke(['--local', '--webhook-url', webhookUrl(), '--timeout', '20s'], {
      io: io(out),
      pollMs: 100,
    });
    expect(out.join('\n')).toMatch(/smoke passed/);
    expect(code).toBe(0);
    const bookingId = /synthetic booking (SMOKE[0-9A-F]+)/.exec(out.join('\n'))![1]!;
    expect(await leftBehind(bookingId)).toEqual(nothing);
    // SES was exercised: the mails went to the simulator, which reaches no one.
    const simulated = await mailsIn(env.stack.endpoints.mailbox, MAIL_SIMULATOR);
    expect(simulated.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('a synthetic booking', () => {
  it('is only what the smoke key signs: the smoke key cannot sign a booking id outside SMOKE...', async () => {
    expect(await post(revisionOf('XQ7REAL1', 1, 'booking.confirmed'), 'smoke')).toBe(400);
    expect(await leftBehind('XQ7REAL1')).toMatchObject({ entries: 0, events: 0 });
  });

  it('is never one signed with the Boatsetter secret, whatever it holds: a SMOKE id with the simulator address is a real booking', async () => {
    const bookingId = 'SMOKEREAL01';
    const payload = revisionOf(bookingId, 1, 'booking.confirmed', (d) => {
      d.renter.email = MAIL_SIMULATOR;
    });
    expect(await post(payload, 'boatsetter')).toBe(202);
    const events = await env.eventsOf(bookingId);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => (e.detail.metadata as { synthetic?: boolean }).synthetic === undefined)).toBe(true);
    const held = await leftBehind(bookingId);
    expect(held).toMatchObject({ entries: 1, events: 1, pages: 1, shadowRecords: 0 });
  });
});

describe('charterflow smoke on a broken chain', () => {
  it('exits non-zero and names the step that failed', async () => {
    // A scrub that fails every event: Lambda retries it, then dead-letters it.
    env.stack.lambda.register(deployedNames('scrub').functionName, () =>
      Promise.resolve(() => Promise.reject(new Error('scrub is broken for this test'))),
    );
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSmoke(['--local', '--webhook-url', webhookUrl(), '--timeout', '15s'], {
      io: io(out, err),
      pollMs: 100,
    });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/smoke FAILED: scrub failed on revision 1/);
  }, 60_000);
});
