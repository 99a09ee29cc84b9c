import { randomUUID } from 'node:crypto';
import { invalidTransformer } from './input-transformer';
import { AwsError } from '../service';
import { matchesEventPattern, parseEventPattern } from './pattern';
import {
  type Arns,
  DEFAULT_BUS,
  epochSeconds,
  eventTime,
  parseTimestamp,
  type Bus,
  type Delivery,
  type EventBridgeEvent,
  type InputTransformer,
  type Rule,
  type Target,
} from './model';
import type { DeliveryEngine } from './delivery';
import { targetKind } from './delivery';
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

/** EventBridge's PutEvents quotas: 10 entries, 256 KB of entries (sized as the user guide computes it). */
export const MAX_ENTRIES = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;
const MAX_TARGETS_PER_RULE = 5;

type CompiledPattern = ReturnType<typeof parseEventPattern>;

/** Hook for archives: told of every event that entered a bus from PutEvents (never of replayed ones). */
export type OnIngest = (bus: Bus, events: readonly { at: number; event: EventBridgeEvent }[]) => Promise<void>;

/** Buses, rules and targets; PutEvents, TestEventPattern, and routing of events to rule targets. */
export class Buses {
  readonly buses = new Map<string, Bus>();
  readonly rules = new Map<string, Rule>();
  private readonly compiled = new Map<string, CompiledPattern>();
  onIngest: OnIngest = async () => {};

  constructor(
    readonly arns: Arns,
    private readonly engine: DeliveryEngine,
    private readonly persist: () => Promise<void>,
  ) {}

  load(buses: readonly Bus[], rules: readonly Rule[]): void {
    for (const bus of buses) this.buses.set(bus.name, bus);
    for (const rule of rules) {
      this.rules.set(rule.arn, rule);
      if (rule.eventPattern) this.compiled.set(rule.arn, parseEventPattern(rule.eventPattern));
    }
    if (!this.buses.has(DEFAULT_BUS)) this.addBus(DEFAULT_BUS);
  }

  private addBus(name: string, description?: string): Bus {
    const now = Date.now();
    const bus: Bus = {
      name,
      arn: this.arns.bus(name),
      createdAt: now,
      modifiedAt: now,
      ...(description ? { description } : {}),
    };
    this.buses.set(name, bus);
    return bus;
  }

  bus(nameOrArn: string | undefined): Bus {
    const name = this.arns.busNameOf(nameOrArn);
    const bus = this.buses.get(name);
    if (!bus) throw new AwsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  }

  busByArn(arn: string): Bus | undefined {
    return [...this.buses.values()].find((b) => b.arn === arn);
  }

