import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  atCrashPoint,
  CrashPointReached,
  setCrashPlanner,
  underCrashPlan,
  withCrashPoints,
  type CrashPlan,
} from '../../shared/crash-points';

const invocation = () => ({
  consumer: 'calendar',
  detailType: 'BookingReceived',
  bookingId: 'XHQGMDH',
  revision: 1,
  eventId: 'evt-1',
  requestId: 'req-1',
});

/** Three downstream calls in a row, as a consumer makes them; `sent` says which went out. */
async function threeCalls(sent: string[]) {
  for (const name of ['DynamoDB.UpdateItem', 'jada-calendar createCalendarEntry', 'EventBridge.PutEvents']) {
    await atCrashPoint(name, () => {
      sent.push(name);
      return Promise.resolve(name);
    });
  }
  return 'done';
}

afterEach(() => setCrashPlanner(undefined));

describe('crash points', () => {
  it('without a planner, every call goes out and nothing is counted', async () => {
    const sent: string[] = [];
    expect(await underCrashPlan(invocation, () => threeCalls(sent))).toBe('done');
    expect(sent).toHaveLength(3);
  });

  it('a plan without a crash counts the calls in the order they start', async () => {
    const plan: CrashPlan = { calls: [] };
    setCrashPlanner(() => plan);
    const sent: string[] = [];
    expect(await underCrashPlan(invocation, () => threeCalls(sent))).toBe('done');
    expect(plan.calls).toEqual(['DynamoDB.UpdateItem', 'jada-calendar createCalendarEntry', 'EventBridge.PutEvents']);
  });

  it.each([
    ['before', ['DynamoDB.UpdateItem']],
    ['after', ['DynamoDB.UpdateItem', 'jada-calendar createCalendarEntry']],
  ] as const)('a crash %s call 2 stops the invocation there: no later call goes out', async (phase, expected) => {
    const plan: CrashPlan = { at: 2, phase, calls: [] };
    const seen: unknown[] = [];
    setCrashPlanner((asked) => {
      seen.push(asked);
      return plan;
    });
    const sent: string[] = [];
    const failure = await underCrashPlan(invocation, () => threeCalls(sent)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CrashPointReached);
    expect(failure).toMatchObject({ at: 2, phase, call: 'jada-calendar createCalendarEntry' });
    expect(sent).toEqual(expected);
    expect(seen).toEqual([invocation()]);
  });

  it('a consumer that swallows the crash still fails with it, and its later calls do not go out', async () => {
    setCrashPlanner(() => ({ at: 1, phase: 'after', calls: [] }));
    const sent: string[] = [];
    const failure = await underCrashPlan(invocation, async () => {
      await threeCalls(sent).catch(() => undefined);
      await atCrashPoint('DynamoDB.UpdateItem', () => Promise.resolve(sent.push('release'))).catch(() => undefined);
      return 'carried on';
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CrashPointReached);
    expect(sent).toEqual(['DynamoDB.UpdateItem']);
  });

  it('a call that failed is a crash point after it too', async () => {
    setCrashPlanner(() => ({ at: 1, phase: 'after', calls: [] }));
    const failure = await underCrashPlan(invocation, () =>
      atCrashPoint('DynamoDB.UpdateItem', () => Promise.reject(new Error('ConditionalCheckFailed'))),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CrashPointReached);
  });

  it('SDK clients get the middleware only when CHARTERFLOW_CRASH_POINTS is set, and name each call by service and operation', async () => {
    const endpoint = 'http://127.0.0.1:9';
    const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
    const plain = withCrashPoints(new DynamoDBClient({ region: 'us-west-2', endpoint, credentials }), {});
    expect(plain.middlewareStack.identify().some((name) => name.startsWith('charterflowCrashPoints'))).toBe(false);

    const client = withCrashPoints(new DynamoDBClient({ region: 'us-west-2', endpoint, credentials, maxAttempts: 1 }), {
      CHARTERFLOW_CRASH_POINTS: '1',
    });
    const plan: CrashPlan = { at: 1, phase: 'before', calls: [] };
    setCrashPlanner(() => plan);
    const failure = await underCrashPlan(invocation, () =>
      client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } })),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CrashPointReached);
    expect(plan.calls).toEqual(['DynamoDB.GetItem']);
    client.destroy();
    plain.destroy();
  });
});
