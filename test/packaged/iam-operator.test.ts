import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Io } from '../../cli/args';
import { runDlq, type DeadLetterView } from '../../cli/dlq';
import { runForget } from '../../cli/forget';
import type { BookingStatus } from '../../cli/operator/status';
import { runRedrive } from '../../cli/redrive';
import { runReplay, type ReplaySummary } from '../../cli/replay';
import { runStatus } from '../../cli/status';
import type { PolicyStatement } from '../../local/aws/iam/index';
import { devSecrets } from '../../local/charterflow/seed';
import { type LocalStack, startStack } from '../../local/charterflow/stack';
import { bookingConfirmedAs, bookingIdNumber } from '../../samples';
import { documentClient } from '../../shared/aws';
import { secretNames } from '../../shared/config';
import { deployedNames } from '../../shared/declaration';
import { signedDelivery } from '../../shared/signed-delivery';
import { isPackaged, stackMode } from '../stack-mode';

/**
 * The operator's commands against the packaged stack with IAM enforced, signing as a developer does: a booking,
 * forget its renter, replay the archive, then a booking stopped by a permission crew's role lacks, which
 * status names, and which redrive finishes once the role has it back. No function is refused anything it needs.
 */

const [FORGOTTEN, STOPPED] = [bookingIdNumber(820_001), bookingIdNumber(820_002)];
const crew = deployedNames('crew').functionName;

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), rewrite: () => undefined, isTTY: false };
  return { io, out, err, json: <T>() => JSON.parse(out.at(-1)!) as T };
}

describe.runIf(isPackaged())('the operator’s commands under IAM', () => {
  let stack: LocalStack;
  let documents: DynamoDBDocumentClient;
  const started = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);

  async function book(bookingId: string) {
    const delivery = signedDelivery(bookingConfirmedAs(bookingId), devSecrets[secretNames.webhookSecret]!);
    const response = await fetch(new URL('/webhooks/boatsetter', stack.endpoints.webhook), {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    expect(response.status, await response.text()).toBe(202);
    await stack.eventBridge.idle();
  }

  async function status(bookingId: string) {
    const json = captureIo();
    expect(await runStatus([bookingId, '--json'], json.io)).toBe(0);
    const plain = captureIo();
    expect(await runStatus([bookingId], plain.io)).toBe(0);
    return { ...json.json<BookingStatus>(), text: plain.out };
  }

  async function deadLetters() {
    const out = captureIo();
    expect(await runDlq(['--json'], out.io)).toBe(0);
    return out.json<DeadLetterView[]>();
  }

  beforeAll(async () => {
    stack = await startStack({
      ...stackMode(),
      ephemeral: true,
      ports: { aws: 0, webhook: 0, guestSite: 0, mailbox: 0, standIns: {} },
      standIns: true,
      // Lambda's two retries of the refused event, milliseconds apart instead of a minute and two.
      backoff: { baseMs: 5, maxMs: 20 },
    });
    expect(stack.iam).toBeDefined();
    Object.assign(process.env, stack.env);
    documents = documentClient();
  }, 120_000);

  afterAll(async () => {
    documents?.destroy();
    await stack?.stop();
  });

  it('a booking completes, its renter is forgotten, and a replay of the archive is refused nothing', async () => {
    await book(FORGOTTEN);
    expect(await status(FORGOTTEN)).toMatchObject({ state: 'complete', deadLetters: 0 });

    const forgot = captureIo();
    expect(await runForget([FORGOTTEN, '--yes'], { io: forgot.io, documents })).toBe(0);
    expect(forgot.out.join('\n')).toContain(`Forgot the renter of booking ${FORGOTTEN}`);

    const replay = captureIo();
    const argv = ['--from', started.toISOString(), '--to', 'now', '--json', '--settle', '2s'];
    expect(await runReplay(argv, { io: replay.io, settled: () => stack.eventBridge.idle() })).toBe(0);
    await stack.eventBridge.idle();
    expect(replay.json<ReplaySummary>().state).toBe('COMPLETED');

    expect(stack.iam!.refusals()).toEqual([]);
    expect(await deadLetters()).toEqual([]);
  });

  it('a booking stopped by a refused call: status names the missing permission; redrive finishes it once granted', async () => {
    // Crew's role without the private records: the call that reads the booking's pricing and the renter's note.
    const policies = stack.iam!.functionPrincipal(crew)!;
    if (policies.kind !== 'function') throw new Error(`${crew} has no role`);
    const [inline, ...managed] = policies.policies;
    const statements = inline!.document.Statement as PolicyStatement[];
    const withoutPrivateRecords = statements.filter(
      (s) => !JSON.stringify(s.Condition ?? {}).includes('"ForAllValues:StringLike"'),
    );
    expect(withoutPrivateRecords).toHaveLength(statements.length - 1);
    const before = stack.iam!.replacePolicies(crew, [
      { ...inline!, document: { ...inline!.document, Statement: withoutPrivateRecords } },
      ...managed,
    ]);
    try {
      await book(STOPPED);
    } finally {
      stack.iam!.replacePolicies(crew, before);
    }

    const refused = stack.iam!.refusals();
    expect(refused.length).toBeGreaterThan(0);
    for (const refusal of refused) expect(refusal).toMatchObject({ functionName: crew, action: 'dynamodb:GetItem' });
    const letters = await deadLetters();
    expect(letters.map((l) => `${l.consumer} ${l.bookingId}`)).toEqual([`crew ${STOPPED}`]);

    const stopped = await status(STOPPED);
    expect(stopped).toMatchObject({ state: 'stuck', stuckAt: ['crew'] });
    expect(stopped.lastError?.refusedCall).toMatchObject({ action: 'dynamodb:GetItem', kind: 'missing' });
    expect(stopped.text).toContainEqual(
      expect.stringMatching(
        /^ {2}stuck at crew, missing permission: dynamodb:GetItem on arn:aws:dynamodb:us-west-2:000000000000:table\/charterflow-local-bookings \(role charterflow-local-CrewRole-\S+\)$/,
      ),
    );

    const redrive = captureIo();
    expect(await runRedrive(['--json'], redrive.io)).toBe(0);
    expect(redrive.json<{ consumer: string; redriven: number; kept: unknown[] }[]>()).toEqual([
      expect.objectContaining({ consumer: 'crew', redriven: 1, kept: [] }),
    ]);
    await stack.eventBridge.idle();

    expect(await deadLetters()).toEqual([]);
    expect(await status(STOPPED)).toMatchObject({ state: 'complete', deadLetters: 0 });
    expect(stack.iam!.refusals()).toHaveLength(refused.length);
  });
});
