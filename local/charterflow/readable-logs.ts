import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteRuleCommand, EventBridgeClient, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { busName } from '../../shared/config';
import { openBusTap, type BusTap, type TappedEvent } from '../../cli/bus-tap';
import type { LocalStack } from './stack';

/**
 * `npm start` in a terminal: one line a person can read per event on the bus and per downstream call, instead
 * of the functions' JSON lines (about 24 of 600 characters per booking). The JSON stays what Lambda gets;
 * `--json-logs` prints it as it is. Lines come already redacted (shared/logger.ts): no guest email, phone or
 * secret reaches either form.
 */

type LogRecord = Record<string, unknown>;

const clock = (at: unknown) => {
  const ms = typeof at === 'number' ? at : Date.parse(String(at));
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(11, 23) : ''.padEnd(12);
};

/** The service a Powertools line names (charterflow.calendar), without the prefix every service shares. */
const serviceOf = (record: LogRecord) => String(record.service ?? '').replace(/^charterflow\./, '');

const bookingOf = (record: LogRecord) =>
  (typeof record.bookingId === 'string' ? record.bookingId : '').padEnd(BOOKING_WIDTH);

const BOOKING_WIDTH = 12;
const LEVELS_SHOWN = new Set(['WARN', 'ERROR', 'CRITICAL']);

/** What a line adds after its message, as key=value: what the Powertools envelope carries on every line is left off. */
const ENVELOPE = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
  'bookingId',
  'correlationId',
  'eventId',
]);

