import { afterEach, describe, expect, it } from 'vitest';
import {
  CancelReplayCommand,
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  ListArchivesCommand,
  ListReplaysCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { LOCAL_ACCOUNT_ID } from '../../../../local/aws/service';
import { createQueue, drain, lambdaArn, REGION, startBus, tempDir, type BusUnderTest } from './helpers';

const running: BusUnderTest[] = [];
const dirs: Array<{ remove(): void }> = [];
afterEach(async () => {
  for (const bus of running.splice(0)) await bus.stop();
  for (const dir of dirs.splice(0)) dir.remove();
});

async function start(options: Parameters<typeof startBus>[0] = {}): Promise<BusUnderTest> {
  const bus = await startBus(options);
  running.push(bus);
  return bus;
}

const BUS = 'charterflow-local';
const busArn = `arn:aws:events:${REGION}:${LOCAL_ACCOUNT_ID}:event-bus/${BUS}`;
const archiveArn = (name: string) => `arn:aws:events:${REGION}:${LOCAL_ACCOUNT_ID}:archive/${name}`;
const ruleArn = (name: string) => `arn:aws:events:${REGION}:${LOCAL_ACCOUNT_ID}:rule/${BUS}/${name}`;

/** Hours of a day that is past (replay windows must end before now), so windows are exact. */
const DAY = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000;
const at = (hour: number) => new Date(DAY + hour * 3_600_000);
const booking = (bookingId: string, hour: number, detailType = 'BookingReceived') => ({
  EventBusName: BUS,
  Source: 'charterflow.webhook',
  DetailType: detailType,
  Detail: JSON.stringify({ metadata: { bookingId } }),
  Time: at(hour),
});

async function setUp(bus: BusUnderTest): Promise<void> {
  await bus.events.send(new CreateEventBusCommand({ Name: BUS }));
  for (const name of ['calendar', 'ledger']) {
    await bus.events.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: BUS,
        EventPattern: JSON.stringify({ source: ['charterflow.webhook'] }),
      }),
    );
    await bus.events.send(
      new PutTargetsCommand({
        Rule: name,
        EventBusName: BUS,
        Targets: [{ Id: name, Arn: lambdaArn(`charterflow-local-${name}`) }],
      }),
    );
  }
}

async function waitForReplay(bus: BusUnderTest, name: string): Promise<string[]> {
  const states: string[] = [];
  for (let i = 0; i < 200; i++) {
    const { State } = await bus.events.send(new DescribeReplayCommand({ ReplayName: name }));
    if (states[states.length - 1] !== State) states.push(State!);
    if (State === 'COMPLETED' || State === 'FAILED' || State === 'CANCELLED') return states;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`replay ${name} did not finish: ${states.join(' -> ')}`);
}

const bookingIdOf = (event: { detail: unknown }) =>
  (event.detail as { metadata: { bookingId: string } }).metadata.bookingId;

