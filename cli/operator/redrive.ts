import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { deleteDeadLetters, readDeadLetters, releaseDeadLetters, type DeadLetter } from './dead-letters';
import {
  newReplayName,
  replayTarget,
  ruleArnOf,
  startReplay,
  waitForReplay,
  type ReplayTarget,
  type TimeWindow,
} from './replays';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Redrive: the dead-lettered events go back to the one consumer that failed them, and no other.
 *
 * How: a replay from the archive of the letters' time window with Destination.FilterArns = that consumer's
 * rule. PutEvents of the original event would reach every rule that matches it (each other consumer would
 * have to skip it), and invoking the Lambda directly bypasses the bus, its retry policy and DLQ, needs
 * lambda:InvokeFunction for the operator, and has no local endpoint. A replay keeps the deployed rules and
 * their patterns as they are, re-sends the archived original (replay-name set, so logs and the ledger show
 * it), and retries and dead-letters it again like any delivery. Other events of the same consumer in the
 * window are re-sent too; consumers are safe to run twice, so they skip them.
 *
 * A letter is deleted only when the replay that covers it COMPLETED; one whose event the archive cannot hold
 * (older than the archive, or past its retention) or may not hold yet (AWS archives with a delay and
 * recommends replaying events at least 10 minutes old: eb-archive.html, "Event delivery") is kept and
 * reported, never deleted.
 */

export interface RedriveOptions {
  consumers: readonly string[];
  bookingId?: string;
  /** Letters closer in time than this share one replay window. */
  gapMs?: number;
  /** Events younger than this may not be in the archive yet: their letters wait for a later redrive. */
  archiveLagMs?: number;
  pollMs?: number;
  onReplay?: (info: { consumer: string; replayName: string; window: TimeWindow; letters: number }) => void;
  onProgress?: (consumer: string, fraction: number) => void;
}

export interface RedriveResult {
  consumer: string;
  redriven: number;
  /** Letters left in the queue, with why. */
  kept: { letter: DeadLetter; reason: string }[];
  replayNames: string[];
}

// Long enough for a replay to start and finish in AWS (minutes); a letter we fail to handle reappears after.
const HOLD_SECONDS = 15 * 60;

export async function redrive(
  events: EventBridgeClient,
  sqs: SQSClient,
  options: RedriveOptions,
): Promise<RedriveResult[]> {
  const target = await replayTarget(events);
  const results: RedriveResult[] = [];
  for (const consumer of options.consumers) {
    const held = await readDeadLetters(sqs, [consumer], { holdSeconds: HOLD_SECONDS });
    const chosen = held.filter((l) => !options.bookingId || l.bookingId === options.bookingId);
    await releaseDeadLetters(
      sqs,
      held.filter((l) => !chosen.includes(l)),
    );
    if (chosen.length === 0) continue;
    results.push(await redriveConsumer(events, sqs, target, consumer, chosen, options));
  }
  return results;
}

async function redriveConsumer(
  events: EventBridgeClient,
  sqs: SQSClient,
  target: ReplayTarget,
  consumer: string,
  letters: DeadLetter[],
  options: RedriveOptions,
): Promise<RedriveResult> {
  const result: RedriveResult = { consumer, redriven: 0, kept: [], replayNames: [] };
  const keep = async (batch: DeadLetter[], reason: string) => {
    result.kept.push(...batch.map((letter) => ({ letter, reason })));
    await releaseDeadLetters(sqs, batch);
  };
  const { replayable, notReplayable } = splitByArchive(letters, target, Date.now(), options.archiveLagMs ?? 0);
  for (const [reason, batch] of notReplayable) await keep(batch, reason);
  if (replayable.length === 0) return result;

  const ruleArn = await ruleArnOf(events, consumer);
  for (const cluster of clusters(replayable, options.gapMs ?? 5 * 60_000)) {
    const window = windowOf(cluster);
    // StartReplay takes no end in the future: a letter from this very second waits for it to pass.
    const wait = window.to.getTime() - Date.now();
    if (wait > 0) await sleep(wait + 5);
    const replayName = newReplayName('redrive', consumer);
    result.replayNames.push(replayName);
    options.onReplay?.({ consumer, replayName, window, letters: cluster.length });
    await startReplay(events, target, {
      name: replayName,
      window,
      ruleArns: [ruleArn],
      description: `redrive of ${cluster.length} dead letter(s) of ${consumer}`,
    });
    const replay = await waitForReplay(events, replayName, {
      window,
      intervalMs: options.pollMs,
      onProgress: (fraction) => options.onProgress?.(consumer, fraction),
    });
    if (replay.State === 'COMPLETED') {
      await deleteDeadLetters(sqs, cluster);
      result.redriven += cluster.length;
    } else {
      await keep(
        cluster,
        `replay ${replayName} ended ${replay.State}${replay.StateReason ? `: ${replay.StateReason}` : ''}`,
      );
    }
  }
  return result;
}

/** Only events the archive still holds can be replayed; the rest stay in the queue. */
export function splitByArchive(
  letters: readonly DeadLetter[],
  target: Pick<ReplayTarget, 'archive'>,
  now = Date.now(),
  archiveLagMs = 0,
) {
  const created = target.archive.CreationTime?.getTime() ?? 0;
  const retentionDays = target.archive.RetentionDays ?? 0;
  const oldest = retentionDays > 0 ? now - retentionDays * 86_400_000 : 0;
  const replayable: DeadLetter[] = [];
  const notReplayable = new Map<string, DeadLetter[]>();
  const put = (reason: string, letter: DeadLetter) =>
    notReplayable.set(reason, [...(notReplayable.get(reason) ?? []), letter]);
  for (const letter of letters) {
    const time = letter.event ? Date.parse(letter.event.time) : Number.NaN;
    if (!letter.event || Number.isNaN(time)) put('the message is not an EventBridge event', letter);
    // Event times are whole seconds: an event of the archive's creation second may predate it.
    else if (time < Math.floor(created / 1000) * 1000) put('the event is older than the archive', letter);
    else if (time < oldest) put(`the event is past the archive's retention (${retentionDays} days)`, letter);
    else if (time > now - archiveLagMs)
      put(
        `the event may not be archived yet: redrive again after ${new Date(time + archiveLagMs).toISOString()}`,
        letter,
      );
    else replayable.push(letter);
  }
  return { replayable, notReplayable };
}

/** Letters sorted by event time, split where the gap between neighbours exceeds gapMs. */
export function clusters(letters: readonly DeadLetter[], gapMs: number): DeadLetter[][] {
  const sorted = [...letters].sort((a, b) => Date.parse(a.event!.time) - Date.parse(b.event!.time));
  const out: DeadLetter[][] = [];
  for (const letter of sorted) {
    const current = out[out.length - 1];
    const previous = current?.[current.length - 1];
    if (current && Date.parse(letter.event!.time) - Date.parse(previous!.event!.time) <= gapMs) current.push(letter);
    else out.push([letter]);
  }
  return out;
}

/** From the first event's second to just past the last one's: replays take events with from <= time < to. */
export function windowOf(letters: readonly DeadLetter[]): TimeWindow {
  const times = letters.map((l) => Date.parse(l.event!.time));
  const from = Math.floor(Math.min(...times) / 1000) * 1000;
  const to = Math.floor(Math.max(...times) / 1000) * 1000 + 1000;
  return { from: new Date(from), to: new Date(to) };
}
