import { randomUUID } from 'node:crypto';
import { AwsError } from '../service';
import { matchesEventPattern, parseEventPattern } from './pattern';
import { epochSeconds, parseTimestamp, type Archive, type Bus, type EventBridgeEvent, type Replay } from './model';
import type { Buses } from './buses';
import type { DeliveryEngine } from './delivery';
import type { ArchivedEvent, BusStore } from './store';
import {
  checkName,
  optionalArray,
  optionalNumber,
  optionalString,
  page,
  requiredString,
  validation,
  type Input,
} from './input';

/** Events re-sent per turn of the event loop during a replay, so CancelReplay and other calls get a turn. */
const REPLAY_BATCH = 200;

/**
 * Archives keep every event put on their bus (that matches their optional pattern); replays re-send a time
 * window of an archive to the bus's rules (or only to Destination.FilterArns), each event carrying
 * "replay-name". Replayed events are not archived again, as in AWS.
 */
export class Archives {
  readonly archives = new Map<string, Archive>();
  readonly replays = new Map<string, Replay>();
  private readonly events = new Map<string, ArchivedEvent[]>();
  private readonly running = new Set<Promise<void>>();
  private readonly patterns = new Map<string, ReturnType<typeof parseEventPattern>>();
  private stopped = false;

  constructor(
    private readonly buses: Buses,
    private readonly engine: DeliveryEngine,
    private readonly store: BusStore,
    private readonly persist: () => Promise<void>,
  ) {}

  async load(archives: readonly Archive[], replays: readonly Replay[]): Promise<void> {
    for (const archive of archives) {
      this.archives.set(archive.name, archive);
      this.events.set(archive.name, await this.store.readArchive(archive.name));
    }
    for (const replay of replays) this.replays.set(replay.name, replay);
    // A replay cut short by a stop resumes after the last event it re-sent (at least once, like AWS).
    for (const replay of this.replays.values()) {
      if (replay.state === 'CANCELLING') this.finish(replay, 'CANCELLED');
      else if (replay.state === 'STARTING' || replay.state === 'RUNNING') this.run(replay);
    }
  }

