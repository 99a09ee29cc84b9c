import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingStatus } from '../../../cli/operator/status';
import { printTimeline } from '../../../cli/status';
import { newReplayName, replayTarget, ruleArnOf, startReplay } from '../../../cli/operator/replays';
import { declaredConsumers } from '../../../cli/args';
import { mailGuestFor, type GuestMailEvent } from '../../../services/guest-mail/guest-mail';
import { MailRecords } from '../../../services/guest-mail/mail-records';
import { mailSettings } from '../../../services/guest-mail/send';
import { parseSecrets } from '../../../services/webhook/signature';
import { declaration } from '../../../services/guest-mail/declaration';
import { busName, region, secretNames } from '../../../shared/config';
import { parseConsumedEvent } from '../../../shared/consumer';
import { createLogger } from '../../../shared/logger';
import { signedDelivery } from '../../../shared/signed-delivery';
import { bookingConfirmedAs } from '../../../samples';
import { captureLogs, startCalendarCrewStack, uniqueBookingId, type CalendarCrewStack } from '../calendar/support';
import { PrivateRecords } from '../../../shared/private-records';
import { guestBooking, mailsIn, pageEvent, rememberRenter, renterAddress, tripStartIn } from './support';

/**
 * guest-mail on the local stack, from a signed webhook to the local mailbox (SES v2, aws-ses-v2-local), and
 * the ways a renter could get a mail twice or for nothing: redeliveries, archive replays, backfills, a bad
 * address, a throttled SES, two deliveries at once.
 */

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let documents: DynamoDBDocumentClient;
let events: EventBridgeClient;
let sqs: SQSClient;

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(['calendar', 'crew', 'scrub', 'guest-page', 'guest-mail', 'booking-ledger']);
  const config = { region: region(), endpoint: env.stack.endpoints.aws };
  documents = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  events = new EventBridgeClient(config);
  sqs = new SQSClient(config);
}, 60_000);

afterAll(async () => {
  documents?.destroy();
  events?.destroy();
  sqs?.destroy();
  await env?.stop();
  logs?.restore();
});

const mailbox = () => env.stack.endpoints.mailbox;
const records = () => new MailRecords(documents);

