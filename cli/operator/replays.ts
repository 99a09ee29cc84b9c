import { randomBytes } from 'node:crypto';
import {
  CancelReplayCommand,
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  StartReplayCommand,
  type DescribeArchiveCommandOutput,
  type DescribeReplayCommandOutput,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { busName } from '../../shared/config';
import { archiveName, deployedNames } from '../../shared/declaration';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Replays from the bus's archive, the same SDK calls against AWS and the local stack. Used by
 * `charterflow replay` (a time window, optionally one consumer) and by `redrive` (the window of the dead
 * letters, one consumer).
 */

export interface TimeWindow {
  from: Date;
  to: Date;
}

export type ReplayState = NonNullable<DescribeReplayCommandOutput['State']>;
export const finishedStates: readonly ReplayState[] = ['COMPLETED', 'CANCELLED', 'FAILED'];

export interface ReplayTarget {
  busArn: string;
  archive: DescribeArchiveCommandOutput & { ArchiveArn: string };
}

export async function replayTarget(events: EventBridgeClient): Promise<ReplayTarget> {
  const bus = await events.send(new DescribeEventBusCommand({ Name: busName() }));
  const archive = await events
    .send(new DescribeArchiveCommand({ ArchiveName: archiveName() }))
    .catch((error: Error) => {
      if (error.name === 'ResourceNotFoundException') {
        throw new Error(
          `the archive ${archiveName()} does not exist on ${busName()} (deploy the stage, or start the local stack)`,
          {
            cause: error,
          },
        );
      }
      throw error;
    });
  return { busArn: bus.Arn!, archive: archive as ReplayTarget['archive'] };
}

/** The ARN of a consumer's rule, the only thing Destination.FilterArns takes. */
export async function ruleArnOf(events: EventBridgeClient, consumer: string): Promise<string> {
  const { ruleName } = deployedNames(consumer);
  try {
    const rule = await events.send(new DescribeRuleCommand({ Name: ruleName, EventBusName: busName() }));
    return rule.Arn!;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException')
      throw new Error(`consumer ${consumer} has no rule ${ruleName} on ${busName()}`, { cause: error });
    throw error;
  }
}

/** Replay names are unique per account and region and at most 64 characters of [.-_A-Za-z0-9]. */
export function newReplayName(kind: 'replay' | 'redrive', consumer: string | undefined, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  const suffix = randomBytes(3).toString('hex');
  return [kind, consumer, stamp, suffix].filter(Boolean).join('-').slice(0, 64);
}

export interface StartOptions {
  name: string;
  window: TimeWindow;
  /** Only these rules get the events (one consumer's rule for --consumer and redrive); all rules when absent. */
  ruleArns?: string[];
  description?: string;
}

export async function startReplay(
  events: EventBridgeClient,
  target: ReplayTarget,
  options: StartOptions,
): Promise<void> {
  await events.send(
    new StartReplayCommand({
      ReplayName: options.name,
      EventSourceArn: target.archive.ArchiveArn,
      EventStartTime: options.window.from,
      EventEndTime: options.window.to,
      Destination: { Arn: target.busArn, ...(options.ruleArns ? { FilterArns: options.ruleArns } : {}) },
      ...(options.description ? { Description: options.description.slice(0, 512) } : {}),
    }),
  );
}

/**
 * How far a replay got, 0..1: DescribeReplay gives no event count, only the time of the last event
 * re-sent, so progress is that time's place in the window (events are re-sent oldest first).
 */
export function progressOf(
  replay: Pick<DescribeReplayCommandOutput, 'State' | 'EventLastReplayedTime'>,
  window: TimeWindow,
): number {
  if (replay.State === 'COMPLETED') return 1;
  const last = replay.EventLastReplayedTime?.getTime();
  if (last === undefined) return 0;
  const span = window.to.getTime() - window.from.getTime();
  return span <= 0 ? 1 : Math.min(1, Math.max(0, (last - window.from.getTime()) / span));
}

export interface WaitOptions {
  window: TimeWindow;
  intervalMs?: number;
  onProgress?: (fraction: number, replay: DescribeReplayCommandOutput) => void;
}

/** Polls DescribeReplay until the replay is COMPLETED, CANCELLED or FAILED; returns the last description. */
export async function waitForReplay(
  events: EventBridgeClient,
  name: string,
  options: WaitOptions,
): Promise<DescribeReplayCommandOutput> {
  const interval = options.intervalMs ?? 1000;
  for (;;) {
    const replay = await events.send(new DescribeReplayCommand({ ReplayName: name }));
    options.onProgress?.(progressOf(replay, options.window), replay);
    if (replay.State && finishedStates.includes(replay.State)) return replay;
    await sleep(interval);
  }
}

export async function cancelReplay(events: EventBridgeClient, name: string): Promise<void> {
  try {
    await events.send(new CancelReplayCommand({ ReplayName: name }));
  } catch (error) {
    // Finished between the question and the answer: nothing left to cancel.
    if ((error as Error).name !== 'IllegalStatusException') throw error;
  }
}

/** StartReplay rejects an end in the future (ValidationException): "until now" is as far as a window goes. */
export function clampWindow(window: TimeWindow, now = Date.now()): TimeWindow {
  return { from: window.from, to: new Date(Math.min(window.to.getTime(), now)) };
}