  /** Called for every event put on a bus; replays never come through here. */
  async ingest(bus: Bus, events: readonly ArchivedEvent[]): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const archive of this.archives.values()) {
      if (archive.eventSourceArn !== bus.arn) continue;
      const pattern = archive.eventPattern ? this.patternOf(archive.eventPattern) : undefined;
      const kept = pattern ? events.filter((e) => matchesEventPattern(pattern, e.event)) : events;
      if (kept.length === 0) continue;
      this.events.get(archive.name)!.push(...kept);
      writes.push(this.store.appendArchive(archive.name, kept));
    }
    await Promise.all(writes);
  }

  private patternOf(text: string): ReturnType<typeof parseEventPattern> {
    let compiled = this.patterns.get(text);
    if (!compiled) {
      compiled = parseEventPattern(text);
      this.patterns.set(text, compiled);
    }
    return compiled;
  }

  private archive(name: string): Archive {
    const archive = this.archives.get(name);
    if (!archive) throw new AwsError('ResourceNotFoundException', `Archive ${name} does not exist.`);
    return archive;
  }

  /** Events within the retention period; older ones are gone, as in AWS. */
  private retained(archive: Archive): ArchivedEvent[] {
    const all = this.events.get(archive.name) ?? [];
    if (archive.retentionDays <= 0) return all;
    const cutoff = Date.now() - archive.retentionDays * 86_400_000;
    return all.filter((e) => e.at >= cutoff);
  }

  async createArchive(input: Input) {
    const name = requiredString(input, 'ArchiveName');
    checkName('ArchiveName', name, 48);
    const sourceArn = requiredString(input, 'EventSourceArn');
    const bus = this.buses.busByArn(sourceArn);
    if (!bus)
      throw new AwsError(
        'ResourceNotFoundException',
        `Event bus ${this.buses.arns.busNameOf(sourceArn)} does not exist.`,
      );
    if (this.archives.has(name))
      throw new AwsError('ResourceAlreadyExistsException', `Archive ${name} already exists.`);
    const eventPattern = optionalString(input, 'EventPattern');
    if (eventPattern) parseEventPattern(eventPattern);
    const retentionDays = optionalNumber(input, 'RetentionDays') ?? 0;
    if (retentionDays < 0) throw validation('Parameter RetentionDays is not valid. Reason: must be 0 or more.');
    const description = optionalString(input, 'Description');
    const archive: Archive = {
      name,
      arn: this.buses.arns.archive(name),
      eventSourceArn: bus.arn,
      ...(description !== undefined ? { description } : {}),
      ...(eventPattern ? { eventPattern } : {}),
      retentionDays,
      createdAt: Date.now(),
    };
    this.archives.set(name, archive);
    this.events.set(name, []);
    await this.persist();
    return { ArchiveArn: archive.arn, State: 'ENABLED', CreationTime: epochSeconds(archive.createdAt) };
  }

  private archiveView(archive: Archive) {
    const events = this.retained(archive);
    return {
      ArchiveName: archive.name,
      EventSourceArn: archive.eventSourceArn,
      State: 'ENABLED',
      RetentionDays: archive.retentionDays,
      SizeBytes: events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.event), 'utf8'), 0),
      EventCount: events.length,
      CreationTime: epochSeconds(archive.createdAt),
    };
  }

  describeArchive(input: Input) {
    const archive = this.archive(requiredString(input, 'ArchiveName'));
    return {
      ArchiveArn: archive.arn,
      ...this.archiveView(archive),
      ...(archive.description !== undefined ? { Description: archive.description } : {}),
      ...(archive.eventPattern ? { EventPattern: archive.eventPattern } : {}),
    };
  }

  listArchives(input: Input) {
    const prefix = optionalString(input, 'NamePrefix') ?? '';
    const source = optionalString(input, 'EventSourceArn');
    const all = [...this.archives.values()]
      .filter((a) => a.name.startsWith(prefix) && (!source || a.eventSourceArn === source))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { items, nextToken } = page(all, input);
    return { Archives: items.map((a) => this.archiveView(a)), ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  async updateArchive(input: Input) {
    const archive = this.archive(requiredString(input, 'ArchiveName'));
    const description = optionalString(input, 'Description');
    const eventPattern = optionalString(input, 'EventPattern');
    const retentionDays = optionalNumber(input, 'RetentionDays');
    if (eventPattern) parseEventPattern(eventPattern);
    if (description !== undefined) archive.description = description;
    if (eventPattern !== undefined) archive.eventPattern = eventPattern;
    if (retentionDays !== undefined) archive.retentionDays = retentionDays;
    await this.persist();
    return { ArchiveArn: archive.arn, State: 'ENABLED', CreationTime: epochSeconds(archive.createdAt) };
  }

  async deleteArchive(input: Input) {
    const archive = this.archive(requiredString(input, 'ArchiveName'));
    this.archives.delete(archive.name);
    this.events.delete(archive.name);
    await this.store.deleteArchive(archive.name);
    await this.persist();
    return {};
  }

  // --- replays -----------------------------------------------------------------------------------------

  async startReplay(input: Input) {
    const name = requiredString(input, 'ReplayName');
    checkName('ReplayName', name);
    if (this.replays.has(name)) throw new AwsError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
    const archiveArn = requiredString(input, 'EventSourceArn');
    const archive = [...this.archives.values()].find((a) => a.arn === archiveArn);
    if (!archive)
      throw new AwsError('ResourceNotFoundException', `Archive ${archiveArn.split('/').pop()} does not exist.`);
    const start = parseTimestamp(input.EventStartTime);
    const end = parseTimestamp(input.EventEndTime);
    if (start === undefined)
      throw validation(
        "1 validation error detected: Value null at 'eventStartTime' failed to satisfy constraint: Member must not be null",
      );
    if (end === undefined)
      throw validation(
        "1 validation error detected: Value null at 'eventEndTime' failed to satisfy constraint: Member must not be null",
      );
    if (start >= end)
      throw validation('Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.');
    if (end > Date.now())
      throw validation('Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.');
    const destination = input.Destination as Input | undefined;
    if (!destination)
      throw validation(
        "1 validation error detected: Value null at 'destination' failed to satisfy constraint: Member must not be null",
      );
    const destinationArn = requiredString(destination, 'Arn');
    if (destinationArn !== archive.eventSourceArn)
      throw validation('Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.');
    const filterArns = optionalArray<string>(destination, 'FilterArns');
    for (const arn of filterArns ?? []) {
      const rule = this.buses.rules.get(arn);
      if (!rule || this.buses.arns.bus(rule.busName) !== destinationArn)
        throw validation(
          `Parameter Destination.FilterArns is not valid. Reason: Rule ${arn} does not exist on the destination event bus.`,
        );
    }
    const description = optionalString(input, 'Description');
    const replay: Replay = {
      name,
      arn: this.buses.arns.replay(name),
      ...(description !== undefined ? { description } : {}),
      archiveArn,
      destination: { Arn: destinationArn, ...(filterArns && filterArns.length > 0 ? { FilterArns: filterArns } : {}) },
      eventStartTime: start,
      eventEndTime: end,
      state: 'STARTING',
      replayStartTime: Date.now(),
    };
    this.replays.set(name, replay);
    await this.persist();
    this.run(replay);
    return { ReplayArn: replay.arn, State: 'STARTING', ReplayStartTime: epochSeconds(replay.replayStartTime) };
  }

  private replayView(replay: Replay) {
    return {
      ReplayName: replay.name,
      EventSourceArn: replay.archiveArn,
      State: replay.state,
      ...(replay.stateReason ? { StateReason: replay.stateReason } : {}),
      EventStartTime: epochSeconds(replay.eventStartTime),
      EventEndTime: epochSeconds(replay.eventEndTime),
      ...(replay.eventLastReplayedTime !== undefined
        ? { EventLastReplayedTime: epochSeconds(replay.eventLastReplayedTime) }
        : {}),
      ReplayStartTime: epochSeconds(replay.replayStartTime),
      ...(replay.replayEndTime !== undefined ? { ReplayEndTime: epochSeconds(replay.replayEndTime) } : {}),
    };
  }

  private replay(name: string): Replay {
    const replay = this.replays.get(name);
    if (!replay) throw new AwsError('ResourceNotFoundException', `Replay ${name} does not exist.`);
    return replay;
  }

  describeReplay(input: Input) {
    const replay = this.replay(requiredString(input, 'ReplayName'));
    return {
      ...this.replayView(replay),
      ReplayArn: replay.arn,
      ...(replay.description !== undefined ? { Description: replay.description } : {}),
      Destination: replay.destination,
    };
  }

  listReplays(input: Input) {
    const prefix = optionalString(input, 'NamePrefix') ?? '';
    const state = optionalString(input, 'State');
    const source = optionalString(input, 'EventSourceArn');
    const all = [...this.replays.values()]
      .filter((r) => r.name.startsWith(prefix) && (!state || r.state === state) && (!source || r.archiveArn === source))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { items, nextToken } = page(all, input);
    return { Replays: items.map((r) => this.replayView(r)), ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  async cancelReplay(input: Input) {
    const replay = this.replay(requiredString(input, 'ReplayName'));
    if (replay.state !== 'STARTING' && replay.state !== 'RUNNING')
      throw new AwsError('IllegalStatusException', `Replay ${replay.name} is not in a valid state for this operation.`);
    replay.state = 'CANCELLING';
    await this.persist();
    return { ReplayArn: replay.arn, State: 'CANCELLING' };
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Resolves when no replay is still re-sending events. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private run(replay: Replay): void {
    const job = this.replayEvents(replay)
      .catch((error: unknown) => {
        this.finish(replay, 'FAILED', error instanceof Error ? error.message : String(error));
      })
      .finally(() => this.running.delete(job));
    this.running.add(job);
  }

  private finish(replay: Replay, state: 'COMPLETED' | 'CANCELLED' | 'FAILED', reason?: string): void {
    replay.state = state;
    if (reason) replay.stateReason = reason;
    replay.replayEndTime = Date.now();
    void this.persist();
  }

  private async replayEvents(replay: Replay): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const archive = [...this.archives.values()].find((a) => a.arn === replay.archiveArn);
    const bus = this.buses.busByArn(replay.destination.Arn);
    if (!archive || !bus) return this.finish(replay, 'FAILED', 'The archive or its event bus no longer exists.');
    if (replay.state === 'CANCELLING') return this.finish(replay, 'CANCELLED');
    replay.state = 'RUNNING';
    await this.persist();

    const resumeAfter = replay.eventLastReplayedTime;
    const window = this.retained(archive)
      .map((e) => ({ e, time: Date.parse(e.event.time) }))
      .filter(({ time }) => time >= replay.eventStartTime && time < replay.eventEndTime)
      .filter(({ time }) => resumeAfter === undefined || time >= resumeAfter)
      .sort((a, b) => a.time - b.time);
    const onlyRules = replay.destination.FilterArns ? new Set(replay.destination.FilterArns) : undefined;

    for (let i = 0; i < window.length; i += REPLAY_BATCH) {
      if (this.stopped) return;
      if ((replay.state as Replay['state']) === 'CANCELLING') return this.finish(replay, 'CANCELLED');
      const batch = window.slice(i, i + REPLAY_BATCH);
      const now = Date.now();
      const deliveries = batch.flatMap(({ e }) => {
        const event: EventBridgeEvent = { ...e.event, id: randomUUID(), 'replay-name': replay.name };
        return this.buses.route(bus, event, onlyRules, now);
      });
      await this.engine.enqueue(deliveries);
      replay.eventLastReplayedTime = batch[batch.length - 1]!.time;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.stopped) return;
    this.finish(replay, (replay.state as Replay['state']) === 'CANCELLING' ? 'CANCELLED' : 'COMPLETED');
  }
}
