import { afterEach, describe, expect, it, vi } from 'vitest';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from '../../../../local/aws/eventbridge';
import { AwsError } from '../../../../local/aws/service';
import { deliveryLogger } from '../../../../local/aws/eventbridge/delivery';
import { createQueue, drain, lambdaArn, REGION, startBus, tempDir, type BusUnderTest } from './helpers';

const running: BusUnderTest[] = [];
const dirs: Array<{ remove(): void }> = [];
afterEach(async () => {
  for (const bus of running.splice(0)) await bus.stop();
  for (const dir of dirs.splice(0)) dir.remove();
  vi.restoreAllMocks();
});

async function start(options: Parameters<typeof startBus>[0] = {}): Promise<BusUnderTest> {
  const bus = await startBus(options);
  running.push(bus);
  return bus;
}

const pattern = JSON.stringify({ source: ['charterflow.webhook'] });
const booking = (bookingId: string) => ({
  Source: 'charterflow.webhook',
  DetailType: 'BookingReceived',
  Detail: JSON.stringify({ metadata: { bookingId } }),
});

async function subscribe(
  bus: BusUnderTest,
  fn: string,
  retry: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds?: number },
  dlqArn?: string,
) {
  await bus.events.send(new PutRuleCommand({ Name: fn, EventPattern: pattern }));
  await bus.events.send(
    new PutTargetsCommand({
      Rule: fn,
      Targets: [
        {
          Id: fn,
          Arn: lambdaArn(fn),
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, ...retry },
          ...(dlqArn ? { DeadLetterConfig: { Arn: dlqArn } } : {}),
        },
      ],
    }),
  );
}

