import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ListRulesCommand,
  PutEventsCommand,
  PutRuleCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { eventBridgeClient, sqsClient } from '../../shared/aws';
import { busName } from '../../shared/config';
import { startStack, type LocalStack } from '../../local/charterflow/stack';
import type { Io } from '../../cli/args';
import { runTail } from '../../cli/tail';
import { TAIL_PREFIX, tailTags } from '../../cli/operator/tail-leftovers';

/**
 * tail on the local stack: what it creates it removes, what it could not remove it says so and the next tail
 * clears, and it never says it removed what is still there.
 */

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  let heard: () => void = () => undefined;
  const io: Io = {
    out: (l) => {
      out.push(l);
      heard();
    },
    err: (l) => {
      err.push(l);
      heard();
    },
    rewrite: () => undefined,
    isTTY: false,
  };
  /** Resolves once a line matching `pattern` was printed. */
  const until = (pattern: RegExp) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if ([...out, ...err].some((l) => pattern.test(l))) resolve();
      };
      heard = check;
      check();
    });
  return { io, out, err, until };
}

async function start(): Promise<{ stack: LocalStack; events: EventBridgeClient; sqs: SQSClient }> {
  const stack = await startStack({ ephemeral: true, ports: { aws: 0, webhook: 0, guestSite: 0 }, consumers: false });
  Object.assign(process.env, stack.env);
  return { stack, events: eventBridgeClient(), sqs: sqsClient() };
}

const tapQueues = async (sqs: SQSClient) =>
  ((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: TAIL_PREFIX }))).QueueUrls ?? []).map(
    (u) => u.split('/').at(-1)!,
  );
const tapRules = async (events: EventBridgeClient) =>
  ((await events.send(new ListRulesCommand({ EventBusName: busName(), NamePrefix: TAIL_PREFIX }))).Rules ?? []).map(
    (r) => r.Name!,
  );

/** A process id that was running a moment ago and is not now. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('tail on a running stack', () => {
  let s: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    s = await start();
  }, 60_000);
  afterAll(async () => {
    s?.events.destroy();
    s?.sqs.destroy();
    await s?.stack.stop();
  });

  it('prints its target and the events, lined up, then removes its rule and queue and says so', async () => {
    const capture = captureIo();
    const stop = new AbortController();
    const tailing = runTail(['--local'], { io: capture.io, signal: stop.signal, waitSeconds: 1 });
    await capture.until(/^tailing /);
    expect(capture.err[0]).toBe(`target: local stack ${process.env.AWS_ENDPOINT_URL} (stage local)`);
    await s.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName(),
            Source: 'charterflow.calendar',
            DetailType: 'CalendarEntryCreated',
            Detail: JSON.stringify({ metadata: { bookingId: 'TAILTEST1' }, data: {} }),
          },
        ],
      }),
    );
    await capture.until(/TAILTEST1/);
    stop.abort();
    expect(await tailing).toBe(0);
    expect(capture.out[0]).toMatch(/^\S+Z {2}CalendarEntryCreated +TAILTEST1 +charterflow\.calendar$/);
    expect(capture.err.at(-1)).toMatch(
      /^tail stopped: temporary rule charterflow-tail-\w+ and queue charterflow-tail-\w+ removed$/,
    );
    expect(await tapQueues(s.sqs)).toEqual([]);
    expect(await tapRules(s.events)).toEqual([]);
  });

  it('on start, clears the taps of tails that are gone, and leaves those of tails still running', async () => {
    const leftover = async (name: string, tags?: Record<string, string>) => {
      await s.sqs.send(new CreateQueueCommand({ QueueName: name, ...(tags ? { tags } : {}) }));
      await s.events.send(
        new PutRuleCommand({ Name: name, EventBusName: busName(), EventPattern: '{"source":["charterflow.x"]}' }),
      );
    };
    await leftover(`${TAIL_PREFIX}gone`, tailTags(deadPid()));
    await leftover(`${TAIL_PREFIX}running`, tailTags(process.pid));
    await leftover(`${TAIL_PREFIX}untagged`);
    await s.events.send(
      new PutRuleCommand({
        Name: `${TAIL_PREFIX}rulealone`,
        EventBusName: busName(),
        EventPattern: '{"source":["x"]}',
      }),
    );

    const capture = captureIo();
    const stop = new AbortController();
    const tailing = runTail(['--local'], { io: capture.io, signal: stop.signal, waitSeconds: 1 });
    await capture.until(/^tailing /);
    stop.abort();
    expect(await tailing).toBe(0);
    expect(capture.err).toContain(
      `removed what earlier tails left: ${TAIL_PREFIX}gone, ${TAIL_PREFIX}rulealone (their rules and queues)`,
    );
    expect((await tapQueues(s.sqs)).sort()).toEqual([`${TAIL_PREFIX}running`, `${TAIL_PREFIX}untagged`]);
    expect((await tapRules(s.events)).sort()).toEqual([`${TAIL_PREFIX}running`, `${TAIL_PREFIX}untagged`]);
  });
});

describe('tail when the stack goes away under it', () => {
  it('says it could not remove its rule and queue, not that it did, and exits 1', async () => {
    const s = await start();
    const capture = captureIo();
    const tailing = runTail(['--local'], { io: capture.io, waitSeconds: 1 });
    await capture.until(/^tailing /);
    s.events.destroy();
    s.sqs.destroy();
    await s.stack.stop();
    expect(await tailing).toBe(1);
    const said = capture.err.join('\n');
    expect(said).toMatch(
      /could not remove rule charterflow-tail-\w+ \(\w+\), queue charterflow-tail-\w+ \(\w+\); the next npx charterflow tail removes them/,
    );
    expect(said).not.toMatch(/removed$/m);
  }, 60_000);
});
