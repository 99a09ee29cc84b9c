import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Crash points: a test (or the local stack) can stop a consumer's invocation just before or just after any of
 * its downstream calls (every AWS SDK call made through shared/aws.ts, every JADA or SCC call made through
 * shared/http-client.ts), to check that a retry finishes what the crash left half done.
 *
 * Inert in production: nothing here runs unless a planner is set (setCrashPlanner, called only by tests and the
 * local stack), and the SDK clients carry the middleware only when CHARTERFLOW_CRASH_POINTS is set as they are
 * made. The per-invocation plan lives in an AsyncLocalStorage made on first use, because the storage slows
 * every promise of the process once it runs.
 */

export type CrashPhase = 'before' | 'after';

/** The invocation a planner is asked about: which consumer, on which event of which booking. */
export interface CrashInvocation {
  consumer: string;
  detailType: string;
  bookingId: string;
  revision: number;
  eventId: string;
  /** Lambda's request id: the same across Lambda's retries of one asynchronous invocation. */
  requestId: string;
}

/** What one invocation does at its downstream calls, and what it met. */
export interface CrashPlan {
  /** The downstream call to crash at, numbered from 1 in the order the calls start; none: only count them. */
  at?: number;
  phase?: CrashPhase;
  /** Kill the process (the local stack run as a process) instead of throwing. */
  kill?: boolean;
  /** Each downstream call's name, in the order they started ("DynamoDB.UpdateItem", "scc createCrewEvent"). */
  calls: string[];
  /** Where the crash happened, once it has. */
  crashed?: { at: number; phase: CrashPhase; call: string };
}

export type CrashPlanner = (invocation: CrashInvocation) => CrashPlan | undefined;

/**
 * The invocation stopped at a crash point. A distinct class, so a test tells it from a real failure; the
 * consumer wrapper throws it (and Lambda retries it) even when the consumer's own code caught it.
 */
export class CrashPointReached extends Error {
  override readonly name = 'CrashPointReached';
  constructor(
    readonly at: number,
    readonly phase: CrashPhase,
    readonly call: string,
    options?: ErrorOptions,
  ) {
    super(`crash point ${at} (${phase} ${call}) reached: the invocation stops here`, options);
  }
}

let planner: CrashPlanner | undefined;
let storage: AsyncLocalStorage<CrashPlan> | undefined;

/** Sets (or, with undefined, clears) who plans each consumer invocation's crash. Tests and the local stack only. */
export function setCrashPlanner(next: CrashPlanner | undefined): void {
  if (next) storage ??= new AsyncLocalStorage<CrashPlan>();
  planner = next;
}

/** Whether SDK clients made now should carry the crash-point middleware. */
export const crashPointsWanted = (env: NodeJS.ProcessEnv = process.env) => Boolean(env.CHARTERFLOW_CRASH_POINTS);

/**
 * Runs a consumer's action under the plan the planner gives this invocation. Once the plan crashed, the
 * invocation fails with the crash, whatever the action made of it.
 */
export async function underCrashPlan<R>(invocation: () => CrashInvocation, act: () => Promise<R>): Promise<R> {
  if (!planner || !storage) return act();
  const plan = planner(invocation());
  if (!plan) return act();
  let result: R;
  try {
    result = await storage.run(plan, act);
  } catch (error) {
    if (plan.crashed && !(error instanceof CrashPointReached)) throw crashOf(plan, error);
    throw error;
  }
  if (plan.crashed) throw crashOf(plan);
  return result;
}

function crashOf(plan: CrashPlan, cause?: unknown): CrashPointReached {
  const { at, phase, call } = plan.crashed!;
  return new CrashPointReached(at, phase, call, cause === undefined ? undefined : { cause });
}

/**
 * One downstream call, with its two crash points around it. Once the invocation crashed, no further call
 * goes out: a crashed process sends nothing more, whatever its code would have done on the error.
 */
export async function atCrashPoint<R>(call: string, send: () => Promise<R>): Promise<R> {
  const plan = storage?.getStore();
  if (!plan) return send();
  if (plan.crashed) throw crashOf(plan);
  plan.calls.push(call);
  const index = plan.calls.length;
  const here = (phase: CrashPhase) => plan.at === index && (plan.phase ?? 'before') === phase;
  if (here('before')) crash(plan, index, 'before', call);
  let outcome: { value: R } | { error: unknown };
  try {
    outcome = { value: await send() };
  } catch (error) {
    outcome = { error };
  }
  if (plan.crashed) throw crashOf(plan);
  if (here('after')) crash(plan, index, 'after', call);
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

function crash(plan: CrashPlan, at: number, phase: CrashPhase, call: string): never {
  plan.crashed = { at, phase, call };
  if (plan.kill) process.kill(process.pid, 'SIGKILL');
  throw crashOf(plan);
}

/** The narrow shape of an AWS SDK v3 client the middleware needs. */
interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

/**
 * Puts crash points around every call the client sends ("DynamoDB.UpdateItem"), when CHARTERFLOW_CRASH_POINTS
 * is set; leaves the client as it is otherwise. Outermost, so the SDK's own retries are inside one call.
 */
export function withCrashPoints<C>(client: C, env: NodeJS.ProcessEnv = process.env): C {
  if (!crashPointsWanted(env)) return client;
  (client as MiddlewareClient).middlewareStack.add(
    (next, context) => (args) =>
      atCrashPoint(
        `${(context.clientName ?? 'AWS').replace(/Client$/, '')}.${(context.commandName ?? 'call').replace(/Command$/, '')}`,
        () => next(args),
      ),
    { step: 'initialize', name: 'charterflowCrashPoints', priority: 'high' },
  );
  return client;
}
