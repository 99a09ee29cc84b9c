import { RevisionLedger, type ApplyOptions, type Outbox, type RevisionOutcome } from '../../shared/revisions';
import type { Logger } from '../../shared/logger';

/**
 * Crashes a consumer between any two of its steps: every downstream call (an SDK command, a JADA or SCC call)
 * is a boundary before and after it, numbered in the order the run meets them. A run told to crash at
 * boundary k dies there: that call and every later one throw, as they would in a process that is gone, so
 * not even the lease is released. `seen` says how many boundaries a run that did not crash met.
 */
export class Crashes {
  private count = 0;
  private crashAt: number | undefined;
  private dead = false;
  readonly points: string[] = [];
  /** What each PutEvents sent, once EventBridge accepted it (the event is out, whatever follows). */
  readonly emitted: { detailType: string; detail: { metadata: Record<string, string>; data: any } }[] = [];

  /** The next run crashes at boundary `crashAt` (none: it runs to the end). */
  arm(crashAt?: number): void {
    this.count = 0;
    this.crashAt = crashAt;
    this.dead = false;
    this.points.length = 0;
  }

  get seen(): number {
    return this.count;
  }

  at(point: string): void {
    if (this.dead) throw new Crash(`after the crash: ${point}`);
    const index = this.count++;
    this.points.push(point);
    if (index === this.crashAt) {
      this.dead = true;
      throw new Crash(point);
    }
  }

  /** Boundaries before and after every command an SDK client sends. */
  watch<C extends { middlewareStack: { add: (...args: any[]) => void } }>(client: C): C {
    client.middlewareStack.add(
      (next: (args: any) => Promise<any>, context: { commandName?: string }) => async (args: any) => {
        const name = context.commandName ?? 'command';
        this.at(`before ${name}`);
        const result = await next(args);
        if (name === 'PutEventsCommand') {
          for (const entry of args.input.Entries ?? []) {
            this.emitted.push({ detailType: entry.DetailType, detail: JSON.parse(entry.Detail) });
          }
        }
        this.at(`after ${name}`);
        return result;
      },
      { step: 'initialize', name: 'crashes' },
    );
    return client;
  }

  /** Boundaries before and after every call of an HTTP API (JADA's, SCC's), at its client's edge. */
  wrap<T extends Record<string, (...args: any[]) => Promise<unknown>>>(api: T, service: string): T {
    return Object.fromEntries(
      Object.entries(api).map(([name, call]) => [
        name,
        async (...args: unknown[]) => {
          this.at(`before ${service} ${name}`);
          const result = await call(...args);
          this.at(`after ${service} ${name}`);
          return result;
        },
      ]),
    ) as T;
  }

  /** The events of a booking emitted so far, of one detail-type. */
  emittedOf(bookingId: string, detailType: string) {
    return this.emitted.filter((e) => e.detailType === detailType && e.detail.metadata.bookingId === bookingId);
  }
}

export class Crash extends Error {
  override readonly name = 'Crash';
  constructor(point: string) {
    super(`crashed at ${point}`);
  }
}

/**
 * The wrong way round, only to show the crash tests have teeth: the decision is carried out first and the
 * revision recorded after, with nothing recorded before acting (what RevisionLedger.apply does for a consumer
 * that has not split its decision from its calls).
 */
export class RecordsAfterActing extends RevisionLedger {
  override applyDecided<H, P>(
    key: { bookingId: string; consumer: string; revision: number },
    outbox: Outbox<H, P>,
    logger?: Logger,
    options: ApplyOptions = {},
  ): Promise<{ outcome: RevisionOutcome; held: H | undefined }> {
    return this.apply<H>(
      key,
      async (held, applied) => {
        const decision = await outbox.decide(held, applied);
        if (!('plan' in decision)) return { held: decision.held };
        return { held: (await outbox.perform(decision.plan, () => Promise.resolve())).held };
      },
      logger,
      options,
    );
  }
}

/**
 * Runs `crashed` told to crash at boundary 0, 1, 2, ... and `then` after each crash, until a run meets no
 * crash; returns the boundaries a whole run meets. A crashed run's lease lasts `leaseMs`, as if its invocation
 * ended then, so `then` waits for it as a retry in Lambda would.
 */
export async function atEveryBoundary(
  crashes: Crashes,
  crashed: (crashAt: number) => Promise<unknown>,
  then: (crashAt: number, point: string) => Promise<void>,
): Promise<string[]> {
  for (let crashAt = 0; ; crashAt++) {
    crashes.arm(crashAt);
    try {
      await crashed(crashAt);
      return [...crashes.points];
    } catch (error) {
      if (!(error instanceof Crash)) throw error;
    }
    const point = crashes.points[crashAt]!;
    crashes.arm();
    await then(crashAt, point);
  }
}

/** The idempotency keys of a booking's events emitted more than once with different details (none: all the same). */
export function sameCopies(emitted: Crashes['emitted'], bookingId: string): string[] {
  const byKey = new Map<string, Set<string>>();
  for (const { detailType, detail } of emitted) {
    if (detail.metadata.bookingId !== bookingId) continue;
    const key = `${detailType} ${detail.metadata.idempotencyKey}`;
    byKey.set(key, (byKey.get(key) ?? new Set()).add(JSON.stringify(detail)));
  }
  return [...byKey].filter(([, copies]) => copies.size > 1).map(([key]) => key);
}
