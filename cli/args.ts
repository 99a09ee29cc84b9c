import { createInterface } from 'node:readline/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { discoverServices } from '../deploy/discover';
import { BOOKING_ID_PATTERN } from '../shared/contract/boatsetter';
import { region, stage } from '../shared/config';
import type { ConsumerDeclaration } from '../shared/declaration';
import { UsageError } from './usage-error';

/**
 * What the operator's commands share: where they point (--stage, --local), times as people type them
 * ("2h ago"), and an output that tests capture and that knows whether it is a terminal.
 */

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Rewrites the current terminal line (progress bars); only called when isTTY. */
  rewrite(line: string): void;
  isTTY: boolean;
}

export const processIo = (): Io => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  rewrite: (line) => process.stdout.write(`\r\x1b[2K${line}`),
  isTTY: Boolean(process.stdout.isTTY && process.stdin.isTTY),
});

export const targetOptions = {
  stage: { type: 'string' },
  local: { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

export const targetHelp = `  --stage NAME    the deployment stage (default: CHARTERFLOW_STAGE, or local)
  --local         use the local stack (http://127.0.0.1:4566, or CHARTERFLOW_AWS_PORT); AWS_ENDPOINT_URL also works
The target (local stack or stage, endpoint, region) is printed on stderr first; stdout keeps the output.`;

/**
 * AWS delivers events to an archive with a delay and recommends replaying only events at least this old
 * (EventBridge user guide, "Archiving and replaying events", Event delivery).
 */
export const AWS_ARCHIVE_LAG_MS = 10 * 60_000;

/** The local stack's AWS endpoint: CHARTERFLOW_AWS_PORT when the stack was started on another port. */
export const localEndpoint = () => `http://127.0.0.1:${process.env.CHARTERFLOW_AWS_PORT ?? 4566}`;

/** Points the SDK at the local stack unless an endpoint is already set. */
export function useLocalStack(): void {
  process.env.AWS_ENDPOINT_URL ??= localEndpoint();
  process.env.AWS_REGION ??= 'us-west-2';
  process.env.AWS_ACCESS_KEY_ID ??= 'charterflow-local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'charterflow-local';
}

/** The local stack needs no real credentials: any endpoint on this machine gets the dummy ones. */
export function isLoopback(endpoint: string | undefined): boolean {
  return Boolean(endpoint && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(endpoint));
}

/**
 * Points the SDK and the shared config at the chosen stage: same code for AWS and the local stack. Answers the
 * one line that says where the command points, which each command prints on stderr (stdout stays the data).
 */
export function applyTarget(values: { stage?: string | undefined; local?: boolean | undefined }): string {
  if (values.stage !== undefined) {
    if (!/^[a-z][a-z0-9-]{0,20}$/.test(values.stage))
      throw new UsageError(`--stage must be lower-case letters, digits and dashes, got "${values.stage}"`);
    process.env.CHARTERFLOW_STAGE = values.stage;
  }
  if (values.local || isLoopback(process.env.AWS_ENDPOINT_URL)) useLocalStack();
  return targetLine();
}

/** "target: local stack http://127.0.0.1:4566 (stage local)", "target: stage prod in us-west-2". */
export function targetLine(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (isLoopback(endpoint)) return `target: local stack ${endpoint} (stage ${stage()})`;
  if (endpoint) return `target: stage ${stage()} at ${endpoint} (${region()})`;
  return `target: stage ${stage()} in ${region()}`;
}

/** A booking id as the operator types it, checked against the contract's pattern (shared/contract/boatsetter.ts). */
export function parseBookingId(text: string, what: string): string {
  if (!BOOKING_ID_PATTERN.test(text))
    throw new UsageError(`${what} must be 6 to 12 upper-case letters and digits (like XHQGMDH), got "${text}"`);
  return text;
}

/**
 * node:util parseArgs with our errors: an unknown option, a missing value or a stray argument is a one-line
 * UsageError. A value that starts with a dash ("--last -1") is taken as the value, so the option's own check
 * says what is wrong with it rather than parseArgs calling it ambiguous.
 */
export function parseCommandArgs<O extends ParseArgsConfig['options']>(argv: string[], options: O, maxPositionals = 0) {
  const takesValue = (arg: string) => {
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    return name !== undefined && options?.[name]?.type === 'string';
  };
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (takesValue(arg) && next !== undefined && /^-\d/.test(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else args.push(arg);
  }
  const config = { args, options, allowPositionals: true as const, strict: true as const };
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    throw new UsageError(`${ourParseMessage(error as NodeJS.ErrnoException)} (see --help)`, { cause: error });
  }
  if (parsed.positionals.length > maxPositionals)
    throw new UsageError(`unexpected argument "${parsed.positionals[maxPositionals]}" (see --help)`);
  return parsed;
}

/** parseArgs' errors, said the way the rest of the CLI says things. */
function ourParseMessage(error: NodeJS.ErrnoException): string {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(error.message)
        ? `'${option}' takes no value`
        : `'${option}' needs a value`;
    default:
      return error.message.split('\n')[0]!;
  }
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const UNIT_NAMES: Record<string, string> = {
  s: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  m: 'm',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  d: 'd',
  day: 'd',
  days: 'd',
  w: 'w',
  week: 'w',
  weeks: 'w',
};

/** A duration such as "90s", "10m", "2h", "3 days" in milliseconds, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  const unit = match && UNIT_NAMES[match[2]!.toLowerCase()];
  return unit ? Number(match![1]) * UNIT_MS[unit]! : undefined;
}

/**
 * A point in time as the operator types it: an ISO 8601 time ("2026-11-24T17:03:00Z", a date, or a time
 * with an offset), "now", or a duration before now ("2h ago", "90 minutes ago", "3d").
 */
export function parseWhen(text: string, option: string, now = Date.now()): Date {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'now') return new Date(now);
  const ago = /^(.*?)\s*ago$/i.exec(trimmed);
  const duration = parseDuration(ago ? ago[1]! : trimmed);
  if (duration !== undefined) return new Date(now - duration);
  // ISO only: Date.parse also takes "Tuesday" and locale formats, which would be guesses.
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  throw new UsageError(`${option} must be an ISO time (2026-11-24T17:03:00Z) or a time ago ("2h ago"), got "${text}"`);
}

export function parsePositiveInt(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new UsageError(`${option} must be a positive whole number, got "${text}"`);
  return value;
}

/** "3m 20s", "1.4s": how long something took, for people. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** "4m ago", "2h ago", "3d ago". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** The declared consumers (services/<name>/declaration.ts): the operator's commands know them by these names. */
export async function declaredConsumers(): Promise<ConsumerDeclaration[]> {
  return (await discoverServices())
    .map((s) => s.declaration)
    .filter((d): d is ConsumerDeclaration => d.kind === 'consumer');
}

/** The named consumer, or a UsageError listing the names there are. */
export function pickConsumer(
  consumers: readonly ConsumerDeclaration[],
  name: string | undefined,
): ConsumerDeclaration | undefined {
  if (name === undefined) return undefined;
  const found = consumers.find((c) => c.name === name);
  if (!found)
    throw new UsageError(`--consumer must be one of ${consumers.map((c) => c.name).join(', ')}; got "${name}"`);
  return found;
}

/** Asks the operator a yes/no question on the terminal; only "y" or "yes" is a yes. */
export async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Rows of cells as lines whose columns line up: each padded to the widest cell of its column, the last left as is. */
export function alignColumns(rows: readonly (readonly string[])[], gap = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join(gap)
      .trimEnd(),
  );
}
