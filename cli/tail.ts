import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { eventBridgeClient, sqsClient } from '../shared/aws';
import { busName } from '../shared/config';
import { isLoopback, useLocalStack } from './args';
import { everyCharterflowEvent, openBusTap, type BusTap, type TappedEvent } from './bus-tap';
import { UsageError } from './usage-error';

/**
 * `npx charterflow tail`: taps the bus the way anyone can in AWS, with a temporary SQS queue and a rule
 * targeting it; prints each event as it arrives; removes rule, target and queue on exit. The same SDK
 * calls work against AWS and the local stack.
 */

export const tailHelp = `Usage: npx charterflow tail [--pattern JSON] [--json] [--local] [--bus NAME]

Prints every event crossing the bus, one line each: time, detail-type, booking id, source.
  --pattern JSON  an EventBridge event pattern (default: every source starting with "charterflow.")
  --json          print each whole event as one JSON line
  --local         use the local stack (http://127.0.0.1:4566, or CHARTERFLOW_AWS_PORT); AWS_ENDPOINT_URL also works
  --bus NAME      the event bus (default: charterflow-<stage>)
Ctrl-C removes the temporary rule, target and queue.`;

interface TailOptions {
  pattern: Record<string, unknown>;
  json: boolean;
  local: boolean;
  bus?: string;
}

export function parseTailArgs(argv: string[]): TailOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      pattern: { type: 'string' },
      json: { type: 'boolean', default: false },
      local: { type: 'boolean', default: false },
      bus: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (see --help)`);
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
  return { pattern, json: values.json ?? false, local: values.local ?? false, bus: values.bus };
}

interface BusEvent {
  id?: string;
  time?: string;
  source?: string;
  'detail-type'?: string;
  detail?: { metadata?: { bookingId?: string } };
}

export function formatEvent(event: BusEvent): string {
  return [
    event.time ?? '-',
    event['detail-type'] ?? '-',
    event.detail?.metadata?.bookingId ?? '-',
    event.source ?? '-',
  ].join('  ');
}

export async function runTail(argv: string[]): Promise<number> {
  const options = parseTailArgs(argv);
  if (options.local || isLoopback(process.env.AWS_ENDPOINT_URL)) useLocalStack();
  const events = eventBridgeClient();
  const sqs = sqsClient();
  const bus = options.bus ?? busName();
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  let tap: BusTap | undefined;
  try {
    tap = await openBusTap(events, sqs, {
      name: `charterflow-tail-${randomBytes(4).toString('hex')}`,
      bus,
      pattern: options.pattern,
      description: 'npx charterflow tail (temporary)',
    });
    console.error(`tailing ${bus} with ${JSON.stringify(options.pattern)} (Ctrl-C to stop)`);
    while (!stopping.signal.aborted) {
      let arrived: TappedEvent[];
      try {
        arrived = await tap.receive({ waitSeconds: 20, abortSignal: stopping.signal });
      } catch (error) {
        if (stopping.signal.aborted) break;
        throw error;
      }
      for (const { sentAt: _sentAt, ...event } of arrived) {
        console.log(options.json ? JSON.stringify(event) : formatEvent(event));
      }
    }
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await tap?.close();
    console.error('tail stopped: temporary rule and queue removed');
    events.destroy();
    sqs.destroy();
  }
}
