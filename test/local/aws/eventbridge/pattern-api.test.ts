import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { startBus, type BusUnderTest } from './helpers';
import { eventBridgeEvent, invalidPatternCases, patternCases, type PatternCase } from './pattern-cases';

/**
 * Every pattern case through the API (TestEventPattern) and through live routing (a rule per case on its own
 * bus, an SQS target, PutEvents, then the queue says whether the event was delivered).
 */

const patternText = (pattern: unknown): string => (typeof pattern === 'string' ? pattern : JSON.stringify(pattern));

// The bus writes account, region, id and version itself: run it as the account and region of the cases.
const envelope = eventBridgeEvent({ source: 's', detailType: 'd' });
const ACCOUNT = envelope.account as string;
const REGION = envelope.region as string;
const ENVELOPE_KEYS = new Set([
  'version',
  'id',
  'detail-type',
  'source',
  'account',
  'time',
  'region',
  'resources',
  'detail',
]);

/** Whether PutEvents can reproduce the case's event exactly (the bus sets id, account, region itself). */
function routable(c: PatternCase): boolean {
  const e = c.event as Record<string, unknown>;
  return (
    Object.keys(e).every((k) => ENVELOPE_KEYS.has(k)) &&
    e.version === '0' &&
    e.account === ACCOUNT &&
    e.region === REGION &&
    typeof e.source === 'string' &&
    e.source !== '' &&
    typeof e['detail-type'] === 'string' &&
    e['detail-type'] !== '' &&
    typeof e.time === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(e.time) &&
    Array.isArray(e.resources) &&
    e.resources.every((r) => typeof r === 'string') &&
    e.detail !== null &&
    typeof e.detail === 'object' &&
    !Array.isArray(e.detail) &&
    !('id' in (c.pattern as object)) &&
    !('version' in (c.pattern as object))
  );
}

let bus: BusUnderTest;
beforeAll(async () => {
  bus = await startBus({ region: REGION, accountId: ACCOUNT });
});
afterAll(async () => {
  await bus.stop();
});

describe('TestEventPattern gives the expected result for every pattern case', () => {
  it.each(patternCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { Result } = await bus.events.send(
      new TestEventPatternCommand({ EventPattern: patternText(c.pattern), Event: JSON.stringify(c.event) }),
    );
    expect(Result).toBe(c.matches);
  });
});

describe('invalid patterns are rejected like EventBridge rejects them', () => {
  it.each(invalidPatternCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const event = JSON.stringify(eventBridgeEvent({ source: 'aws.ec2', detailType: 'x' }));
    const tested = bus.events.send(new TestEventPatternCommand({ EventPattern: patternText(c.pattern), Event: event }));
    await expect(tested).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
    if (c.reason) await expect(tested).rejects.toThrow(c.reason);
    await expect(
      bus.events.send(new PutRuleCommand({ Name: 'invalid-pattern', EventPattern: patternText(c.pattern) })),
    ).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  });
});

describe('live routing delivers an event exactly when its pattern case matches', () => {
  const cases = patternCases.filter(routable);

  it('covers nearly every case (those whose event PutEvents can reproduce)', () => {
    expect(cases.length / patternCases.length).toBeGreaterThan(0.9);
  });

  it('routes each case by its own rule to its own queue', { timeout: 120_000 }, async () => {
    // One bus holds a rule per case, each with its own SQS queue; every case's event is put once, and the
    // case's queue must hold that event exactly when the case says it matches.
    const busName = 'pattern-cases';
    await bus.events.send(new CreateEventBusCommand({ Name: busName }));
    const queueArns = cases.map((_, i) => bus.queues.createQueue(`pattern-case-${i}`).arn);
    for (let i = 0; i < cases.length; i += 10) {
      await Promise.all(
        cases.slice(i, i + 10).map(async (c, j) => {
          const rule = `case-${i + j}`;
          await bus.events.send(
            new PutRuleCommand({ Name: rule, EventBusName: busName, EventPattern: patternText(c.pattern) }),
          );
          await bus.events.send(
            new PutTargetsCommand({
              Rule: rule,
              EventBusName: busName,
              Targets: [{ Id: 'queue', Arn: queueArns[i + j]! }],
            }),
          );
        }),
      );
    }
    const eventIds: string[] = [];
    for (let i = 0; i < cases.length; i += 10) {
      const put = await bus.events.send(
        new PutEventsCommand({
          Entries: cases.slice(i, i + 10).map((c) => {
            const e = c.event as Record<string, unknown>;
            return {
              EventBusName: busName,
              Source: e.source as string,
              DetailType: e['detail-type'] as string,
              Detail: JSON.stringify(e.detail),
              Resources: e.resources as string[],
              Time: new Date(e.time as string),
            };
          }),
        }),
      );
      expect(put.FailedEntryCount).toBe(0);
      eventIds.push(...put.Entries!.map((entry) => entry.EventId!));
    }
    await bus.bridge.idle();

    const delivered = await Promise.all(
      queueArns.map(async (arn) => {
        const ids = new Set<string>();
        for (;;) {
          const batch = await bus.queues.receiveMessages(arn, { max: 10, waitSeconds: 0, visibilityTimeout: 300 });
          if (batch.length === 0) return ids;
          for (const m of batch) ids.add((JSON.parse(m.body) as { id: string }).id);
        }
      }),
    );
    const wrong = cases.filter((c, i) => delivered[i]!.has(eventIds[i]!) !== c.matches).map((c) => c.name);
    expect(wrong).toEqual([]);
  });
});