async function postSignedBooking(bookingId: string) {
  const secrets = new SecretsManagerClient({ region: region(), endpoint: env.stack.endpoints.aws });
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  secrets.destroy();
  const payload = bookingConfirmedAs(bookingId);
  payload.data.trip.start = tripStartIn(30);
  payload.data.renter.email = renterAddress(bookingId);
  const delivery = signedDelivery(payload, parseSecrets(SecretString!)[0]!);
  const response = await fetch(new URL('/webhooks/boatsetter', env.stack.endpoints.webhook), {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  expect(response.status, await response.text()).toBe(202);
}

/** Replays the archive from the start to now, to every consumer or only to guest-mail (a backfill). */
async function replayArchive(only?: 'guest-mail') {
  const target = await replayTarget(events);
  await startReplay(events, target, {
    name: newReplayName('replay', only),
    window: { from: new Date(Date.now() - 86_400_000), to: new Date() },
    ...(only ? { ruleArns: [await ruleArnOf(events, only)] } : {}),
  });
  await env.stack.eventBridge.idle();
}

describe('guest-mail, end to end from a signed booking', () => {
  const bookingId = uniqueBookingId('M');
  const to = renterAddress(bookingId);

  it('a signed booking leads to exactly one mail to the renter, linking /g/{bookingId} on the public site', async () => {
    await postSignedBooking(bookingId);
    const published = await env.eventsOf(bookingId, 'GuestPagePublished');
    expect(published).toHaveLength(1);

    const mails = await mailsIn(mailbox(), to);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.from).toBe('Queen of San Diego <charters@queenofsandiego.com>');
    expect(mail!.replyTo).toEqual(['charters@queenofsandiego.com']);
    expect(mail!.subject).toMatch(/^Your charter on JADA, \w+day, \w+ \d{1,2}$/);
    expect(mail!.body.text).toContain(`https://queenofsandiego.com/g/${bookingId}`);
    expect([...mail!.body.html!.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual([
      `https://queenofsandiego.com/g/${bookingId}`,
    ]);
    expect(mail!.body.html).toContain('Hi Dana,');
    expect(mail!.body.html).not.toContain('Reyes');
  });

  it('a change sends one change mail, a revision nobody sees none, and a cancel one cancellation mail', async () => {
    const [published] = await env.eventsOf(bookingId, 'GuestPagePublished');
    const confirmed = published!.detail.data.booking as ReturnType<typeof guestBooking>;
    const moved = {
      ...confirmed,
      revision: 2,
      status: 'modified' as const,
      trip: { ...confirmed.trip, start: confirmed.trip.start.replace('T17:00', 'T18:00') },
    };
    await rememberRenter(documents, moved, [2, 3, 4]);
    await env.publisher.publishOne(
      'GuestPageUpdated',
      pageEvent('GuestPageUpdated', moved, { changes: [{ field: 'time', before: '5:00 PM', after: '6:00 PM' }] }),
    );
    await env.publisher.publishOne(
      'GuestPageUpdated',
      pageEvent('GuestPageUpdated', { ...moved, revision: 3 }, { changes: [] }),
    );
    await env.publisher.publishOne(
      'GuestPageWithdrawn',
      pageEvent('GuestPageWithdrawn', { ...moved, revision: 4, status: 'cancelled' }),
    );
    await env.stack.eventBridge.idle();

    const subjects = (await mailsIn(mailbox(), to)).map((mail) => mail.subject);
    expect(subjects).toHaveLength(3);
    expect(subjects[1]).toMatch(/: what changed$/);
    expect(subjects[2]).toMatch(/, is cancelled$/);
    const change = (await mailsIn(mailbox(), to))[1]!;
    expect(change.body.text).toContain('Time: 6:00 PM (was 5:00 PM)');
    expect((await records().of(bookingId)).map((r) => [r.kind, r.revision, r.state])).toEqual([
      ['cancellation', 4, 'sent'],
      ['change', 2, 'sent'],
      ['change', 3, 'skipped'],
      ['confirmation', 1, 'sent'],
    ]);
  });

  it('redelivering every event twice, then replaying the whole archive, sends no second mail', async () => {
    const before = (await mailsIn(mailbox())).length;
    const everything = await env.busEvents();
    await Promise.all([env.redeliver(everything), env.redeliver(everything)]);
    await env.stack.eventBridge.idle();
    await replayArchive();

    expect((await mailsIn(mailbox())).length).toBe(before);
    expect(await env.deadLetters('guest-mail')).toEqual([]);
  });
});

describe('guest-mail and the past', () => {
  it('a backfill over past trips (replay to guest-mail only) sends nothing and records nothing', async () => {
    const bookingId = uniqueBookingId('P');
    const past = guestBooking(bookingId, { trip: { ...guestBooking(bookingId).trip, start: tripStartIn(-10) } });
    await rememberRenter(documents, past, [1, 2, 3]);
    await env.publisher.publish([
      { detailType: 'GuestPagePublished', detail: pageEvent('GuestPagePublished', past) },
      { detailType: 'GuestPageUpdated', detail: pageEvent('GuestPageUpdated', { ...past, revision: 2 }) },
      {
        detailType: 'GuestPageWithdrawn',
        detail: pageEvent('GuestPageWithdrawn', { ...past, revision: 3, status: 'cancelled' }),
      },
    ]);
    await env.stack.eventBridge.idle();
    await replayArchive('guest-mail');

    expect(await mailsIn(mailbox(), renterAddress(bookingId))).toEqual([]);
    expect(await records().of(bookingId)).toEqual([]);
  });

  it('a cancellation that comes before the confirmation waits for it, and goes out right after it', async () => {
    const bookingId = uniqueBookingId('N');
    const booking = guestBooking(bookingId);
    await rememberRenter(documents, booking, [1, 2]);
    await env.publisher.publishOne(
      'GuestPageWithdrawn',
      pageEvent('GuestPageWithdrawn', { ...booking, revision: 2, status: 'cancelled' }),
    );
    await env.stack.eventBridge.idle();
    expect(await mailsIn(mailbox(), renterAddress(bookingId))).toEqual([]);
    expect((await records().of(bookingId)).map((r) => [r.kind, r.state])).toEqual([['cancellation', 'waiting']]);

    await env.publisher.publishOne('GuestPagePublished', pageEvent('GuestPagePublished', booking));
    await env.stack.eventBridge.idle();

    const subjects = (await mailsIn(mailbox(), renterAddress(bookingId))).map((mail) => mail.subject);
    expect(subjects).toHaveLength(2);
    expect(subjects[0]).not.toMatch(/cancelled$/);
    expect(subjects[1]).toMatch(/, is cancelled$/);
    expect((await records().of(bookingId)).map((r) => [r.kind, r.state])).toEqual([
      ['cancellation', 'sent'],
      ['confirmation', 'sent'],
    ]);
    expect(await env.deadLetters('guest-mail')).toEqual([]);
  });

  it('a cancellation after a confirmation SES refused sends nothing', async () => {
    const bookingId = uniqueBookingId('R');
    const booking = guestBooking(bookingId);
    await rememberRenter(documents, booking, [1, 2], 'dana at example dot com');
    await env.publisher.publishOne('GuestPagePublished', pageEvent('GuestPagePublished', booking));
    await env.stack.eventBridge.idle();
    await env.publisher.publishOne(
      'GuestPageWithdrawn',
      pageEvent('GuestPageWithdrawn', { ...booking, revision: 2, status: 'cancelled' }),
    );
    await env.stack.eventBridge.idle();

    expect((await records().of(bookingId)).map((r) => [r.kind, r.state, r.reason])).toEqual([
      ['cancellation', 'skipped', 'no confirmation mail was sent'],
      ['confirmation', 'refused', undefined],
    ]);
  });
});

describe('a bad address', () => {
  it('is recorded on the booking, shown by status, and not retried', async () => {
    const bookingId = uniqueBookingId('B');
    const booking = guestBooking(bookingId);
    await rememberRenter(documents, booking, [1], 'dana at example dot com');
    const seenBefore = logs.lines.length;
    await env.publisher.publishOne('GuestPagePublished', pageEvent('GuestPagePublished', booking));
    await env.stack.eventBridge.idle();

    const [record] = await records().of(bookingId);
    expect(record).toMatchObject({
      kind: 'confirmation',
      revision: 1,
      state: 'refused',
      refusal: { code: 'BadRequestException', message: 'Illegal address' },
    });
    expect(await env.deadLetters('guest-mail')).toEqual([]);
    const mine = logs.lines
      .slice(seenBefore)
      .filter((line) => line.bookingId === bookingId && line.service === 'charterflow.guest-mail');
    expect(
      mine.filter((line) => line.message === "SES refused the renter's address: recorded on the booking, not retried"),
    ).toHaveLength(1);
    expect(mine.filter((line) => line.level === 'ERROR')).toEqual([]);
    expect(JSON.stringify(mine)).not.toContain('dana at example');

    const status = await bookingStatus({ documents, sqs, consumers: await declaredConsumers() }, bookingId);
    expect(status?.refusedMails).toEqual([
      { kind: 'confirmation', revision: 1, at: record!.at, code: 'BadRequestException', message: 'Illegal address' },
    ]);
    const printed: string[] = [];
    printTimeline(
      { out: (line) => printed.push(line), err: () => undefined, rewrite: () => undefined, isTTY: false },
      status!,
    );
    expect(printed.join('\n')).toContain('guest mail: the confirmation mail of r1 was refused by SES');
  });
});

describe('SES throttling and two deliveries at once', () => {
  const eventOf = (bookingId: string): GuestMailEvent =>
    parseConsumedEvent(declaration, {
      version: '0',
      id: `evt-${bookingId}`,
      'detail-type': 'GuestPagePublished',
      source: 'charterflow.guest-page',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'us-west-2',
      resources: [],
      detail: pageEvent('GuestPagePublished', guestBooking(bookingId)),
    });

  it('a throttled send is thrown for a retry, and the retry sends the one mail', async () => {
    const bookingId = uniqueBookingId('T');
    const ses = new SESv2Client({
      region: region(),
      endpoint: mailbox(),
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    // SES is the boundary we do not own: the first answer is a throttle, then the real local SES answers.
    let throttled = false;
    const send = ses.send.bind(ses);
    ses.send = ((command: Parameters<typeof send>[0]) => {
      if (!throttled) {
        throttled = true;
        return Promise.reject(
          new TooManyRequestsException({ message: 'Too many requests', $metadata: { httpStatusCode: 429 } }),
        );
      }
      return send(command);
    }) as typeof ses.send;
    const deps = {
      ses,
      records: records(),
      privateRecords: new PrivateRecords(documents),
      settings: mailSettings(),
      logger: createLogger('guest-mail'),
    };
    await rememberRenter(documents, { bookingId });

    await expect(mailGuestFor(eventOf(bookingId), deps)).rejects.toThrow('Too many requests');
    // The decision stays recorded and its claim ends at once: a retry from any invocation finishes it.
    const [claim] = await records().of(bookingId);
    expect(claim).toMatchObject({ kind: 'confirmation', state: 'sending', mailKey: `${bookingId}-r1-confirmation` });
    expect(claim!.until).toBeLessThanOrEqual(Date.now());
    await expect(mailGuestFor(eventOf(bookingId), deps)).resolves.toBe('sent');
    expect(await mailsIn(mailbox(), renterAddress(bookingId))).toHaveLength(1);
    ses.destroy();
  });

  it('the same event put on the bus twice at once is mailed once, and dead-letters nothing', async () => {
    const bookingId = uniqueBookingId('D');
    const detail = JSON.stringify(pageEvent('GuestPagePublished', guestBooking(bookingId)));
    await rememberRenter(documents, { bookingId });
    const entry = {
      EventBusName: busName(),
      Source: 'charterflow.guest-page',
      DetailType: 'GuestPagePublished',
      Detail: detail,
    };
    await events.send(new PutEventsCommand({ Entries: [entry, entry, entry] }));
    await env.stack.eventBridge.idle();

    expect(await mailsIn(mailbox(), renterAddress(bookingId))).toHaveLength(1);
    expect(await env.deadLetters('guest-mail')).toEqual([]);
  });
});
