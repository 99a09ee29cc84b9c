import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import { crewNotes } from '../../services/crew/crew-event';
import { removedLinesOf } from '../../services/scrub/removed-lines';
import { parseSecrets } from '../../services/webhook/signature';
import { region, secretNames } from '../../shared/config';
import { signedDelivery } from '../../shared/signed-delivery';
import { bookingConfirmed, bookingDetails, bookingSnapshot } from '../../samples';
import { captureLogs, startCalendarCrewStack, type CalendarCrewStack } from '../services/calendar/support';
import { guestSiteClients, invalidationsOf } from '../services/guest-page/support';

/**
 * The end of the chain: a signed sample Boatsetter webhook -> ... -> CrewEventCreated, then scrub and
 * guest-page, independently. Observed where the operator and the guest look: SCC's item, our store, the
 * guest site and CloudFront's invalidations.
 */

const BOOKING_ID = 'XHQGMDH';

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let documents: DynamoDBDocumentClient;
let clients: { s3: S3Client; cloudFront: CloudFrontClient };

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['calendar', 'crew', 'scrub', 'guest-page']);
  const endpoint = env.stack.endpoints.aws;
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: region(), endpoint }));
  clients = guestSiteClients(endpoint);
  const secrets = new SecretsManagerClient({ region: region(), endpoint });
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  secrets.destroy();

  const delivery = signedDelivery(bookingConfirmed(), parseSecrets(SecretString!)[0]!);
  const response = await fetch(new URL('/webhooks/boatsetter', env.stack.endpoints.webhook), {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  expect(response.status, await response.text()).toBeLessThan(300);
  await env.busEvents();
}, 60_000);

afterAll(async () => {
  documents?.destroy();
  clients?.s3.destroy();
  clients?.cloudFront.destroy();
  await env?.stop();
  logs?.restore();
});

describe('scrub and guest page, end to end from a signed webhook', () => {
  it('the guest site serves the page at /g/XHQGMDH', async () => {
    const response = await fetch(new URL(`/g/${BOOKING_ID}`, env.stack.endpoints.guestSite));
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('Hi Dana, you are going sailing on JADA!');
    expect(html).toContain('Shelter Island Marina');
    expect(html).not.toContain('Reyes');
  });

  it("SCC's notes have no revenue line left, and every other line as the crew consumer wrote it", async () => {
    const [sccEvent] = (await env.tables.sccEvents()).filter((e) => e.bookingId === BOOKING_ID);
    const ordinary = crewNotes(bookingSnapshot(), bookingDetails(), sccEvent!.calendarEntryId)
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(sccEvent!.notes).toBe(ordinary.join('\n'));
    expect(sccEvent!.notes).not.toMatch(/revenue|captain fee|crew costs|port fees|net:/i);
  });

  it('the removed lines are in our store, for the operator', async () => {
    const [sccEvent] = (await env.tables.sccEvents()).filter((e) => e.bookingId === BOOKING_ID);
    expect(await removedLinesOf(documents, BOOKING_ID)).toEqual([
      {
        bookingId: BOOKING_ID,
        sccEventId: sccEvent!.eventId,
        lines: [
          'Revenue: $1,450.00',
          'Captain Fee: $250.00',
          'Crew Costs: $120.00',
          'Port Fees: $35.00',
          'Your Net: $827.50',
        ],
      },
    ]);
  });

  it('an invalidation of the page is listed on the distribution', async () => {
    expect(await invalidationsOf(clients.cloudFront, BOOKING_ID)).toEqual([
      { id: expect.any(String), paths: expect.arrayContaining([`/g/${BOOKING_ID}.html`, `/g/${BOOKING_ID}`]) },
    ]);
  });

  it('both consumers answered the one CrewEventCreated, in the same correlation', async () => {
    const events = await env.eventsOf(BOOKING_ID);
    const [crewEvent] = events.filter((e) => e['detail-type'] === 'CrewEventCreated');
    const scrubbed = events.filter((e) => e['detail-type'] === 'CrewNotesScrubbed');
    const published = events.filter((e) => e['detail-type'] === 'GuestPagePublished');
    expect(scrubbed).toHaveLength(1);
    expect(published).toHaveLength(1);
    for (const event of [...scrubbed, ...published]) {
      expect(event.detail.metadata.causationId).toBe(crewEvent!.id);
      expect(event.detail.metadata.correlationId).toBe(crewEvent!.detail.metadata.correlationId);
    }
    expect(scrubbed[0]!.detail.data.linesRemoved).toBe(5);
    expect(published[0]!.detail.data.url).toBe(`${env.stack.endpoints.guestSite}/g/${BOOKING_ID}`);
    expect(await env.deadLetters('scrub')).toEqual([]);
    expect(await env.deadLetters('guest-page')).toEqual([]);
  });
});