  rule(input: Input): Rule {
    const name = requiredString(input, 'Name' in input ? 'Name' : 'Rule');
    const bus = this.bus(optionalString(input, 'EventBusName'));
    const rule = this.rules.get(this.arns.rule(bus.name, name));
    if (!rule) throw new AwsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  // --- buses -------------------------------------------------------------------------------------------

  async createEventBus(input: Input) {
    const name = requiredString(input, 'Name');
    if (name.includes('/') || name.length > 256 || !/^[/.\-_A-Za-z0-9]+$/.test(name))
      throw validation(`Parameter Name is not valid. Reason: ${name} is not a valid event bus name.`);
    if (this.buses.has(name)) throw new AwsError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    const bus = this.addBus(name, optionalString(input, 'Description'));
    await this.persist();
    return { EventBusArn: bus.arn, ...(bus.description ? { Description: bus.description } : {}) };
  }

  describeEventBus(input: Input) {
    return this.busView(this.bus(optionalString(input, 'Name')));
  }

  private busView(bus: Bus) {
    return {
      Name: bus.name,
      Arn: bus.arn,
      ...(bus.description ? { Description: bus.description } : {}),
      CreationTime: epochSeconds(bus.createdAt),
      LastModifiedTime: epochSeconds(bus.modifiedAt),
    };
  }

  listEventBuses(input: Input) {
    const prefix = optionalString(input, 'NamePrefix') ?? '';
    const all = [...this.buses.values()]
      .filter((b) => b.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { items, nextToken } = page(all, input);
    return { EventBuses: items.map((b) => this.busView(b)), ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  async deleteEventBus(input: Input) {
    const name = this.arns.busNameOf(requiredString(input, 'Name'));
    if (name === DEFAULT_BUS) throw validation('Cannot delete event bus default.');
    if (!this.buses.has(name)) return {};
    if ([...this.rules.values()].some((r) => r.busName === name))
      throw validation(`Event bus ${name} can't be deleted since it has rules.`);
    this.buses.delete(name);
    await this.persist();
    return {};
  }

  // --- rules -------------------------------------------------------------------------------------------

  async putRule(input: Input) {
    const name = requiredString(input, 'Name');
    checkName('Name', name);
    const bus = this.bus(optionalString(input, 'EventBusName'));
    const eventPattern = optionalString(input, 'EventPattern');
    if (optionalString(input, 'ScheduleExpression') !== undefined)
      throw new AwsError(
        'UnsupportedOperation',
        'not supported by charterflow local: events.PutRule with ScheduleExpression',
        501,
      );
    if (!eventPattern) throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    const compiled = parseEventPattern(eventPattern);
    const state = optionalString(input, 'State') ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED')
      throw validation(
        `1 validation error detected: Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`,
      );
    const arn = this.arns.rule(bus.name, name);
    const existing = this.rules.get(arn);
    const description = optionalString(input, 'Description');
    const rule: Rule = {
      name,
      arn,
      busName: bus.name,
      eventPattern,
      state,
      ...(description !== undefined ? { description } : {}),
      targets: existing?.targets ?? [],
      createdAt: existing?.createdAt ?? Date.now(),
    };
    this.rules.set(arn, rule);
    this.compiled.set(arn, compiled);
    await this.persist();
    return { RuleArn: arn };
  }

  private ruleView(rule: Rule) {
    return {
      Name: rule.name,
      Arn: rule.arn,
      EventBusName: rule.busName,
      ...(rule.eventPattern ? { EventPattern: rule.eventPattern } : {}),
      State: rule.state,
      ...(rule.description !== undefined ? { Description: rule.description } : {}),
    };
  }

  describeRule(input: Input) {
    const rule = this.rule(input);
    return { ...this.ruleView(rule), CreatedBy: this.arns.accountId };
  }

  listRules(input: Input) {
    const bus = this.bus(optionalString(input, 'EventBusName'));
    const prefix = optionalString(input, 'NamePrefix') ?? '';
    const all = [...this.rules.values()]
      .filter((r) => r.busName === bus.name && r.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { items, nextToken } = page(all, input);
    return { Rules: items.map((r) => this.ruleView(r)), ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  async deleteRule(input: Input) {
    const name = requiredString(input, 'Name');
    const bus = this.bus(optionalString(input, 'EventBusName'));
    const arn = this.arns.rule(bus.name, name);
    const rule = this.rules.get(arn);
    // DeleteRule of a rule that does not exist succeeds in AWS.
    if (!rule) return {};
    if (rule.targets.length > 0) throw validation("Rule can't be deleted since it has targets.");
    this.rules.delete(arn);
    this.compiled.delete(arn);
    await this.persist();
    return {};
  }

  async setRuleState(input: Input, state: Rule['state']) {
    const rule = this.rule(input);
    rule.state = state;
    await this.persist();
    return {};
  }

  // --- targets -----------------------------------------------------------------------------------------

  async putTargets(input: Input) {
    const rule = this.rule(input);
    const targets = optionalArray<Input>(input, 'Targets');
    if (!targets || targets.length === 0)
      throw validation(
        "1 validation error detected: Value null at 'targets' failed to satisfy constraint: Member must not be null",
      );
    const failed: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> = [];
    const next = [...rule.targets];
    for (const raw of targets) {
      const target = this.parseTarget(raw);
      const at = next.findIndex((t) => t.Id === target.Id);
      if (at >= 0) next[at] = target;
      else next.push(target);
    }
    if (next.length > MAX_TARGETS_PER_RULE)
      throw new AwsError(
        'LimitExceededException',
        `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).`,
      );
    rule.targets = next;
    await this.persist();
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  private parseTarget(raw: Input): Target {
    const id = requiredString(raw, 'Id');
    checkName('Id', id);
    const arn = requiredString(raw, 'Arn');
    if (!targetKind(arn))
      throw validation(
        `Parameter ${arn} is not valid. Reason: charterflow local delivers only to Lambda functions and SQS queues.`,
      );
    const target: Target = { Id: id, Arn: arn };
    const retry = raw.RetryPolicy as Input | undefined;
    if (retry) {
      const attempts = optionalNumber(retry, 'MaximumRetryAttempts');
      const age = optionalNumber(retry, 'MaximumEventAgeInSeconds');
      if (attempts !== undefined && (attempts < 0 || attempts > 185))
        throw validation('Parameter MaximumRetryAttempts is not valid. Reason: must be between 0 and 185.');
      if (age !== undefined && (age < 60 || age > 86_400))
        throw validation('Parameter MaximumEventAgeInSeconds is not valid. Reason: must be between 60 and 86400.');
      target.RetryPolicy = {
        ...(attempts !== undefined ? { MaximumRetryAttempts: attempts } : {}),
        ...(age !== undefined ? { MaximumEventAgeInSeconds: age } : {}),
      };
    }
    const dlq = raw.DeadLetterConfig as Input | undefined;
    if (dlq) {
      const dlqArn = optionalString(dlq, 'Arn');
      if (dlqArn !== undefined && targetKind(dlqArn) !== 'sqs')
        throw validation(`Parameter DeadLetterConfig.Arn is not valid. Reason: ${dlqArn} is not an SQS queue ARN.`);
      target.DeadLetterConfig = dlqArn !== undefined ? { Arn: dlqArn } : {};
    }
    const inputConst = optionalString(raw, 'Input');
    if (inputConst !== undefined) {
      try {
        JSON.parse(inputConst);
      } catch {
        throw validation('Parameter Input is not valid JSON.');
      }
      target.Input = inputConst;
    }
    const inputPath = optionalString(raw, 'InputPath');
    if (inputPath !== undefined) target.InputPath = inputPath;
    const transformer = raw.InputTransformer as Partial<InputTransformer> | undefined;
    if (transformer !== undefined && transformer !== null) {
      const reason = invalidTransformer(transformer);
      if (reason) throw validation(`Parameter InputTransformer is not valid. Reason: ${reason}`);
      target.InputTransformer = transformer as InputTransformer;
    }
    if ([target.Input, target.InputPath, target.InputTransformer].filter((x) => x !== undefined).length > 1)
      throw validation('Only one of Input, InputPath, or InputTransformer must be provided.');
    return target;
  }

  listTargetsByRule(input: Input) {
    const rule = this.rule(input);
    const { items, nextToken } = page(rule.targets, input);
    return { Targets: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  async removeTargets(input: Input) {
    const rule = this.rule(input);
    const ids = optionalArray<string>(input, 'Ids') ?? [];
    if (ids.length === 0)
      throw validation(
        "1 validation error detected: Value null at 'ids' failed to satisfy constraint: Member must not be null",
      );
    rule.targets = rule.targets.filter((t) => !ids.includes(t.Id));
    await this.persist();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  // --- events ------------------------------------------------------------------------------------------

  async putEvents(input: Input, region: string, accountId: string) {
    const entries = optionalArray<Input>(input, 'Entries');
    if (!entries || entries.length === 0)
      throw validation(
        "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
      );
    if (entries.length > MAX_ENTRIES)
      throw validation(
        `1 validation error detected: Value '[${entries.length} entries]' at 'entries' failed to satisfy constraint: ` +
          `Member must have length less than or equal to ${MAX_ENTRIES}`,
      );
    const total = entries.reduce((sum, e) => sum + entrySize(e), 0);
    if (total > MAX_REQUEST_BYTES) throw validation('Total size of the entries in the request is over the limit.');

    const now = Date.now();
    const results: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }> = [];
    const accepted: Array<{ bus: Bus; event: EventBridgeEvent; traceHeader?: string }> = [];
    for (const entry of entries) {
      const checked = this.checkEntry(entry);
      if ('ErrorCode' in checked) {
        results.push(checked);
        continue;
      }
      const time = parseTimestamp(entry.Time) ?? now;
      const event: EventBridgeEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': checked.detailType,
        source: checked.source,
        account: accountId,
        time: eventTime(time),
        region,
        resources: (optionalArray<string>(entry, 'Resources') ?? []).filter((r) => typeof r === 'string'),
        detail: checked.detail,
      };
      const traceHeader = typeof entry.TraceHeader === 'string' ? entry.TraceHeader : undefined;
      accepted.push({ bus: checked.bus, event, ...(traceHeader ? { traceHeader } : {}) });
      results.push({ EventId: event.id });
    }

    // Archive and journal before answering: an accepted event is never lost, even if the stack stops now.
    const byBus = new Map<Bus, Array<{ at: number; event: EventBridgeEvent }>>();
    const traceHeaders = new Map<string, string>();
    for (const { bus, event, traceHeader } of accepted) {
      const list = byBus.get(bus) ?? [];
      list.push({ at: now, event });
      byBus.set(bus, list);
      if (traceHeader) traceHeaders.set(event.id, traceHeader);
    }
    const deliveries: Delivery[] = [];
    for (const [bus, events] of byBus) {
      await this.onIngest(bus, events);
      for (const { event } of events) {
        const routed = this.route(bus, event, undefined, now);
        const traceHeader = traceHeaders.get(event.id);
        if (traceHeader) for (const d of routed) d.traceHeader = traceHeader;
        deliveries.push(...routed);
      }
    }
    await this.engine.enqueue(deliveries);
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  private checkEntry(
    entry: Input,
  ): { bus: Bus; source: string; detailType: string; detail: unknown } | { ErrorCode: string; ErrorMessage: string } {
    const invalid = (member: string, reason: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${member} is not valid. Reason: ${reason}`,
    });
    const source = entry.Source;
    if (typeof source !== 'string' || source === '') return invalid('Source', 'Source is a required argument.');
    const detailType = entry.DetailType;
    if (typeof detailType !== 'string' || detailType === '')
      return invalid('DetailType', 'DetailType is a required argument.');
    const detailText = entry.Detail;
    if (typeof detailText !== 'string' || detailText === '') return invalid('Detail', 'Detail is a required argument.');
    let detail: unknown;
    try {
      detail = JSON.parse(detailText);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    const busName = this.arns.busNameOf(typeof entry.EventBusName === 'string' ? entry.EventBusName : undefined);
    const bus = this.buses.get(busName);
    // AWS accepts an entry for a bus that does not exist and drops it (aws/aws-sdk#186); locally the entry fails,
    // so a misspelt bus name shows at once instead of as a silent loss.
    if (!bus) return { ErrorCode: 'InvalidArgument', ErrorMessage: `Event bus ${busName} does not exist.` };
    return { bus, source, detailType, detail };
  }

  /**
   * The deliveries an event makes on a bus: one per target of every enabled rule whose pattern matches.
   * A replay restricts this to its FilterArns.
   */
  route(bus: Bus, event: EventBridgeEvent, onlyRules: ReadonlySet<string> | undefined, ingestedAt: number): Delivery[] {
    const out: Delivery[] = [];
    for (const rule of this.rules.values()) {
      if (rule.busName !== bus.name || rule.state !== 'ENABLED' || rule.targets.length === 0) continue;
      if (onlyRules && !onlyRules.has(rule.arn)) continue;
      const pattern = this.compiled.get(rule.arn);
      if (!pattern || !matchesEventPattern(pattern, event)) continue;
      for (const target of rule.targets) out.push(this.engine.newDelivery(event, rule.arn, target, ingestedAt));
    }
    return out;
  }

  listRuleNamesByTarget(input: Input) {
    const targetArn = requiredString(input, 'TargetArn');
    const bus = this.bus(optionalString(input, 'EventBusName'));
    const names = [...this.rules.values()]
      .filter((r) => r.busName === bus.name && r.targets.some((t) => t.Arn === targetArn))
      .map((r) => r.name)
      .sort();
    const { items, nextToken } = page(names, input);
    return { RuleNames: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  testEventPattern(input: Input) {
    const pattern = parseEventPattern(requiredString(input, 'EventPattern'));
    const text = requiredString(input, 'Event');
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      throw validation('Parameter Event is not valid. Reason: Event is not valid JSON.');
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event))
      throw validation('Parameter Event is not valid. Reason: Event must be a JSON object.');
    for (const field of ['id', 'account', 'source', 'time', 'region', 'detail-type'])
      if (!(field in event))
        throw validation(
          `Parameter Event is not valid. Reason: Provided Event does not have the required field ${field}.`,
        );
    return { Result: matchesEventPattern(pattern, event) };
  }
}

/** Entry size as the EventBridge user guide computes it (Time counts 14 bytes; strings count UTF-8 bytes). */
export function entrySize(entry: Input): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) size += bytes(r);
  return size;
}