describe('archives', () => {
  it('creates, lists, describes (EventCount, SizeBytes) and deletes an archive; a pattern narrows what it keeps', async () => {
    const bus = await start();
    await setUp(bus);
    const created = await bus.events.send(
      new CreateArchiveCommand({ ArchiveName: 'everything', EventSourceArn: busArn, RetentionDays: 365 }),
    );
    expect(created).toMatchObject({ ArchiveArn: archiveArn('everything'), State: 'ENABLED' });
    await bus.events.send(
      new CreateArchiveCommand({
        ArchiveName: 'crew-only',
        EventSourceArn: busArn,
        EventPattern: JSON.stringify({ 'detail-type': ['CrewEventCreated'] }),
      }),
    );
    await expect(
      bus.events.send(new CreateArchiveCommand({ ArchiveName: 'everything', EventSourceArn: busArn })),
    ).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });

    await bus.events.send(
      new PutEventsCommand({ Entries: [booking('AAA111', 1), booking('BBB222', 2, 'CrewEventCreated')] }),
    );
    const everything = await bus.events.send(new DescribeArchiveCommand({ ArchiveName: 'everything' }));
    expect(everything).toMatchObject({ EventCount: 2, RetentionDays: 365, EventSourceArn: busArn, State: 'ENABLED' });
    expect(everything.SizeBytes).toBeGreaterThan(0);
    const crewOnly = await bus.events.send(new DescribeArchiveCommand({ ArchiveName: 'crew-only' }));
    expect(crewOnly.EventCount).toBe(1);

    const listed = await bus.events.send(new ListArchivesCommand({ EventSourceArn: busArn }));
    expect(listed.Archives?.map((a) => [a.ArchiveName, a.EventCount])).toEqual([
      ['crew-only', 1],
      ['everything', 2],
    ]);
    await bus.events.send(new DeleteArchiveCommand({ ArchiveName: 'crew-only' }));
    await expect(bus.events.send(new DescribeArchiveCommand({ ArchiveName: 'crew-only' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('replay', () => {
  it('after a restart, replays exactly the events of the window to every rule, with replay-name, and completes', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await startBus({ dataDir: dir.path });
    await setUp(first);
    await first.events.send(new CreateArchiveCommand({ ArchiveName: 'everything', EventSourceArn: busArn }));
    const put = await first.events.send(
      new PutEventsCommand({
        Entries: [booking('HOUR01', 1), booking('HOUR02', 2), booking('HOUR03', 3), booking('HOUR05', 5)],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    await first.bridge.idle();
    expect(first.invocations).toHaveLength(8);
    await first.stop();

    const second = await start({ dataDir: dir.path });
    expect((await second.events.send(new DescribeArchiveCommand({ ArchiveName: 'everything' }))).EventCount).toBe(4);
    const started = await second.events.send(
      new StartReplayCommand({
        ReplayName: 'hours-2-to-4',
        EventSourceArn: archiveArn('everything'),
        EventStartTime: at(2),
        EventEndTime: at(4),
        Destination: { Arn: busArn },
      }),
    );
    expect(started.State).toBe('STARTING');
    const states = await waitForReplay(second, 'hours-2-to-4');
    expect(states[states.length - 1]).toBe('COMPLETED');
    await second.bridge.idle();

    const replayed = second.invocations;
    expect(replayed.map((i) => `${i.functionArn.split(':').pop()} ${bookingIdOf(i.event)}`).sort()).toEqual([
      'charterflow-local-calendar HOUR02',
      'charterflow-local-calendar HOUR03',
      'charterflow-local-ledger HOUR02',
      'charterflow-local-ledger HOUR03',
    ]);
    expect(replayed.every((i) => i.event['replay-name'] === 'hours-2-to-4')).toBe(true);
    const originalIds = new Set(put.Entries!.map((e) => e.EventId));
    expect(replayed.some((i) => originalIds.has(i.event.id))).toBe(false);

    const described = await second.events.send(new DescribeReplayCommand({ ReplayName: 'hours-2-to-4' }));
    expect(described).toMatchObject({
      State: 'COMPLETED',
      EventSourceArn: archiveArn('everything'),
      Destination: { Arn: busArn },
    });
    expect(described.EventLastReplayedTime?.toISOString()).toBe(at(3).toISOString());
    expect(described.ReplayEndTime).toBeInstanceOf(Date);

    // Replayed events are not archived again (as in AWS).
    expect((await second.events.send(new DescribeArchiveCommand({ ArchiveName: 'everything' }))).EventCount).toBe(4);
    const listed = await second.events.send(new ListReplaysCommand({ EventSourceArn: archiveArn('everything') }));
    expect(listed.Replays?.map((r) => [r.ReplayName, r.State])).toEqual([['hours-2-to-4', 'COMPLETED']]);
  });

  it('finishes a replay that the stop of the stack interrupted, after the restart', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await startBus({ dataDir: dir.path });
    await setUp(first);
    await first.events.send(new CreateArchiveCommand({ ArchiveName: 'everything', EventSourceArn: busArn }));
    await first.events.send(new PutEventsCommand({ Entries: [booking('STOP01', 1), booking('STOP02', 2)] }));
    await first.bridge.idle();
    // In-process and back to back: the stop lands before the replay re-sends anything.
    await first.bridge.handle(
      'StartReplay',
      {
        ReplayName: 'interrupted',
        EventSourceArn: archiveArn('everything'),
        EventStartTime: at(0).getTime() / 1000,
        EventEndTime: at(23).getTime() / 1000,
        Destination: { Arn: busArn, FilterArns: [ruleArn('ledger')] },
      },
      { region: REGION, accountId: LOCAL_ACCOUNT_ID, headers: {} },
    );
    await first.stop();

    const second = await start({ dataDir: dir.path });
    const states = await waitForReplay(second, 'interrupted');
    expect(states[states.length - 1]).toBe('COMPLETED');
    await second.bridge.idle();
    expect(second.invocations.map((i) => `${bookingIdOf(i.event)} ${i.event['replay-name']}`).sort()).toEqual([
      'STOP01 interrupted',
      'STOP02 interrupted',
    ]);
  });

  it('delivers only to the rules in Destination.FilterArns', async () => {
    const bus = await start();
    await setUp(bus);
    const tap = await createQueue(bus.sqs, 'replay-tap');
    await bus.events.send(
      new PutRuleCommand({
        Name: 'tap',
        EventBusName: BUS,
        EventPattern: JSON.stringify({ source: [{ prefix: 'charterflow.' }] }),
      }),
    );
    await bus.events.send(
      new PutTargetsCommand({ Rule: 'tap', EventBusName: BUS, Targets: [{ Id: 'q', Arn: tap.arn }] }),
    );
    await bus.events.send(new CreateArchiveCommand({ ArchiveName: 'all', EventSourceArn: busArn }));
    await bus.events.send(new PutEventsCommand({ Entries: [booking('FILT01', 1), booking('FILT02', 2)] }));
    await bus.bridge.idle();
    await drain(bus.sqs, tap.url);
    bus.invocations.length = 0;

    await bus.events.send(
      new StartReplayCommand({
        ReplayName: 'ledger-backfill',
        EventSourceArn: archiveArn('all'),
        EventStartTime: at(0),
        EventEndTime: at(23),
        Destination: { Arn: busArn, FilterArns: [ruleArn('ledger')] },
      }),
    );
    await waitForReplay(bus, 'ledger-backfill');
    await bus.bridge.idle();
    expect(bus.invocations.map((i) => i.functionArn)).toEqual([
      lambdaArn('charterflow-local-ledger'),
      lambdaArn('charterflow-local-ledger'),
    ]);
    expect(bus.invocations.map((i) => bookingIdOf(i.event))).toEqual(['FILT01', 'FILT02']);
    expect(await drain(bus.sqs, tap.url)).toEqual([]);
  });

  it('validates the replay request as AWS does', async () => {
    const bus = await start();
    await setUp(bus);
    await bus.events.send(new CreateArchiveCommand({ ArchiveName: 'all', EventSourceArn: busArn }));
    const base = {
      EventSourceArn: archiveArn('all'),
      EventStartTime: at(2),
      EventEndTime: at(4),
      Destination: { Arn: busArn },
    };
    await expect(
      bus.events.send(
        new StartReplayCommand({ ...base, ReplayName: 'backwards', EventStartTime: at(4), EventEndTime: at(2) }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      bus.events.send(new StartReplayCommand({ ...base, ReplayName: 'missing', EventSourceArn: archiveArn('nope') })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      bus.events.send(
        new StartReplayCommand({ ...base, ReplayName: 'cross', Destination: { Arn: busArn.replace(BUS, 'default') } }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('Cross event bus') });
    await expect(
      bus.events.send(
        new StartReplayCommand({
          ...base,
          ReplayName: 'bad-filter',
          Destination: { Arn: busArn, FilterArns: [ruleArn('nope')] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await bus.events.send(new StartReplayCommand({ ...base, ReplayName: 'once' }));
    await expect(bus.events.send(new StartReplayCommand({ ...base, ReplayName: 'once' }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
    });
    await waitForReplay(bus, 'once');
    await expect(bus.events.send(new CancelReplayCommand({ ReplayName: 'once' }))).rejects.toMatchObject({
      name: 'IllegalStatusException',
    });
  });

  it('cancels a replay that is still running', async () => {
    const bus = await start();
    await setUp(bus);
    await bus.events.send(new CreateArchiveCommand({ ArchiveName: 'big', EventSourceArn: busArn }));
    for (let batch = 0; batch < 50; batch++)
      await bus.events.send(
        new PutEventsCommand({
          Entries: Array.from({ length: 10 }, (_, i) => booking(`BIG${batch}X${i}`, 1 + (i % 20))),
        }),
      );
    await bus.bridge.idle();
    bus.invocations.length = 0;
    // In-process, back to back: over HTTP the replay of 500 events could finish before the cancel arrives.
    const context = { region: REGION, accountId: LOCAL_ACCOUNT_ID, headers: {} };
    await bus.bridge.handle(
      'StartReplay',
      {
        ReplayName: 'big-one',
        EventSourceArn: archiveArn('big'),
        EventStartTime: at(0).getTime() / 1000,
        EventEndTime: at(23).getTime() / 1000,
        Destination: { Arn: busArn },
      },
      context,
    );
    const cancelled = (await bus.bridge.handle('CancelReplay', { ReplayName: 'big-one' }, context)) as {
      State: string;
    };
    expect(cancelled.State).toBe('CANCELLING');
    const states = await waitForReplay(bus, 'big-one');
    expect(states[states.length - 1]).toBe('CANCELLED');
    await bus.bridge.idle();
    expect(bus.invocations).toHaveLength(0);
  });
});
