import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DetailType, EventDetail } from './contract/events';
import { eventContracts } from './contract-validators.generated';
import { parseOrThrow } from './contract/validate';
import { busName } from './config';
import { currentTraceHeader } from './tracing';
import { setTimeout as sleep } from 'node:timers/promises';
import { fullJitter } from './backoff';

export interface OutgoingEvent<T extends DetailType = DetailType> {
  detailType: T;
  detail: EventDetail<T>;
}

export interface FailedEntry {
  detailType: string;
  bookingId: string;
  errorCode: string;
  errorMessage: string;
}

export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(readonly failed: FailedEntry[]) {
    super(
      `PutEvents failed for ${failed.length} event(s): ` +
        failed.map((f) => `${f.detailType} of booking ${f.bookingId} (${f.errorCode}: ${f.errorMessage})`).join('; '),
    );
  }
}

/** PutEvents takes at most 10 entries a call (EventBridge quota). */
export const PUT_EVENTS_BATCH = 10;

export interface PublisherOptions {
  busName?: string;
  /** Attempts per entry, counting the first; only entries that failed are sent again. */
  maxAttempts?: number;
  baseDelayMs?: number;
}

/**
 * Validates every detail against its contract schema before anything is sent (a producer never puts an
 * event that consumers would reject), sends in batches of 10, and retries only the entries that failed.
 * Returns the EventBridge event ids in the order of `events`.
 */
export class Publisher {
  private readonly bus: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(
    private readonly client: EventBridgeClient,
    options: PublisherOptions = {},
  ) {
    this.bus = options.busName ?? busName();
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 50;
  }

  async publish(events: readonly OutgoingEvent[]): Promise<string[]> {
    const entries = events.map((event) => this.toEntry(event));
    const ids: string[] = new Array(entries.length);
    for (let start = 0; start < entries.length; start += PUT_EVENTS_BATCH) {
      const indexes = entries.slice(start, start + PUT_EVENTS_BATCH).map((_, i) => start + i);
      await this.sendWithRetries(entries, indexes, ids);
    }
    return ids;
  }

  async publishOne<T extends DetailType>(detailType: T, detail: EventDetail<T>): Promise<string> {
    const [id] = await this.publish([{ detailType, detail }]);
    return id!;
  }

  private toEntry(event: OutgoingEvent): PutEventsRequestEntry {
    const contract = eventContracts[event.detailType];
    if (!contract) throw new Error(`unknown detail-type ${String(event.detailType)}`);
    const detail = parseOrThrow(contract.schema, event.detail, `${event.detailType} detail`);
    const traceHeader = currentTraceHeader();
    return {
      EventBusName: this.bus,
      Source: contract.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(detail),
      ...(traceHeader ? { TraceHeader: traceHeader } : {}),
    };
  }

  private async sendWithRetries(entries: PutEventsRequestEntry[], indexes: number[], ids: string[]) {
    let pending = indexes;
    let lastErrors = new Map<number, { code: string; message: string }>();
    for (let attempt = 1; attempt <= this.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) await sleep(fullJitter(this.baseDelayMs, attempt - 1));
      const result = await this.client.send(new PutEventsCommand({ Entries: pending.map((i) => entries[i]!) }));
      const failedNow: number[] = [];
      lastErrors = new Map();
      (result.Entries ?? []).forEach((entry, position) => {
        const index = pending[position]!;
        if (entry.EventId && !entry.ErrorCode) ids[index] = entry.EventId;
        else {
          failedNow.push(index);
          lastErrors.set(index, { code: entry.ErrorCode ?? 'Unknown', message: entry.ErrorMessage ?? '' });
        }
      });
      // A response shorter than the request would leave entries unaccounted for: treat them as failed.
      for (const index of pending.slice(result.Entries?.length ?? 0)) {
        failedNow.push(index);
        lastErrors.set(index, { code: 'MissingResult', message: 'no result entry returned' });
      }
      pending = failedNow;
    }
    if (pending.length > 0) {
      throw new PublishError(
        pending.map((i) => {
          const entry = entries[i]!;
          const error = lastErrors.get(i)!;
          return {
            detailType: entry.DetailType!,
            bookingId: bookingIdOf(entry.Detail),
            errorCode: error.code,
            errorMessage: error.message,
          };
        }),
      );
    }
  }
}

function bookingIdOf(detail: string | undefined): string {
  try {
    return JSON.parse(detail ?? '{}').metadata?.bookingId ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
