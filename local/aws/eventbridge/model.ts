/**
 * The resources of the local EventBridge, in the shapes AWS returns them, plus the ARN forms AWS uses.
 * Times are epoch milliseconds inside the emulator; the JSON protocol sends epoch seconds.
 */

/** An event as EventBridge delivers it to a target (and as the archive keeps it). */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  /** Set only on events re-sent from an archive. */
  'replay-name'?: string;
}

export interface Bus {
  name: string;
  arn: string;
  description?: string;
  createdAt: number;
  modifiedAt: number;
}

export interface RetryPolicy {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
}

/** What a target's InputTransformer holds; input-transformer.ts validates and applies it. */
export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

export interface Target {
  Id: string;
  Arn: string;
  RetryPolicy?: RetryPolicy;
  DeadLetterConfig?: { Arn?: string };
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
}

export interface Rule {
  name: string;
  arn: string;
  busName: string;
  eventPattern?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  targets: Target[];
  createdAt: number;
}

export interface Archive {
  name: string;
  arn: string;
  eventSourceArn: string;
  description?: string;
  eventPattern?: string;
  retentionDays: number;
  createdAt: number;
}

export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface Replay {
  name: string;
  arn: string;
  description?: string;
  archiveArn: string;
  destination: { Arn: string; FilterArns?: string[] };
  eventStartTime: number;
  eventEndTime: number;
  state: ReplayState;
  stateReason?: string;
  eventLastReplayedTime?: number;
  replayStartTime: number;
  replayEndTime?: number;
}

/** One event on its way to one target: the unit that is retried, dead-lettered and persisted. */
export interface Delivery {
  id: string;
  event: EventBridgeEvent;
  ruleArn: string;
  target: Target;
  /** When the event entered the bus: MaximumEventAgeInSeconds counts from here. */
  ingestedAt: number;
  /** Attempts made so far. */
  attempts: number;
  nextAttemptAt: number;
  /** The PutEvents entry's TraceHeader, handed to a Lambda target as EventBridge does (not part of the event). */
  traceHeader?: string;
  /**
   * Set once Lambda accepted the event (an asynchronous invoke): from then on a failure is the function's,
   * retried by Lambda under the function's own settings, no longer by the rule's RetryPolicy.
   */
  accepted?: AcceptedByLambda;
}

export interface AcceptedByLambda {
  /** The invoke's request id: the same on every retry, as Lambda keeps it (RequestID in the dead letter). */
  requestId: string;
  /** When Lambda accepted the event: the function's maximum event age counts from here. */
  at: number;
  /** Runs of the function so far. */
  attempts: number;
}

export const DEFAULT_BUS = 'default';

/** EventBridge's defaults when a target has no RetryPolicy: 185 retries within 24 hours. */
export const DEFAULT_RETRY: Required<RetryPolicy> = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };

export class Arns {
  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  private prefix(): string {
    return `arn:aws:events:${this.region}:${this.accountId}`;
  }

  bus(name: string): string {
    return `${this.prefix()}:event-bus/${name}`;
  }

  /** Rules on the default bus have no bus segment in their ARN; rules on custom buses do. */
  rule(busName: string, ruleName: string): string {
    return busName === DEFAULT_BUS
      ? `${this.prefix()}:rule/${ruleName}`
      : `${this.prefix()}:rule/${busName}/${ruleName}`;
  }

  archive(name: string): string {
    return `${this.prefix()}:archive/${name}`;
  }

  replay(name: string): string {
    return `${this.prefix()}:replay/${name}`;
  }

  /** EventBusName parameters accept a name or an ARN. */
  busNameOf(nameOrArn: string | undefined): string {
    if (!nameOrArn) return DEFAULT_BUS;
    const match = /^arn:aws[\w-]*:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
    return match ? match[1]! : nameOrArn;
  }
}

/** The JSON protocol's timestamp form. */
export const epochSeconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/** Timestamps arrive as epoch seconds (number) from the SDK; the CLI may send ISO strings. */
export function parseTimestamp(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Math.round(value * 1000);
  if (typeof value === 'string') {
    const asNumber = Number(value);
    if (value.trim() !== '' && Number.isFinite(asNumber)) return Math.round(asNumber * 1000);
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** Event `time` is ISO 8601 at second precision, as EventBridge writes it. */
export const eventTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