function details(record: LogRecord): string {
  const parts = Object.entries(record)
    .filter(([key, value]) => !ENVELOPE.has(key) && value !== undefined && value !== null)
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${key}=${text.length > 120 ? `${text.slice(0, 117)}...` : text}`;
    });
  const joined = parts.join(' ');
  return joined.length > 400 ? `${joined.slice(0, 397)}...` : joined;
}

/**
 * One function log line, read: a webhook delivery, a downstream call, a mail sent, or a warning or error;
 * undefined for what the event lines already say (INFO lines, metric lines, the runtime's platform lines).
 */
export function readableLogLine(record: LogRecord): string | undefined {
  if ('_aws' in record) return undefined; // an EMF metric line
  const level = String(record.level ?? '').toUpperCase();
  const at = clock(record.timestamp ?? record.time);
  const booking = bookingOf(record);
  const service = serviceOf(record);
  const message = String(record.message ?? '');
  const flagged = LEVELS_SHOWN.has(level) ? `${level} ` : '';

  if (message.startsWith('webhook delivery ')) {
    const outcome = String(record.outcome ?? message.slice('webhook delivery '.length));
    const what = record.detailType ? `: ${record.detailType}` : '';
    const why = record.reason ? ` (${record.reason})` : '';
    const latency = typeof record.latencyMs === 'number' ? `, in ${record.latencyMs} ms` : '';
    const nothing = outcome === 'duplicate' ? '; nothing emitted' : '';
    return `${at}  ${booking}  ${flagged}webhook ${record.status} ${outcome}${what}${why}${nothing}${latency}`;
  }
  if (typeof record.targetService === 'string' && typeof record.operation === 'string') {
    const answer = record.status === undefined ? String(record.outcome ?? '') : `${record.status}`;
    const latency = typeof record.latencyMs === 'number' ? ` in ${record.latencyMs} ms` : '';
    const attempt = typeof record.attempt === 'number' && record.attempt > 1 ? ` (attempt ${record.attempt})` : '';
    const then = record.outcome === 'retrying' ? ', retrying' : record.outcome === 'failed' ? ', failed' : '';
    const reason = record.reason && !answer.includes(String(record.reason)) ? `: ${record.reason}` : '';
    return `${at}  ${booking}  ${flagged}${service} -> ${record.targetService} ${record.operation}  ${answer}${latency}${attempt}${then}${reason}`;
  }
  if (message === 'mail sent to the renter') {
    return `${at}  ${booking}  ${service} -> SES SendEmail  ${record.kind ?? ''} mail sent (revision ${record.revision})`;
  }
  if (flagged) {
    const rest = details(record);
    return `${at}  ${booking}  ${level} ${service}: ${message}${rest ? `  ${rest}` : ''}`;
  }
  return undefined;
}

/** A line as printed: JSON log lines read as above (or dropped), anything else unchanged. */
export function readableOutput(line: string): string | undefined {
  if (!line.startsWith('{')) return line;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return line;
  return readableLogLine(record as LogRecord);
}

/**
 * Reads every line this process writes to stdout and stderr through `readableOutput`: the functions log there
 * themselves (source mode) or through the stack (packaged mode, each environment's output forwarded).
 * Returns the function that puts the streams back.
 */
export function readLogsAsPeople(): () => void {
  const restore = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write.bind(stream) as (chunk: string) => boolean;
    let pending = '';
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      const shown = lines.flatMap((line) => {
        const readable = readableOutput(line);
        return readable === undefined ? [] : [`${readable}\n`];
      });
      if (shown.length > 0) write(shown.join(''));
      const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
    return () => {
      stream.write = write as typeof stream.write;
    };
  });
  return () => {
    for (const undo of restore) undo();
  };
}

/** The events remembered to name each one's cause: enough for many bookings in flight, bounded. */
const REMEMBERED_EVENTS = 2_000;

/** One line per event as it crosses the bus, with the hop from its cause, as `npm run demo` prints them. */
export function readableEventLine(event: TappedEvent, cause: TappedEvent | undefined): string {
  const metadata = event.detail?.metadata ?? {};
  const booking = (typeof metadata.bookingId === 'string' ? metadata.bookingId : '').padEnd(BOOKING_WIDTH);
  const receivedAt = Date.parse(String(metadata.receivedAt ?? ''));
  const hop = cause
    ? `+${event.sentAt - cause.sentAt} ms after ${cause['detail-type']}`
    : Number.isFinite(receivedAt)
      ? `+${event.sentAt - receivedAt} ms after the webhook received it`
      : '';
  const replay = event['replay-name'] ? `  (replay ${event['replay-name']})` : '';
  return `${clock(event.sentAt)}  ${booking}  ${event['detail-type'].padEnd(26)}  ${event.source.padEnd(26)}  ${hop}${replay}`;
}

/** The rule and queue `npm start` watches the bus through: one name, so a start after a crash reuses them. */
export const START_TAP_NAME = 'charterflow-start-log';

/**
 * Prints each event on the stack's bus as it arrives, until the returned stop is called (which removes the tap's
 * rule and queue). The tap is the operator's kind (a rule and an SQS queue), so it sees what `tail` would.
 */
export async function followTheBus(stack: LocalStack, out: (line: string) => void): Promise<() => Promise<void>> {
  const { events, sqs } = clientsOf(stack);
  const tap: BusTap = await openBusTap(events, sqs, {
    name: START_TAP_NAME,
    description: 'npm start: the readable event lines (removed at stop)',
  });
  const seen = new Map<string, TappedEvent>();
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let batch: TappedEvent[];
      try {
        batch = await tap.receive({ waitSeconds: 1, abortSignal: stopping.signal });
      } catch {
        if (stopping.signal.aborted) return;
        // The stack is stopping or a call failed: try again shortly rather than spin.
        await sleep(1_000);
        continue;
      }
      for (const event of batch.sort((a, b) => a.sentAt - b.sentAt)) {
        const causationId = event.detail?.metadata?.causationId;
        out(readableEventLine(event, typeof causationId === 'string' ? seen.get(causationId) : undefined));
        seen.set(event.id, event);
        if (seen.size > REMEMBERED_EVENTS) seen.delete(seen.keys().next().value!);
      }
    }
  })();
  return async () => {
    stopping.abort();
    await loop;
    await tap.close();
    events.destroy();
    sqs.destroy();
  };
}

function clientsOf(stack: LocalStack): { events: EventBridgeClient; sqs: SQSClient } {
  const config = {
    region: stack.env.AWS_REGION,
    endpoint: stack.endpoints.aws,
    credentials: { accessKeyId: stack.env.AWS_ACCESS_KEY_ID!, secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY! },
  };
  return { events: new EventBridgeClient(config), sqs: new SQSClient(config) };
}

/**
 * Removes the tap a readable `npm start` left on this state when it was killed before it could (a start with JSON
 * logs has no use for it, and its queue would keep every event). True when there was one.
 */
export async function clearStartTap(stack: LocalStack): Promise<boolean> {
  const { events, sqs } = clientsOf(stack);
  try {
    const queueUrl = await sqs
      .send(new GetQueueUrlCommand({ QueueName: START_TAP_NAME }))
      .then(({ QueueUrl }) => QueueUrl)
      .catch(() => undefined);
    if (!queueUrl) return false;
    const bus = busName();
    await events
      .send(new RemoveTargetsCommand({ Rule: START_TAP_NAME, EventBusName: bus, Ids: ['tap'] }))
      .then(() => events.send(new DeleteRuleCommand({ Name: START_TAP_NAME, EventBusName: bus })))
      .catch(() => undefined);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    return true;
  } finally {
    events.destroy();
    sqs.destroy();
  }
}