describe('delivery to Lambda targets', () => {
  it('invokes the function once per event, asynchronously, with the EventBridge event', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const bus = await start({ lambda: () => gate });
    await subscribe(bus, 'calendar', { MaximumRetryAttempts: 2 });

    const put = await bus.events.send(new PutEventsCommand({ Entries: [booking('AAA111'), booking('BBB222')] }));
    // PutEvents answered while both invocations are still running: delivery is asynchronous.
    expect(put.FailedEntryCount).toBe(0);
    release();
    await bus.bridge.idle();

    expect(bus.invocations.map((i) => i.functionArn)).toEqual([lambdaArn('calendar'), lambdaArn('calendar')]);
    expect(
      bus.invocations.map((i) => (i.event.detail as { metadata: { bookingId: string } }).metadata.bookingId).sort(),
    ).toEqual(['AAA111', 'BBB222']);
    expect(bus.invocations.map((i) => i.event.id).sort()).toEqual(put.Entries!.map((e) => e.EventId).sort());
  });

  it('invokes concurrently across events', async () => {
    let inFlight = 0;
    let most = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const bus = await start({
      lambda: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        if (inFlight === 3) release();
        await gate;
        inFlight--;
      },
    });
    await subscribe(bus, 'crew', { MaximumRetryAttempts: 0 });
    await bus.events.send(new PutEventsCommand({ Entries: [booking('A1A1A1'), booking('B2B2B2'), booking('C3C3C3')] }));
    await bus.bridge.idle();
    expect(most).toBe(3);
  });

  it('retries an invoke Lambda refuses (the function does not exist) within the rule RetryPolicy, then dead-letters it with the EventBridge attributes', async () => {
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
    const bus = await start({
      lambda: (functionArn) =>
        Promise.reject(new AwsError('ResourceNotFoundException', `Function not found: ${functionArn}`, 404)),
    });
    const dlq = await createQueue(bus.sqs, 'calendar-dlq');
    await subscribe(bus, 'calendar', { MaximumRetryAttempts: 3 }, dlq.arn);

    const put = await bus.events.send(new PutEventsCommand({ Entries: [booking('XHQGMDH')] }));
    await bus.bridge.idle();

    expect(bus.invocations).toHaveLength(4);
    const messages = await drain(bus.sqs, dlq.url);
    expect(messages).toHaveLength(1);
    const body = JSON.parse(messages[0]!.Body!) as EventBridgeEvent;
    expect(body.id).toBe(put.Entries![0]!.EventId);
    expect(body.detail).toEqual({ metadata: { bookingId: 'XHQGMDH' } });
    const attribute = (name: string) => messages[0]!.MessageAttributes?.[name]?.StringValue;
    expect(attribute('RULE_ARN')).toBe('arn:aws:events:us-west-2:000000000000:rule/calendar');
    expect(attribute('TARGET_ARN')).toBe(lambdaArn('calendar'));
    expect(attribute('ERROR_CODE')).toBe('NO_RESOURCE');
    expect(attribute('ERROR_MESSAGE')).toContain('Function not found');
    expect(attribute('RETRY_ATTEMPTS')).toBe('3');
    expect(attribute('EXHAUSTED_RETRY_CONDITION')).toBe('MaximumRetryAttempts');
    for (const name of ['RULE_ARN', 'TARGET_ARN', 'ERROR_CODE', 'ERROR_MESSAGE', 'RETRY_ATTEMPTS'])
      expect(messages[0]!.MessageAttributes?.[name]?.DataType).toBe('String');
  });

  it('gives a failing function Lambda’s asynchronous retries, not the rule’s, then its own DLQ with Lambda’s attributes', async () => {
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq
    const functionDlqArn = `arn:aws:sqs:${REGION}:000000000000:calendar-function-dlq`;
    const again = await start({
      lambda: () => Promise.reject(new Error('JADA calendar answered 401: wrong X-Dashboard-Token')),
      functions: {
        calendar: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600, deadLetterArn: functionDlqArn },
      },
    });
    const ruleDlq = await createQueue(again.sqs, 'calendar-rule-dlq');
    const functionDlq = await createQueue(again.sqs, 'calendar-function-dlq');
    expect(functionDlq.arn).toBe(functionDlqArn);
    await subscribe(again, 'calendar', { MaximumRetryAttempts: 185 }, ruleDlq.arn);

    const put = await again.events.send(new PutEventsCommand({ Entries: [booking('XHQGMDH')] }));
    await again.bridge.idle();

    // One run and Lambda's 2 retries, whatever the rule allows; one request id throughout, as Lambda keeps it.
    expect(again.invocations).toHaveLength(3);
    expect(new Set(again.invocations.map((i) => i.requestId)).size).toBe(1);
    expect(await drain(again.sqs, ruleDlq.url)).toEqual([]);
    const messages = await drain(again.sqs, functionDlq.url);
    expect(messages).toHaveLength(1);
    expect((JSON.parse(messages[0]!.Body!) as EventBridgeEvent).id).toBe(put.Entries![0]!.EventId);
    expect(messages[0]!.MessageAttributes).toEqual({
      RequestID: { DataType: 'String', StringValue: again.invocations[0]!.requestId },
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: expect.stringContaining('wrong X-Dashboard-Token') },
    });
  });

  it('retries a function no sooner than its error says a retry can succeed (a lease held until then)', async () => {
    const at: number[] = [];
    const bus = await start({
      lambda: () => {
        at.push(Date.now());
        if (at.length > 1) return Promise.resolve();
        return Promise.reject(Object.assign(new Error('calendar is still applying revision 1'), { retryAfterMs: 400 }));
      },
    });
    await subscribe(bus, 'calendar', { MaximumRetryAttempts: 185 });
    await bus.events.send(new PutEventsCommand({ Entries: [booking('XHQGMDH')] }));
    await bus.bridge.idle();
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(400);
  });

  it('retries a failing function twice by default (Lambda’s default), whatever the rule RetryPolicy says', async () => {
    const bus = await start({
      lambda: () => Promise.reject(new Error('SCC answered 503')),
    });
    await subscribe(bus, 'crew', { MaximumRetryAttempts: 185 });
    await bus.events.send(new PutEventsCommand({ Entries: [booking('XHQGMDH')] }));
    await bus.bridge.idle();
    expect(bus.invocations).toHaveLength(3);
  });

  it('stops Lambda’s retries when the next would come after the function’s maximum event age', async () => {
    const bus = await start({
      backoff: { baseMs: 120_000, maxMs: 120_000 },
      lambda: () => Promise.reject(new Error('still down')),
      functions: { aged: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60 } },
    });
    await subscribe(bus, 'aged', { MaximumRetryAttempts: 185 });
    await bus.events.send(new PutEventsCommand({ Entries: [booking('OLDONE1')] }));
    await bus.bridge.idle();
    expect(bus.invocations).toHaveLength(1);
  });

  it('delivers an event whose target recovers within the retry policy, and dead-letters nothing', async () => {
    let calls = 0;
    const bus = await start({
      lambda: () => {
        calls++;
        return calls < 3 ? Promise.reject(new Error('SCC answered 503')) : Promise.resolve();
      },
    });
    const dlq = await createQueue(bus.sqs, 'crew-dlq');
    await subscribe(bus, 'crew', { MaximumRetryAttempts: 0 }, dlq.arn);
    await bus.events.send(new PutEventsCommand({ Entries: [booking('XHQGMDH')] }));
    await bus.bridge.idle();
    expect(calls).toBe(3);
    expect(await drain(bus.sqs, dlq.url)).toEqual([]);
  });

  it('stops retrying when the next retry would come after MaximumEventAgeInSeconds', async () => {
    const bus = await start({
      // A first retry at least 60 s away: past the 60 s age limit before it could run.
      backoff: { baseMs: 120_000, maxMs: 120_000 },
      lambda: () => Promise.reject(new AwsError('TooManyRequestsException', 'Rate exceeded', 429)),
    });
    const dlq = await createQueue(bus.sqs, 'age-dlq');
    await subscribe(bus, 'aged', { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 }, dlq.arn);
    await bus.events.send(new PutEventsCommand({ Entries: [booking('OLDONE1')] }));
    await bus.bridge.idle();
    const [message] = await drain(bus.sqs, dlq.url);
    expect(message?.MessageAttributes?.EXHAUSTED_RETRY_CONDITION?.StringValue).toBe('MaximumEventAgeInSeconds');
    expect(message?.MessageAttributes?.RETRY_ATTEMPTS?.StringValue).toBe('0');
    expect(bus.invocations).toHaveLength(1);
  });

  it('logs an error naming the event, rule and target when a failed event has no DLQ, instead of dropping it silently', async () => {
    const errors = vi.spyOn(deliveryLogger, 'error');
    const bus = await start({
      lambda: (functionArn) =>
        Promise.reject(new AwsError('ResourceNotFoundException', `Function not found: ${functionArn}`, 404)),
    });
    await subscribe(bus, 'no-dlq', { MaximumRetryAttempts: 1 });
    const put = await bus.events.send(new PutEventsCommand({ Entries: [booking('NODLQ01')] }));
    await bus.bridge.idle();
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]![1]).toMatchObject({
      eventId: put.Entries![0]!.EventId,
      ruleArn: 'arn:aws:events:us-west-2:000000000000:rule/no-dlq',
      targetArn: lambdaArn('no-dlq'),
      errorCode: 'NO_RESOURCE',
      errorMessage: `Function not found: ${lambdaArn('no-dlq')}`,
      retryAttempts: 1,
    });
  });

  it('adds to a dead-letter line what the wiring names the event by, and nothing of its own', async () => {
    const errors = vi.spyOn(deliveryLogger, 'error');
    const labelled = await start({
      lambda: () => Promise.reject(new Error('boom')),
      eventLabels: (event) => ({ bookingId: (event.detail as { metadata: { bookingId: string } }).metadata.bookingId }),
    });
    await subscribe(labelled, 'labelled', { MaximumRetryAttempts: 0 });
    await labelled.events.send(new PutEventsCommand({ Entries: [booking('LABEL01')] }));
    await labelled.bridge.idle();
    const bare = await start({ lambda: () => Promise.reject(new Error('boom')) });
    await subscribe(bare, 'bare', { MaximumRetryAttempts: 0 });
    await bare.events.send(new PutEventsCommand({ Entries: [booking('LABEL02')] }));
    await bare.bridge.idle();
    expect(errors).toHaveBeenCalledTimes(2);
    expect(errors.mock.calls[0]![1]).toMatchObject({ functionArn: lambdaArn('labelled'), bookingId: 'LABEL01' });
    expect(errors.mock.calls[1]![1]).not.toHaveProperty('bookingId');
  });

  it('logs an error naming the event and function when a failing function has no DLQ (Lambda discards the event)', async () => {
    const errors = vi.spyOn(deliveryLogger, 'error');
    const bus = await start({
      lambda: () => Promise.reject(new Error('boom')),
    });
    await subscribe(bus, 'no-dlq', { MaximumRetryAttempts: 1 });
    const put = await bus.events.send(new PutEventsCommand({ Entries: [booking('NODLQ02')] }));
    await bus.bridge.idle();
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]![1]).toMatchObject({
      eventId: put.Entries![0]!.EventId,
      functionArn: lambdaArn('no-dlq'),
      errorMessage: 'boom',
      attempts: 3,
    });
  });
});

