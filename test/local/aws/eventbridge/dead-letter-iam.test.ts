import { afterEach, describe, expect, it, vi } from 'vitest';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from '../../../../local/aws/eventbridge';
import { deliveryLogger } from '../../../../local/aws/eventbridge/delivery';
import { type FunctionPrincipal, LocalIam, type PolicyDocument } from '../../../../local/aws/iam/index';
import { LOCAL_ACCOUNT_ID } from '../../../../local/aws/service';
import { AwsError } from '../../../../local/aws/service';
import { createQueue, drain, lambdaArn, REGION, startBus, type BusUnderTest } from './helpers';

/**
 * With IAM enforced, the two sends to a dead-letter queue that AWS authorises are decided by the stack's IAM
 * (the real evaluator, over policies as the template gives them): EventBridge's, as events.amazonaws.com on the
 * queue's policy with the rule as aws:SourceArn; Lambda's, with the function's own role. A refused send drops
 * the event, as AWS does, with an error line that says so.
 */

const running: BusUnderTest[] = [];
afterEach(async () => {
  for (const bus of running.splice(0)) await bus.stop();
  vi.restoreAllMocks();
});

const ruleArn = (name: string) => `arn:aws:events:${REGION}:${LOCAL_ACCOUNT_ID}:rule/${name}`;
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${LOCAL_ACCOUNT_ID}:${name}`;

/** The queue policy deploy/template.ts gives a consumer's rule dead-letter queue. */
const eventBridgeMaySend = (queue: string, rule: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queue,
      Condition: { ArnEquals: { 'aws:SourceArn': rule } },
    },
  ],
});

function calendarRole(statements: PolicyDocument['Statement']): FunctionPrincipal {
  return {
    kind: 'function',
    functionName: 'calendar',
    roleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/charterflow-local-CalendarRole`,
    sessionArn: `arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/charterflow-local-CalendarRole/calendar`,
    policies: [{ name: 'calendar-policy', document: { Version: '2012-10-17', Statement: statements } }],
  };
}

function iamOf(options: { functions?: FunctionPrincipal[]; queuePolicies?: Record<string, PolicyDocument> }) {
  return new LocalIam({
    accountId: LOCAL_ACCOUNT_ID,
    functions: new Map((options.functions ?? []).map((fn) => [fn.functionName, fn])),
    accessKeys: new Map(),
    resourcePolicies: new Map(Object.entries(options.queuePolicies ?? {})),
  });
}

async function start(options: Parameters<typeof startBus>[0]): Promise<BusUnderTest> {
  const bus = await startBus(options);
  running.push(bus);
  return bus;
}

async function subscribe(bus: BusUnderTest, fn: string, dlqArn: string) {
  await bus.events.send(
    new PutRuleCommand({ Name: fn, EventPattern: JSON.stringify({ source: ['charterflow.webhook'] }) }),
  );
  await bus.events.send(
    new PutTargetsCommand({
      Rule: fn,
      Targets: [
        {
          Id: fn,
          Arn: lambdaArn(fn),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: dlqArn },
        },
      ],
    }),
  );
}

const booking = (bookingId: string) => ({
  Source: 'charterflow.webhook',
  DetailType: 'BookingReceived',
  Detail: JSON.stringify({ metadata: { bookingId } }),
});

const functionNotFound = (functionArn: string) =>
  Promise.reject(new AwsError('ResourceNotFoundException', `Function not found: ${functionArn}`, 404));

describe("EventBridge's send to a rule's dead-letter queue, with IAM enforced", () => {
  it('is allowed by a queue policy that grants events.amazonaws.com for this rule', async () => {
    const iam = iamOf({
      queuePolicies: { [queueArn('calendar-dlq')]: eventBridgeMaySend(queueArn('calendar-dlq'), ruleArn('calendar')) },
    });
    const bus = await start({ lambda: functionNotFound, iam: () => iam });
    const dlq = await createQueue(bus.sqs, 'calendar-dlq');
    await subscribe(bus, 'calendar', dlq.arn);

    const put = await bus.events.send(new PutEventsCommand({ Entries: [booking('BS-48213')] }));
    await bus.bridge.idle();

    const messages = await drain(bus.sqs, dlq.url);
    expect(messages.map((m) => (JSON.parse(m.Body!) as EventBridgeEvent).id)).toEqual([put.Entries![0]!.EventId]);
    expect(iam.refusals()).toEqual([]);
  });

  it("is refused when the queue's policy grants another rule: the event is dropped and the error says why", async () => {
    const errors = vi.spyOn(deliveryLogger, 'error');
    const iam = iamOf({
      queuePolicies: { [queueArn('calendar-dlq')]: eventBridgeMaySend(queueArn('calendar-dlq'), ruleArn('crew')) },
    });
    const bus = await start({ lambda: functionNotFound, iam: () => iam });
    const dlq = await createQueue(bus.sqs, 'calendar-dlq');
    await subscribe(bus, 'calendar', dlq.arn);

    const put = await bus.events.send(new PutEventsCommand({ Entries: [booking('BS-48213')] }));
    await bus.bridge.idle();

    expect(await drain(bus.sqs, dlq.url)).toEqual([]);
    expect(iam.refusals()).toMatchObject([
      {
        principal: 'events.amazonaws.com',
        action: 'sqs:SendMessage',
        resource: dlq.arn,
        context: { 'aws:SourceArn': ruleArn('calendar'), 'aws:SourceAccount': LOCAL_ACCOUNT_ID },
      },
    ]);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]![0]).toContain('the event is dropped');
    expect(errors.mock.calls[0]![1]).toMatchObject({
      eventId: put.Entries![0]!.EventId,
      ruleArn: ruleArn('calendar'),
      deadLetterQueueArn: dlq.arn,
      refusal: expect.stringContaining('sqs:SendMessage'),
    });
  });

  it('is refused when the queue has no policy: a service has no identity policy of its own', async () => {
    const iam = iamOf({});
    const bus = await start({ lambda: functionNotFound, iam: () => iam });
    const dlq = await createQueue(bus.sqs, 'calendar-dlq');
    await subscribe(bus, 'calendar', dlq.arn);

    await bus.events.send(new PutEventsCommand({ Entries: [booking('BS-48213')] }));
    await bus.bridge.idle();

    expect(await drain(bus.sqs, dlq.url)).toEqual([]);
    expect(iam.refusals().map((r) => [r.principal, r.action, r.resource])).toEqual([
      ['events.amazonaws.com', 'sqs:SendMessage', dlq.arn],
    ]);
  });
});

