import type { EventEmitter } from 'node:events';
import { documentClient, eventBridgeClient } from '../shared/aws';
import { archiveName, type ConsumerDeclaration } from '../shared/declaration';
import { countByDetailType, deliveredTo, replayOutcomes, type ConsumerOutcome } from './operator/outcomes';
import {
  cancelReplay,
  clampWindow,
  newReplayName,
  replayTarget,
  ruleArnOf,
  startReplay,
  waitForReplay,
  type TimeWindow,
} from './operator/replays';
import { ledgerLinesBetween } from '../services/booking-ledger/read';
import {
  alignColumns,
  applyTarget,
  askOnTerminal,
  AWS_ARCHIVE_LAG_MS,
  declaredConsumers,
  formatDuration,
  isLoopback,
  parseCommandArgs,
  parseDuration,
  parseWhen,
  pickConsumer,
  processIo,
  targetHelp,
  targetOptions,
  type Io,
} from './args';
import { UsageError } from './usage-error';
import { Progress } from './progress';
import { setTimeout as sleep } from 'node:timers/promises';

export const replayHelp = `Usage: npx charterflow replay (--from TIME [--to TIME] | --all) [--consumer NAME] [--dry-run] [--json]

Re-sends the events of a time window from the bus's archive (${archiveName('<stage>')}) to the consumers'
rules. Consumers are idempotent: what is already done is skipped, a chain that broke halfway is completed.
  --from TIME      start of the window: ISO 8601 (2026-11-24T17:00:00Z) or a time ago ("2h ago", "3d ago")
  --to TIME        end of the window (default: now)
  --all            the whole archive, from its creation until now (backfilling a new consumer)
  --consumer NAME  only that consumer's rule gets the events (Destination.FilterArns): backfill a new consumer
  --dry-run        count the events of the window, per consumer, and replay nothing
  --json           print the summary as one JSON object
  --settle DUR     after the replay, how long to wait for consumers to finish before the summary (default 30s)
${targetHelp}
Progress comes from DescribeReplay (time of the last event re-sent). Ctrl-C asks whether to cancel the
replay (CancelReplay); without a terminal, Ctrl-C cancels.
Counts come from the booking-ledger (one line per event on the bus): AWS has no API that lists an archive.`;

export interface ReplayArgs {
  /** With --all, `from` is a placeholder: the archive's creation time replaces it once known. */
  window: TimeWindow;
  all: boolean;
  consumer?: string;
  dryRun: boolean;
  json: boolean;
  settleMs: number;
}

export function parseReplayArgs(argv: string[], now = Date.now()): ReplayArgs & { stage?: string; local: boolean } {
  const { values } = parseCommandArgs(argv, {
    ...targetOptions,
    from: { type: 'string' },
    to: { type: 'string' },
    all: { type: 'boolean', default: false },
    consumer: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    settle: { type: 'string' },
  });
  const all = values.all ?? false;
  if (all && (values.from !== undefined || values.to !== undefined))
    throw new UsageError('--all replays the whole archive: give it without --from and --to');
  if (!all && values.from === undefined)
    throw new UsageError('--from is required (an ISO time or "2h ago"), or --all for the whole archive');
  const from = all ? new Date(0) : parseWhen(values.from!, '--from', now);
  const to = values.to === undefined ? new Date(now) : parseWhen(values.to, '--to', now);
  if (to.getTime() > now) throw new UsageError('--to is in the future: an archive replays only what already happened');
  if (from.getTime() >= to.getTime())
    throw new UsageError(`--from (${from.toISOString()}) must be before --to (${to.toISOString()})`);
  const settleMs = values.settle === undefined ? 30_000 : parseDuration(values.settle);
  if (settleMs === undefined)
    throw new UsageError(`--settle must be a duration such as 30s or 2m, got "${values.settle}"`);
  return {
    window: { from, to },
    all,
    ...(values.consumer !== undefined ? { consumer: values.consumer } : {}),
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    settleMs,
    ...(values.stage !== undefined ? { stage: values.stage } : {}),
    local: values.local ?? false,
  };
}

