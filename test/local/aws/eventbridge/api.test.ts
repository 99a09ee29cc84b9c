import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { LOCAL_ACCOUNT_ID } from '../../../../local/aws/service';
import { entrySize, MAX_REQUEST_BYTES } from '../../../../local/aws/eventbridge/buses';
import { createQueue, drain, lambdaArn, REGION, startBus, type BusUnderTest } from './helpers';

let bus: BusUnderTest;
beforeAll(async () => {
  bus = await startBus();
});
afterAll(async () => {
  await bus.stop();
});

const busArn = (name: string) => `arn:aws:events:${REGION}:${LOCAL_ACCOUNT_ID}:event-bus/${name}`;
const entry = (over: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: 'charterflow.webhook',
  DetailType: 'BookingReceived',
  Detail: JSON.stringify({ metadata: { bookingId: 'XHQGMDH' } }),
  ...over,
});

describe('event buses', () => {
  it('has the default bus and describes it when no name is given', async () => {
    const described = await bus.events.send(new DescribeEventBusCommand({}));
    expect(described.Name).toBe('default');
    expect(described.Arn).toBe(busArn('default'));
  });

  it('creates a bus, refuses a second one of that name, lists and describes it by name or ARN', async () => {
    const created = await bus.events.send(new CreateEventBusCommand({ Name: 'charterflow-api' }));
    expect(created.EventBusArn).toBe(busArn('charterflow-api'));
    await expect(bus.events.send(new CreateEventBusCommand({ Name: 'charterflow-api' }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
    });
    const listed = await bus.events.send(new ListEventBusesCommand({ NamePrefix: 'charterflow-api' }));
    expect(listed.EventBuses?.map((b) => b.Name)).toEqual(['charterflow-api']);
    const byArn = await bus.events.send(new DescribeEventBusCommand({ Name: busArn('charterflow-api') }));
    expect(byArn.Name).toBe('charterflow-api');
    expect(byArn.CreationTime).toBeInstanceOf(Date);
  });

  it('answers ResourceNotFoundException for a bus that does not exist', async () => {
    await expect(bus.events.send(new DescribeEventBusCommand({ Name: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Event bus nope does not exist.',
    });
  });
});

describe('rules and targets', () => {
  const pattern = JSON.stringify({ source: ['charterflow.webhook'], 'detail-type': ['BookingReceived'] });

  it('puts, describes, lists, disables, enables and deletes a rule', async () => {
    await bus.events.send(new CreateEventBusCommand({ Name: 'rules-bus' }));
    const put = await bus.events.send(
      new PutRuleCommand({
        Name: 'calendar',
        EventBusName: 'rules-bus',
        EventPattern: pattern,
        Description: 'calendar entries',
      }),
    );
    expect(put.RuleArn).toBe(`arn:aws:events:${REGION}:${LOCAL_ACCOUNT_ID}:rule/rules-bus/calendar`);
    const described = await bus.events.send(new DescribeRuleCommand({ Name: 'calendar', EventBusName: 'rules-bus' }));
    expect(described).toMatchObject({
      Name: 'calendar',
      EventPattern: pattern,
      State: 'ENABLED',
      EventBusName: 'rules-bus',
    });

    await bus.events.send(new DisableRuleCommand({ Name: 'calendar', EventBusName: 'rules-bus' }));
    expect(
      (await bus.events.send(new DescribeRuleCommand({ Name: 'calendar', EventBusName: 'rules-bus' }))).State,
    ).toBe('DISABLED');
    await bus.events.send(new EnableRuleCommand({ Name: 'calendar', EventBusName: 'rules-bus' }));
    expect(
      (await bus.events.send(new DescribeRuleCommand({ Name: 'calendar', EventBusName: 'rules-bus' }))).State,
    ).toBe('ENABLED');

    await bus.events.send(new PutRuleCommand({ Name: 'crew', EventBusName: 'rules-bus', EventPattern: pattern }));
    const listed = await bus.events.send(new ListRulesCommand({ EventBusName: 'rules-bus' }));
    expect(listed.Rules?.map((r) => r.Name)).toEqual(['calendar', 'crew']);
    const paged = await bus.events.send(new ListRulesCommand({ EventBusName: 'rules-bus', Limit: 1 }));
    expect(paged.Rules?.map((r) => r.Name)).toEqual(['calendar']);
    const next = await bus.events.send(
      new ListRulesCommand({ EventBusName: 'rules-bus', Limit: 1, NextToken: paged.NextToken }),
    );
    expect(next.Rules?.map((r) => r.Name)).toEqual(['crew']);

    await bus.events.send(new DeleteRuleCommand({ Name: 'crew', EventBusName: 'rules-bus' }));
    await expect(
      bus.events.send(new DescribeRuleCommand({ Name: 'crew', EventBusName: 'rules-bus' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('rejects an invalid event pattern as EventBridge does', async () => {
    await expect(
      bus.events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source": "not-an-array"}' })),
    ).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
    await expect(bus.events.send(new PutRuleCommand({ Name: 'no-pattern' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('puts, lists and removes Lambda and SQS targets; a rule with targets cannot be deleted', async () => {
    const queue = await createQueue(bus.sqs, 'tap-targets');
    await bus.events.send(new PutRuleCommand({ Name: 'targets-rule', EventPattern: pattern }));
    const put = await bus.events.send(
      new PutTargetsCommand({
        Rule: 'targets-rule',
        Targets: [
          {
            Id: 'calendar',
            Arn: lambdaArn('charterflow-local-calendar'),
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
            DeadLetterConfig: { Arn: queue.arn },
          },
          { Id: 'tap', Arn: queue.arn },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const listed = await bus.events.send(new ListTargetsByRuleCommand({ Rule: 'targets-rule' }));
    expect(listed.Targets).toEqual([
      {
        Id: 'calendar',
        Arn: lambdaArn('charterflow-local-calendar'),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
        DeadLetterConfig: { Arn: queue.arn },
      },
      { Id: 'tap', Arn: queue.arn },
    ]);

    await expect(bus.events.send(new DeleteRuleCommand({ Name: 'targets-rule' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: "Rule can't be deleted since it has targets.",
    });
    await bus.events.send(new RemoveTargetsCommand({ Rule: 'targets-rule', Ids: ['calendar', 'tap'] }));
    expect((await bus.events.send(new ListTargetsByRuleCommand({ Rule: 'targets-rule' }))).Targets).toEqual([]);
    await bus.events.send(new DeleteRuleCommand({ Name: 'targets-rule' }));
  });

  it('refuses targets on a rule that does not exist and retry policies out of range', async () => {
    await expect(
      bus.events.send(new PutTargetsCommand({ Rule: 'missing', Targets: [{ Id: 'x', Arn: lambdaArn('x') }] })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await bus.events.send(new PutRuleCommand({ Name: 'range', EventPattern: pattern }));
    await expect(
      bus.events.send(
        new PutTargetsCommand({
          Rule: 'range',
          Targets: [{ Id: 'x', Arn: lambdaArn('x'), RetryPolicy: { MaximumRetryAttempts: 186 } }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('PutEvents', () => {
  it('returns before delivery, with an id per entry, and delivers to the SQS target', async () => {
    const queue = await createQueue(bus.sqs, 'put-events-tap');
    await bus.events.send(new CreateEventBusCommand({ Name: 'put-bus' }));
    await bus.events.send(
      new PutRuleCommand({
        Name: 'tap',
        EventBusName: 'put-bus',
        EventPattern: JSON.stringify({ source: ['charterflow.webhook'] }),
      }),
    );
    await bus.events.send(
      new PutTargetsCommand({ Rule: 'tap', EventBusName: 'put-bus', Targets: [{ Id: 'q', Arn: queue.arn }] }),
    );

    const result = await bus.events.send(
      new PutEventsCommand({
        Entries: [
          entry({ EventBusName: busArn('put-bus'), Resources: ['arn:aws:s3:::queenofsandiego.com'] }),
          entry({ EventBusName: 'put-bus', Source: 'charterflow.calendar', DetailType: 'CalendarEntryCreated' }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries?.every((e) => typeof e.EventId === 'string')).toBe(true);

    await bus.bridge.idle();
    const messages = await drain(bus.sqs, queue.url);
    expect(messages).toHaveLength(1);
    const delivered = JSON.parse(messages[0]!.Body!);
    expect(delivered).toMatchObject({
      version: '0',
      id: result.Entries![0]!.EventId,
      'detail-type': 'BookingReceived',
      source: 'charterflow.webhook',
      account: LOCAL_ACCOUNT_ID,
      region: REGION,
      resources: ['arn:aws:s3:::queenofsandiego.com'],
      detail: { metadata: { bookingId: 'XHQGMDH' } },
    });
    expect(delivered.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(delivered).not.toHaveProperty('replay-name');
  });

  it('uses the entry Time when given', async () => {
    const queue = await createQueue(bus.sqs, 'time-tap');
    await bus.events.send(
      new PutRuleCommand({ Name: 'time-tap', EventPattern: JSON.stringify({ source: ['time.test'] }) }),
    );
    await bus.events.send(new PutTargetsCommand({ Rule: 'time-tap', Targets: [{ Id: 'q', Arn: queue.arn }] }));
    await bus.events.send(
      new PutEventsCommand({ Entries: [entry({ Source: 'time.test', Time: new Date('2026-11-24T17:03:00Z') })] }),
    );
    await bus.bridge.idle();
    const [message] = await drain(bus.sqs, queue.url);
    expect(JSON.parse(message!.Body!).time).toBe('2026-11-24T17:03:00Z');
  });

  it('fails only the bad entries, naming what is wrong, and counts them', async () => {
    const result = await bus.events.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          entry({ Source: undefined }),
          entry({ DetailType: undefined }),
          entry({ Detail: undefined }),
          entry({ Detail: '{"unterminated": ' }),
          entry({ EventBusName: 'no-such-bus' }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(5);
    const [ok, noSource, noType, noDetail, badJson, noBus] = result.Entries!;
    expect(ok!.EventId).toBeTruthy();
    expect(noSource).toMatchObject({ ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('Source') });
    expect(noType).toMatchObject({ ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('DetailType') });
    expect(noDetail).toMatchObject({ ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('Detail') });
    expect(badJson).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(noBus).toMatchObject({ ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('no-such-bus') });
    expect(noSource!.EventId).toBeUndefined();
  });

  it('takes at most 10 entries', async () => {
    await expect(
      bus.events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('refuses a request over 256 KB, sized as AWS sizes entries, and accepts one exactly at the limit', async () => {
    const base = entry({ Detail: '{"pad":""}', Time: new Date() });
    const room = MAX_REQUEST_BYTES - entrySize(base as Record<string, unknown>);
    const atLimit = entry({ Detail: `{"pad":"${'x'.repeat(room)}"}`, Time: new Date() });
    expect(entrySize(atLimit as Record<string, unknown>)).toBe(MAX_REQUEST_BYTES);
    const accepted = await bus.events.send(new PutEventsCommand({ Entries: [atLimit] }));
    expect(accepted.FailedEntryCount).toBe(0);

    const over = entry({ Detail: `{"pad":"${'x'.repeat(room + 1)}"}`, Time: new Date() });
    await expect(bus.events.send(new PutEventsCommand({ Entries: [over] }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    });
    const half = entry({ Detail: `{"pad":"${'é'.repeat(70_000)}"}` });
    await expect(bus.events.send(new PutEventsCommand({ Entries: [half, half] }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('does not deliver to a disabled rule', async () => {
    const queue = await createQueue(bus.sqs, 'disabled-tap');
    await bus.events.send(
      new PutRuleCommand({ Name: 'off', EventPattern: JSON.stringify({ source: ['off.test'] }), State: 'DISABLED' }),
    );
    await bus.events.send(new PutTargetsCommand({ Rule: 'off', Targets: [{ Id: 'q', Arn: queue.arn }] }));
    await bus.events.send(new PutEventsCommand({ Entries: [entry({ Source: 'off.test' })] }));
    await bus.bridge.idle();
    expect(await drain(bus.sqs, queue.url)).toEqual([]);
  });
});

describe('target input', () => {
  it('sends a target its constant Input, or the part of the event its InputPath selects', async () => {
    const constant = await createQueue(bus.sqs, 'input-constant');
    const path = await createQueue(bus.sqs, 'input-path');
    await bus.events.send(
      new PutRuleCommand({ Name: 'inputs', EventPattern: JSON.stringify({ source: ['input.test'] }) }),
    );
    await bus.events.send(
      new PutTargetsCommand({
        Rule: 'inputs',
        Targets: [
          { Id: 'constant', Arn: constant.arn, Input: '{"wake":"up"}' },
          { Id: 'path', Arn: path.arn, InputPath: '$.detail.metadata' },
        ],
      }),
    );
    await bus.events.send(new PutEventsCommand({ Entries: [entry({ Source: 'input.test' })] }));
    await bus.bridge.idle();
    expect((await drain(bus.sqs, constant.url)).map((m) => JSON.parse(m.Body!))).toEqual([{ wake: 'up' }]);
    expect((await drain(bus.sqs, path.url)).map((m) => JSON.parse(m.Body!))).toEqual([{ bookingId: 'XHQGMDH' }]);
    const names = await bus.events.send(new ListRuleNamesByTargetCommand({ TargetArn: path.arn }));
    expect(names.RuleNames).toEqual(['inputs']);
  });
});

describe('TestEventPattern', () => {
  const event = JSON.stringify({
    id: '1',
    account: LOCAL_ACCOUNT_ID,
    source: 'charterflow.crew',
    time: '2026-11-24T17:03:00Z',
    region: REGION,
    'detail-type': 'CrewEventCreated',
    resources: [],
    detail: { data: { booking: { partySize: 6 } } },
  });

  it('matches and does not match', async () => {
    const yes = await bus.events.send(
      new TestEventPatternCommand({ EventPattern: JSON.stringify({ source: ['charterflow.crew'] }), Event: event }),
    );
    expect(yes.Result).toBe(true);
    const no = await bus.events.send(
      new TestEventPatternCommand({ EventPattern: JSON.stringify({ source: ['charterflow.scrub'] }), Event: event }),
    );
    expect(no.Result).toBe(false);
  });

  it('rejects an invalid pattern and an event without the envelope fields', async () => {
    await expect(
      bus.events.send(new TestEventPatternCommand({ EventPattern: '{"source": 1}', Event: event })),
    ).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
    await expect(
      bus.events.send(new TestEventPatternCommand({ EventPattern: '{"source": ["a"]}', Event: '{"source": "a"}' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('operations charterflow local does not emulate', () => {
  it('answer with a clear error, not a hang', async () => {
    await expect(
      bus.bridge.handle('CreateConnection', {}, { region: REGION, accountId: LOCAL_ACCOUNT_ID, headers: {} }),
    ).rejects.toMatchObject({
      message: 'not supported by charterflow local: events.CreateConnection',
    });
  });
});