describe('delivery to SQS targets', () => {
  it('sends an event to a missing queue straight to the DLQ without retries (NO_RESOURCE)', async () => {
    const bus = await start();
    const dlq = await createQueue(bus.sqs, 'tap-dlq');
    await bus.events.send(new PutRuleCommand({ Name: 'tap', EventPattern: pattern }));
    await bus.events.send(
      new PutTargetsCommand({
        Rule: 'tap',
        Targets: [{ Id: 'gone', Arn: 'arn:aws:sqs:us-west-2:000000000000:gone', DeadLetterConfig: { Arn: dlq.arn } }],
      }),
    );
    await bus.events.send(new PutEventsCommand({ Entries: [booking('GONE001')] }));
    await bus.bridge.idle();
    const [message] = await drain(bus.sqs, dlq.url);
    expect(message?.MessageAttributes?.ERROR_CODE?.StringValue).toBe('NO_RESOURCE');
    expect(message?.MessageAttributes?.RETRY_ATTEMPTS?.StringValue).toBe('0');
  });
});

describe('nothing lost across a restart', () => {
  it('resumes Lambda’s retries of an event the function failed, with its request id and the retries already made', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const dlqArn = `arn:aws:sqs:${REGION}:000000000000:resumed-function-dlq`;
    const functions = { resumed: { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 3600, deadLetterArn: dlqArn } };
    const failing = () => Promise.reject(new Error('SCC answered 503'));
    // Lambda's retry waits a few hundred milliseconds: long enough to stop the bus before it runs.
    const first = await startBus({
      dataDir: dir.path,
      lambda: failing,
      functions,
      backoff: { baseMs: 400, maxMs: 400 },
    });
    const dlq = await createQueue(first.sqs, 'resumed-function-dlq');
    await subscribe(first, 'resumed', { MaximumRetryAttempts: 185 });
    await first.events.send(new PutEventsCommand({ Entries: [booking('RESUME2')] }));
    await vi.waitFor(() => expect(first.invocations).toHaveLength(1));
    await first.stop();

    const second = await start({ dataDir: dir.path, lambda: failing, functions });
    await second.bridge.idle();
    // One retry left of the function's one: it runs once more, then Lambda dead-letters it.
    expect(second.invocations.map((i) => i.requestId)).toEqual([first.invocations[0]!.requestId]);
    const [letter] = await drain(second.sqs, dlq.url);
    expect(letter?.MessageAttributes?.RequestID?.StringValue).toBe(first.invocations[0]!.requestId);
  });

  it('retries on start, as Lambda’s next attempt with its request id, an invocation the stack died during', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const functions = { died: { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 3600 } };
    let stopping: Promise<void> | undefined;
    // The bus stops while the function runs, and the function's end is never heard of: a kill, seen from the journal.
    const first: BusUnderTest = await startBus({
      dataDir: dir.path,
      lambda: async () => {
        stopping = first.stop();
        await new Promise((resolve) => setTimeout(resolve, 300));
        throw new Error('the process died');
      },
      functions,
      backoff: { baseMs: 20, maxMs: 20 },
    });
    await subscribe(first, 'died', { MaximumRetryAttempts: 185 });
    await first.events.send(new PutEventsCommand({ Entries: [booking('DIED1')] }));
    await vi.waitFor(() => expect(stopping).toBeDefined());
    await stopping;

    const second = await start({ dataDir: dir.path, lambda: async () => {}, functions });
    await second.bridge.idle();
    expect(second.invocations.map((i) => i.requestId)).toEqual([first.invocations[0]!.requestId]);
  });

  it('resumes a pending delivery after the bus restarts on the same data directory', async () => {
    const dir = tempDir();
    dirs.push(dir);
    let healthy = false;
    const first = await startBus({
      dataDir: dir.path,
      // Throttled: Lambda refuses the invoke, so the rule's 185 retries keep it pending across the restart.
      lambda: () =>
        healthy ? Promise.resolve() : Promise.reject(new AwsError('TooManyRequestsException', 'Rate exceeded', 429)),
    });
    await subscribe(first, 'ledger', { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 });
    const put = await first.events.send(new PutEventsCommand({ Entries: [booking('RESTART1')] }));
    // Let it fail at least once, then stop the bus while the delivery waits for its next retry.
    await vi.waitFor(() => expect(first.invocations.length).toBeGreaterThan(0));
    await first.stop();

    healthy = true;
    const second = await start({ dataDir: dir.path, lambda: async () => {} });
    await second.bridge.idle();
    expect(second.invocations.map((i) => i.event.id)).toEqual([put.Entries![0]!.EventId]);
  });
});