export interface ReplaySummary {
  replayName?: string;
  state: string;
  window: { from: string; to: string };
  consumer?: string;
  /** Events of the window the replayed rules match, as the booking-ledger counts them. */
  eventsReplayed: number;
  /** All events the archive holds (DescribeArchive EventCount; every time, not just the window). */
  archiveEventCount?: number;
  consumers: ConsumerOutcome[];
  durationMs: number;
  dryRun: boolean;
}

export interface ReplayHooks {
  io?: Io;
  /** Where SIGINT comes from (tests emit it); process by default. */
  signals?: EventEmitter;
  /** Resolves when the consumers are done with what the replay sent (the local stack knows; AWS does not). */
  settled?: () => Promise<void>;
  /** Asks the operator a yes/no question on the terminal. */
  ask?: (question: string) => Promise<boolean>;
}

export async function runReplay(argv: string[], hooks: ReplayHooks = {}): Promise<number> {
  const io = hooks.io ?? processIo();
  const args = parseReplayArgs(argv);
  io.err(applyTarget(args));
  const consumers = await declaredConsumers();
  const only = pickConsumer(consumers, args.consumer);
  const reached: ConsumerDeclaration[] = only ? [only] : consumers;
  const events = eventBridgeClient();
  const documents = documentClient();
  const started = Date.now();
  try {
    const target = await replayTarget(events);
    const created = target.archive.CreationTime;
    // Event times are whole seconds: start at the second the archive was created.
    const from = args.all && created ? new Date(Math.floor(created.getTime() / 1000) * 1000) : args.window.from;
    const window = clampWindow({ from, to: args.window.to });

    if (args.dryRun) {
      const counts = countByDetailType(await ledgerLinesBetween(documents, window));
      const perConsumer = reached.map((c) => ({
        consumer: c.name,
        delivered: deliveredTo(c, counts),
        acted: 0,
        emittedOnly: 0,
        skipped: 0,
      }));
      const summary: ReplaySummary = {
        state: 'DRY_RUN',
        window: { from: window.from.toISOString(), to: window.to.toISOString() },
        ...(only ? { consumer: only.name } : {}),
        eventsReplayed: eventsFor(reached, counts),
        ...(target.archive.EventCount !== undefined ? { archiveEventCount: target.archive.EventCount } : {}),
        consumers: perConsumer,
        durationMs: Date.now() - started,
        dryRun: true,
      };
      printSummary(io, summary, args.json);
      return 0;
    }

    const ruleArns = only ? [await ruleArnOf(events, only.name)] : undefined;
    const name = newReplayName('replay', only?.name);
    const since = new Date();
    await startReplay(events, target, {
      name,
      window,
      ...(ruleArns ? { ruleArns } : {}),
      description: `charterflow replay${only ? ` for ${only.name}` : ''}`,
    });
    if (
      !args.json &&
      !isLoopback(process.env.AWS_ENDPOINT_URL) &&
      Date.now() - window.to.getTime() < AWS_ARCHIVE_LAG_MS
    ) {
      io.err(
        'note: the window ends less than 10 minutes ago; AWS archives with a delay, so its last events may be missing',
      );
    }
    if (!args.json)
      io.out(
        `replay ${name} started: ${window.from.toISOString()} .. ${window.to.toISOString()}${only ? `, only ${only.name}` : ''}`,
      );

    const stopInterrupts = onInterrupt(hooks, io, async () => {
      await cancelReplay(events, name);
      io.err(`cancelling replay ${name}`);
    });
    const progress = new Progress(io, `replay ${name}`);
    let replay: Awaited<ReturnType<typeof waitForReplay>>;
    try {
      replay = await waitForReplay(events, name, {
        window,
        intervalMs: 500,
        onProgress: (fraction, r) =>
          args.json
            ? undefined
            : progress.update(
                fraction,
                r.EventLastReplayedTime ? `last replayed ${r.EventLastReplayedTime.toISOString()}` : (r.State ?? ''),
              ),
      });
    } finally {
      progress.done();
      stopInterrupts();
    }

    await hooks.settled?.();
    const outcomes = await settle(
      () => replayOutcomes(documents, { consumers: reached, window, replayName: name, since }),
      args.settleMs,
    );
    const counts = countByDetailType(await ledgerLinesBetween(documents, window));
    const summary: ReplaySummary = {
      replayName: name,
      state: replay.State ?? 'UNKNOWN',
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      ...(only ? { consumer: only.name } : {}),
      eventsReplayed: eventsFor(reached, counts),
      ...(target.archive.EventCount !== undefined ? { archiveEventCount: target.archive.EventCount } : {}),
      consumers: outcomes,
      durationMs: Date.now() - started,
      dryRun: false,
    };
    printSummary(io, summary, args.json);
    if (replay.State !== 'COMPLETED') {
      io.err(`replay ${name} ended ${replay.State}${replay.StateReason ? `: ${replay.StateReason}` : ''}`);
      return 1;
    }
    return 0;
  } finally {
    events.destroy();
    documents.destroy();
  }
}

