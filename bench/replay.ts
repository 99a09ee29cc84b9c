import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { discoverServices } from '../deploy/discover';
import { busName, region } from '../shared/config';
import { archiveName, deployedNames } from '../shared/declaration';
import type { BenchStack, Invocation } from './harness';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReplayFigures {
  /** Events in the archive, all replayed. */
  archivedEvents: number;
  seconds: number;
  eventsPerSecond: number;
  /** Consumer invocations the replay caused (an event goes to every consumer whose rule matches it). */
  invocations: Invocation[];
}

/**
 * Replays the whole archive to the consumers' rules (Destination.FilterArns, so the bench's own taps are left
 * out), as `npx charterflow replay` does, and times it from StartReplay to the bus being idle again.
 */
export async function runReplay(bench: BenchStack, since: Date): Promise<ReplayFigures> {
  const events = new EventBridgeClient({ region: region(), endpoint: bench.stack.endpoints.aws });
  try {
    const bus = busName();
    const {
      ArchiveArn,
      EventSourceArn,
      EventCount = 0,
    } = await events.send(new DescribeArchiveCommand({ ArchiveName: archiveName() }));
    const filterArns: string[] = [];
    for (const service of await discoverServices()) {
      if (service.declaration.kind !== 'consumer') continue;
      const { Arn } = await events.send(
        new DescribeRuleCommand({ Name: deployedNames(service.name).ruleName, EventBusName: bus }),
      );
      filterArns.push(Arn!);
    }
    // EventEndTime may not be in the future, and the window is whole seconds: wait for the last second to pass.
    await sleep(1_100);
    const before = bench.invocations.length;
    const started = performance.now();
    const ReplayName = `bench-${Date.now()}`;
    await events.send(
      new StartReplayCommand({
        ReplayName,
        EventSourceArn: ArchiveArn,
        EventStartTime: since,
        EventEndTime: new Date(),
        Destination: { Arn: EventSourceArn, FilterArns: filterArns },
      }),
    );
    for (;;) {
      const { State, StateReason } = await events.send(new DescribeReplayCommand({ ReplayName }));
      if (State === 'COMPLETED') break;
      if (State === 'FAILED' || State === 'CANCELLED')
        throw new Error(`replay ${ReplayName} ${State}: ${StateReason ?? ''}`);
      await sleep(50);
    }
    await bench.stack.eventBridge.idle();
    const seconds = (performance.now() - started) / 1000;
    return {
      archivedEvents: EventCount,
      seconds,
      eventsPerSecond: EventCount / seconds,
      invocations: bench.invocations.slice(before).filter((i) => i.replay),
    };
  } finally {
    events.destroy();
  }
}
