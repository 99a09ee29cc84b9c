import { randomBytes } from 'node:crypto';
import { eventBridgeClient, sqsClient } from '../shared/aws';
import { busName } from '../shared/config';
import { detailTypes } from '../shared/contract/events';
import { applyTarget, parseCommandArgs, processIo, targetHelp, targetOptions, type Io } from './args';
import { everyCharterflowEvent, openBusTap, reasonOf, type BusTap, type TappedEvent } from './bus-tap';
import { clearTailLeftovers, TAIL_PREFIX, tailTags } from './operator/tail-leftovers';
import { UsageError } from './usage-error';

/**
 * `npx charterflow tail`: taps the bus the way anyone can in AWS, with a temporary SQS queue and a rule
 * targeting it; prints each event as it arrives; removes rule, target and queue on exit. The same SDK
 * calls work against AWS and the local stack.
 */

export const tailHelp = `Usage: npx charterflow tail [--pattern JSON] [--json] [--bus NAME] [--local | --stage NAME]

Prints every event crossing the bus, one line each: time, detail-type, booking id, source.
  --pattern JSON  an EventBridge event pattern (default: every source starting with "charterflow.")
  --json          print each whole event as one JSON line
  --bus NAME      the event bus (default: charterflow-<stage>)
${targetHelp}
Ctrl-C removes the temporary rule, target and queue (${TAIL_PREFIX}*). When they cannot be removed (the stack
went away), tail says so, and the next tail removes them.`;

export interface TailOptions {
  pattern: Record<string, unknown>;
  json: boolean;
  local: boolean;
  stage?: string;
  bus?: string;
}

export function parseTailArgs(argv: string[]): TailOptions {
  const { values } = parseCommandArgs(argv, {
    ...targetOptions,
    pattern: { type: 'string' },
    json: { type: 'boolean', default: false },
    bus: { type: 'string' },
  });
  let pattern: Record<string, unknown> = everyCharterflowEvent;
  if (values.pattern !== undefined) {
    try {
      pattern = JSON.parse(values.pattern) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`--pattern is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (!pattern || typeof pattern !== 'object' || Array.isArray(pattern))
      throw new UsageError('--pattern must be a JSON object');
  }
  return {
    pattern,
    json: values.json ?? false,
    local: values.local ?? false,
    ...(values.stage !== undefined ? { stage: values.stage } : {}),
    bus: values.bus,
  };
}

interface BusEvent {
  id?: string;
  time?: string;
  source?: string;
  'detail-type'?: string;
  detail?: { metadata?: { bookingId?: string } };
}

/** Columns as wide as their widest value can be: an event time, the longest detail-type, a booking id. */
const TIME_WIDTH = '2026-11-24T17:03:05Z'.length;
const TYPE_WIDTH = Math.max(...detailTypes.map((t) => t.length));
const BOOKING_WIDTH = 12;

export function formatEvent(event: BusEvent): string {
  return [
    (event.time ?? '-').padEnd(TIME_WIDTH),
    (event['detail-type'] ?? '-').padEnd(TYPE_WIDTH),
    (event.detail?.metadata?.bookingId ?? '-').padEnd(BOOKING_WIDTH),
    event.source ?? '-',
  ].join('  ');
}

export interface TailHooks {
  io?: Io;
  /** Stops the tail (tests); SIGINT and SIGTERM do otherwise. */
  signal?: AbortSignal;
  /** Long-poll length of each receive (seconds). */
  waitSeconds?: number;
}

export async function runTail(argv: string[], hooks: TailHooks = {}): Promise<number> {
  const io = hooks.io ?? processIo();
  const options = parseTailArgs(argv);
  io.err(applyTarget(options));
  const events = eventBridgeClient();
  const sqs = sqsClient();
  const bus = options.bus ?? busName();
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  hooks.signal?.addEventListener('abort', stop, { once: true });

  let tap: BusTap | undefined;
  let failure: unknown;
  try {
    const leftovers = await clearTailLeftovers(events, sqs, bus);
    if (leftovers.removed.length > 0)
      io.err(`removed what earlier tails left: ${leftovers.removed.join(', ')} (their rules and queues)`);
    tap = await openBusTap(events, sqs, {
      name: `${TAIL_PREFIX}${randomBytes(4).toString('hex')}`,
      bus,
      pattern: options.pattern,
      description: 'npx charterflow tail (temporary)',
      tags: tailTags(),
    });
    io.err(`tailing ${bus} with ${JSON.stringify(options.pattern)} (Ctrl-C to stop)`);
    while (!stopping.signal.aborted) {
      let arrived: TappedEvent[];
      try {
        arrived = await tap.receive({ waitSeconds: hooks.waitSeconds ?? 20, abortSignal: stopping.signal });
      } catch (error) {
        if (stopping.signal.aborted) break;
        throw error;
      }
      for (const { sentAt: _sentAt, ...event } of arrived)
        io.out(options.json ? JSON.stringify(event) : formatEvent(event));
    }
  } catch (error) {
    failure = error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    hooks.signal?.removeEventListener('abort', stop);
  }
  const closing = await tap?.close();
  events.destroy();
  sqs.destroy();
  // Before the tap opened there is nothing to clean: main says what went wrong (no credentials, no bus).
  if (!tap && failure) throw failure;
  if (failure) io.err(`tail stopped: ${reasonOf(failure)}`);
  if (closing && closing.left.length > 0) {
    io.err(
      `could not remove ${closing.left.map((l) => `${l.what} (${l.reason})`).join(', ')}; the next npx charterflow tail removes them`,
    );
    return 1;
  }
  if (closing) io.err(`tail stopped: temporary ${closing.removed.join(' and ')} removed`);
  return failure ? 1 : 0;
}
