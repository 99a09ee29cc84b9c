import { AwsError, notSupported, type AwsJsonService } from '../service';
import type { Iam } from '../iam/model';
import { InvalidEventPatternError } from './pattern';
import type { LocalQueues } from '../sqs/queues';
import { Archives } from './archives';
import { Buses } from './buses';
import {
  DEFAULT_BACKOFF,
  DeliveryEngine,
  type Backoff,
  type EventLabels,
  type FunctionAsyncConfig,
  type InvokeLambda,
} from './delivery';
import { Arns } from './model';
import { BusStore } from './store';

export type { EventBridgeEvent } from './model';
export type { EventLabels, FunctionAsyncConfig, InvokeLambda } from './delivery';

/**
 * Our own EventBridge (no embeddable one exists): the AWS JSON protocol (X-Amz-Target AWSEvents.*) for
 * buses, rules, targets, PutEvents, TestEventPattern, archives and replays, with asynchronous at-least-once
 * delivery to Lambda functions (in-process) and SQS queues, retry policies and dead-letter queues.
 */

export interface LocalEventBridgeOptions {
  /** Where state, archives and pending deliveries persist; undefined = ephemeral, in memory. */
  dataDir?: string;
  region: string;
  accountId: string;
  queues: LocalQueues;
  invokeLambda: InvokeLambda;
  /** A function's asynchronous-invocation settings (retries, event age, DLQ); Lambda's defaults when undefined. */
  functionConfig?: (functionArn: string) => FunctionAsyncConfig | undefined;
  /** Retry backoff, for EventBridge's retries and Lambda's alike; tests shrink it. */
  backoff?: Backoff;
  /** What a dead-letter log line adds to name the event; nothing when undefined. */
  eventLabels?: EventLabels;
  /**
   * The stack's IAM, when enforced: EventBridge's and Lambda's sends to dead-letter queues are authorised (queue
   * policy; the function's role) and a refused one is dropped, as AWS drops it. Asked at each send, so the stack
   * may read it from the template after the bus starts. Undefined (or answering undefined): not enforced.
   */
  iam?: () => Iam | undefined;
}

export interface LocalEventBridge extends AwsJsonService {
  /** Resolves when no delivery is pending or retrying and no replay is running. */
  idle(): Promise<void>;
  /** Stops delivering; whatever is pending stays persisted (with dataDir) for the next start. */
  stop(): Promise<void>;
}

export async function createEventBridge(options: LocalEventBridgeOptions): Promise<LocalEventBridge> {
  const store = new BusStore(options.dataDir);
  const { state, pending } = await store.open();
  const engine = new DeliveryEngine(
    store,
    options.queues,
    options.invokeLambda,
    options.backoff ?? DEFAULT_BACKOFF,
    options.functionConfig,
    options.eventLabels,
    options.iam,
  );
  const arns = new Arns(options.region, options.accountId);

  let archives: Archives | undefined;
  const persist = (): Promise<void> =>
    store.saveState({
      buses: [...buses.buses.values()],
      rules: [...buses.rules.values()],
      archives: archives ? [...archives.archives.values()] : [],
      replays: archives ? [...archives.replays.values()] : [],
    });
  const buses: Buses = new Buses(arns, engine, persist);
  archives = new Archives(buses, engine, store, persist);
  buses.load(state?.buses ?? [], state?.rules ?? []);
  buses.onIngest = (bus, events) => archives!.ingest(bus, events);
  await archives.load(state?.archives ?? [], state?.replays ?? []);
  if (!state) await persist();
  engine.resume(pending);

  return new EventBridgeService(buses, archives, engine, store, options);
}

class EventBridgeService implements LocalEventBridge {
  readonly targetPrefix = 'AWSEvents';
  readonly serviceName = 'events';
  readonly jsonVersion = '1.1' as const;

  constructor(
    private readonly buses: Buses,
    private readonly archives: Archives,
    private readonly engine: DeliveryEngine,
    private readonly store: BusStore,
    private readonly options: LocalEventBridgeOptions,
  ) {}

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    try {
      return await this.dispatch(operation, input);
    } catch (error) {
      if (error instanceof InvalidEventPatternError) throw new AwsError(error.code, error.message);
      throw error;
    }
  }

  private dispatch(operation: string, input: Record<string, unknown>): Promise<unknown> | unknown {
    const { buses, archives } = this;
    switch (operation) {
      case 'PutEvents':
        return buses.putEvents(input, this.options.region, this.options.accountId);
      case 'TestEventPattern':
        return buses.testEventPattern(input);
      case 'CreateEventBus':
        return buses.createEventBus(input);
      case 'DescribeEventBus':
        return buses.describeEventBus(input);
      case 'ListEventBuses':
        return buses.listEventBuses(input);
      case 'DeleteEventBus':
        return buses.deleteEventBus(input);
      case 'PutRule':
        return buses.putRule(input);
      case 'DescribeRule':
        return buses.describeRule(input);
      case 'ListRules':
        return buses.listRules(input);
      case 'DeleteRule':
        return buses.deleteRule(input);
      case 'EnableRule':
        return buses.setRuleState(input, 'ENABLED');
      case 'DisableRule':
        return buses.setRuleState(input, 'DISABLED');
      case 'PutTargets':
        return buses.putTargets(input);
      case 'ListTargetsByRule':
        return buses.listTargetsByRule(input);
      case 'ListRuleNamesByTarget':
        return buses.listRuleNamesByTarget(input);
      case 'RemoveTargets':
        return buses.removeTargets(input);
      case 'CreateArchive':
        return archives.createArchive(input);
      case 'DescribeArchive':
        return archives.describeArchive(input);
      case 'ListArchives':
        return archives.listArchives(input);
      case 'UpdateArchive':
        return archives.updateArchive(input);
      case 'DeleteArchive':
        return archives.deleteArchive(input);
      case 'StartReplay':
        return archives.startReplay(input);
      case 'DescribeReplay':
        return archives.describeReplay(input);
      case 'ListReplays':
        return archives.listReplays(input);
      case 'CancelReplay':
        return archives.cancelReplay(input);
      default:
        throw notSupported('events', operation);
    }
  }

  async idle(): Promise<void> {
    // A replay enqueues deliveries as it goes, and a delivery may be retried: wait until both are quiet.
    for (;;) {
      await this.archives.idle();
      await this.engine.idle();
      if (this.engine.pending === 0 && !this.archives.busy) return;
    }
  }

  async stop(): Promise<void> {
    await this.archives.stop();
    await this.engine.stop();
    await this.store.close();
  }
}