describe("Lambda's send to a function's dead-letter queue, with IAM enforced", () => {
  const failing = () => Promise.reject(new Error('JADA calendar answered 401: wrong X-Dashboard-Token'));
  const functions = {
    calendar: {
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 3600,
      deadLetterArn: queueArn('calendar-function-dlq'),
    },
  };

  it("is allowed by the function's role", async () => {
    const role = calendarRole([
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [queueArn('calendar-function-dlq')] },
    ]);
    const iam = iamOf({ functions: [role] });
    const bus = await start({ lambda: failing, functions, iam: () => iam });
    const ruleDlq = await createQueue(bus.sqs, 'calendar-rule-dlq');
    const functionDlq = await createQueue(bus.sqs, 'calendar-function-dlq');
    await subscribe(bus, 'calendar', ruleDlq.arn);

    await bus.events.send(new PutEventsCommand({ Entries: [booking('BS-48213')] }));
    await bus.bridge.idle();

    expect(await drain(bus.sqs, functionDlq.url)).toHaveLength(1);
    expect(iam.refusals()).toEqual([]);
  });

  it("is refused when the function's role lacks sqs:SendMessage on it: the event is dropped and logged", async () => {
    const errors = vi.spyOn(deliveryLogger, 'error');
    const role = calendarRole([
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [queueArn('some-other-dlq')] },
    ]);
    const iam = iamOf({ functions: [role] });
    const bus = await start({ lambda: failing, functions, iam: () => iam });
    const ruleDlq = await createQueue(bus.sqs, 'calendar-rule-dlq');
    const functionDlq = await createQueue(bus.sqs, 'calendar-function-dlq');
    await subscribe(bus, 'calendar', ruleDlq.arn);

    await bus.events.send(new PutEventsCommand({ Entries: [booking('BS-48213')] }));
    await bus.bridge.idle();

    expect(await drain(bus.sqs, functionDlq.url)).toEqual([]);
    expect(await drain(bus.sqs, ruleDlq.url)).toEqual([]);
    expect(iam.refusals().map((r) => [r.functionName, r.principal, r.action, r.resource])).toEqual([
      ['calendar', role.sessionArn, 'sqs:SendMessage', functionDlq.arn],
    ]);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]![1]).toMatchObject({
      functionArn: lambdaArn('calendar'),
      deadLetterQueueArn: functionDlq.arn,
      refusal: expect.stringContaining(role.sessionArn),
    });
  });

  it('is refused for a function IAM knows no role for, never let by', async () => {
    const iam = iamOf({});
    const bus = await start({ lambda: failing, functions, iam: () => iam });
    const ruleDlq = await createQueue(bus.sqs, 'calendar-rule-dlq');
    const functionDlq = await createQueue(bus.sqs, 'calendar-function-dlq');
    await subscribe(bus, 'calendar', ruleDlq.arn);
    const errors = vi.spyOn(deliveryLogger, 'error');

    await bus.events.send(new PutEventsCommand({ Entries: [booking('BS-48213')] }));
    await bus.bridge.idle();

    expect(await drain(bus.sqs, functionDlq.url)).toEqual([]);
    expect(errors.mock.calls[0]![1]).toMatchObject({
      refusal: 'IAM knows no role for function calendar: it may not perform sqs:SendMessage',
    });
  });

  it('is not checked while the stack has no IAM (the getter answers undefined)', async () => {
    const bus = await start({ lambda: failing, functions, iam: () => undefined });
    const ruleDlq = await createQueue(bus.sqs, 'calendar-rule-dlq');
    const functionDlq = await createQueue(bus.sqs, 'calendar-function-dlq');
    await subscribe(bus, 'calendar', ruleDlq.arn);

    await bus.events.send(new PutEventsCommand({ Entries: [booking('BS-48213')] }));
    await bus.bridge.idle();

    expect(await drain(bus.sqs, functionDlq.url)).toHaveLength(1);
  });
});