/** Events of the window that reach at least one of the given consumers' rules (each event once). */
function eventsFor(consumers: readonly ConsumerDeclaration[], counts: ReadonlyMap<string, number>): number {
  const types = new Set(consumers.flatMap((c) => c.consumes));
  return [...types].reduce((sum, t) => sum + (counts.get(t) ?? 0), 0);
}

/**
 * A replay COMPLETED when it re-sent its events; consumers are still at work. Poll the outcomes until they
 * stayed the same for a quiet spell (3 s, or maxMs if shorter), or maxMs passed.
 */
async function settle(read: () => Promise<ConsumerOutcome[]>, maxMs: number): Promise<ConsumerOutcome[]> {
  const deadline = Date.now() + maxMs;
  const quietMs = Math.min(3000, maxMs);
  let previous = await read();
  let sameSince = Date.now();
  while (Date.now() < deadline && Date.now() - sameSince < quietMs) {
    await sleep(Math.min(500, Math.max(0, deadline - Date.now())));
    const next = await read();
    if (JSON.stringify(next) !== JSON.stringify(previous)) sameSince = Date.now();
    previous = next;
  }
  return previous;
}

/** Ctrl-C: on a terminal, ask first; without one there is nobody to ask, so cancel. */
export function onInterrupt(hooks: ReplayHooks, io: Io, cancel: () => Promise<void>): () => void {
  const signals = hooks.signals ?? process;
  let asking = false;
  const listener = () => {
    if (asking) return;
    if (!io.isTTY) {
      void cancel();
      return;
    }
    asking = true;
    void (hooks.ask ?? askOnTerminal)('\nCancel the replay? Events already re-sent stay delivered. [y/N] ')
      .then((yes) => (yes ? cancel() : io.out('replay continues')))
      .finally(() => (asking = false));
  };
  signals.on('SIGINT', listener);
  return () => signals.off('SIGINT', listener);
}

function printSummary(io: Io, summary: ReplaySummary, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(summary));
    return;
  }
  const head = summary.dryRun
    ? `dry run: would replay ${summary.eventsReplayed} event(s)`
    : `replay ${summary.replayName} ${summary.state} in ${formatDuration(summary.durationMs)}: ${summary.eventsReplayed} event(s) replayed`;
  io.out(
    `${head} from ${summary.window.from} to ${summary.window.to}${summary.consumer ? `, only to ${summary.consumer}` : ''}`,
  );
  if (summary.archiveEventCount !== undefined)
    io.out(`  (counted from the booking-ledger; the archive holds ${summary.archiveEventCount} event(s) in all)`);
  const rows = summary.consumers.map((c) =>
    summary.dryRun
      ? [c.consumer, `${c.delivered} event(s)`]
      : [c.consumer, `${c.delivered} delivered:`, outcomeText(c)],
  );
  for (const row of alignColumns(rows)) io.out(`  ${row}`);
}

/** What one consumer did with what the replay delivered, in the operator's words. */
export function outcomeText(c: ConsumerOutcome): string {
  if (c.unrecorded) return `${c.acted} acted (it keeps no record of what it did: every event delivered counts)`;
  const emitted = c.emittedOnly ? `${c.emittedOnly} emitted only (finished a broken chain), ` : '';
  return `${c.acted} acted, ${emitted}${c.skipped} skipped (already done)`;
}
