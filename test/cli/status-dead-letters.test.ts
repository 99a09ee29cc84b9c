import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateQueueCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../../shared/aws';
import { deployedNames } from '../../shared/declaration';
import { startStack, type LocalStack } from '../../local/charterflow/stack';
import type { Io } from '../../cli/args';
import { runDlq, type DeadLetterView } from '../../cli/dlq';
import { runStatus } from '../../cli/status';
import type { BookingStatus } from '../../cli/operator/status';

/**
 * status and dlq read every dead-letter queue of the stage, not only the chain's: a consumer added since (here
 * one whose queue the stage holds though this checkout does not declare it) and a call AWS refused, as Lambda
 * writes their letters (the event as the body, ErrorCode 200 and the function's ErrorMessage).
 */

const [ADDED, REFUSED, NEVER] = ['STATUSAD1', 'STATUSRF2', 'STATUSNV3'];
const refusal =
  'AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/charterflow-local-crew-role/charterflow-local-crew is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-west-2:000000000000:table/charterflow-local-bookings because no identity-based policy allows the dynamodb:Query action';

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), rewrite: () => undefined, isTTY: false };
  return { io, out, err };
}

const event = (bookingId: string, detailType: string) => ({
  version: '0',
  id: `ev-${bookingId}`,
  'detail-type': detailType,
  source: 'charterflow.calendar',
  time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  detail: { metadata: { bookingId }, data: {} },
});

async function letter(sqs: SQSClient, queueName: string, bookingId: string, errorMessage: string) {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: JSON.stringify(event(bookingId, 'CalendarEntryCreated')),
      MessageAttributes: {
        RequestID: { DataType: 'String', StringValue: `req-${bookingId}` },
        ErrorCode: { DataType: 'String', StringValue: '200' },
        ErrorMessage: { DataType: 'String', StringValue: errorMessage },
      },
    }),
  );
}

describe('status and dlq over every dead-letter queue of the stage', () => {
  let stack: LocalStack;
  let sqs: SQSClient;

  beforeAll(async () => {
    stack = await startStack({ ephemeral: true, ports: { aws: 0, webhook: 0, guestSite: 0 }, consumers: ['crew'] });
    Object.assign(process.env, stack.env);
    sqs = sqsClient();
    const added = deployedNames('rebooking-offers').deadLetterQueueName;
    await sqs.send(new CreateQueueCommand({ QueueName: added }));
    await letter(sqs, added, ADDED, 'Error: rebooking-offers could not reach the offers API');
    await letter(sqs, deployedNames('crew').deadLetterQueueName, REFUSED, refusal);
  }, 60_000);

  afterAll(async () => {
    sqs?.destroy();
    await stack?.stop();
  });

  it('a dead letter of a consumer the chain does not name makes its booking stuck, in the list and alone', async () => {
    const list = captureIo();
    expect(await runStatus(['--json'], list.io)).toBe(0);
    const statuses = JSON.parse(list.out.at(-1)!) as BookingStatus[];
    expect(statuses.find((s) => s.bookingId === ADDED)).toMatchObject({
      state: 'stuck',
      stuckAt: ['rebooking-offers'],
      stuckBecause: '1 dead letter (rebooking-offers)',
    });
    const plain = captureIo();
    expect(await runStatus([], plain.io)).toBe(0);
    expect(plain.out.at(-1)).toBe('2 booking(s), 2 stuck, 0 double-booked');
  });

  it('a booking stopped by a refused call: stuck at that consumer, naming the missing permission', async () => {
    const json = captureIo();
    expect(await runStatus([REFUSED, '--json'], json.io)).toBe(0);
    const status = JSON.parse(json.out.at(-1)!) as BookingStatus;
    expect(status).toMatchObject({ state: 'stuck', stuckAt: ['crew'] });
    expect(status.lastError?.refusedCall).toMatchObject({ action: 'dynamodb:Query', kind: 'missing' });
    const plain = captureIo();
    expect(await runStatus([REFUSED], plain.io)).toBe(0);
    expect(plain.out).toContain(
      '  stuck at crew, missing permission: dynamodb:Query on arn:aws:dynamodb:us-west-2:000000000000:table/charterflow-local-bookings (role charterflow-local-crew-role)',
    );
    expect(plain.err).toEqual([`target: local stack ${process.env.AWS_ENDPOINT_URL} (stage local)`]);
  });

  it('dlq lists the added consumer’s letters too', async () => {
    const out = captureIo();
    expect(await runDlq(['--json'], out.io)).toBe(0);
    const letters = JSON.parse(out.out.at(-1)!) as DeadLetterView[];
    expect(letters.map((l) => `${l.consumer} ${l.bookingId}`).sort()).toEqual([
      `crew ${REFUSED}`,
      `rebooking-offers ${ADDED}`,
    ]);
  });

  it('refuses a booking id the stage never saw, unless --force', async () => {
    const refused = captureIo();
    expect(await runStatus([NEVER], refused.io)).toBe(1);
    expect(refused.err.at(-1)).toBe(
      `booking ${NEVER} was never seen on this stage (not in the bookings table or the ledger); run npx charterflow status without an id to list recent ones, or npx charterflow status ${NEVER} --force`,
    );
    expect(refused.out).toEqual([]);
    const forced = captureIo();
    expect(await runStatus([NEVER, '--force', '--json'], forced.io)).toBe(0);
    expect(JSON.parse(forced.out.at(-1)!)).toMatchObject({ bookingId: NEVER, deadLetters: 0 });
  });
});
