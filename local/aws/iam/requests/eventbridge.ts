import type { ArnContext, Authorization, Authorizations } from '../model';

/**
 * EventBridge's authorizations, as the Service Authorization Reference names them. PutEvents: events:PutEvents
 * on each entry's bus (EventBusName a name or an ARN, the default bus when absent), with events:source and
 * events:detail-type, the condition keys AWS sets from the entry. The rule operations on the rule's ARN
 * (`rule/<name>` on the default bus, `rule/<bus>/<name>` on another), PutTargets with events:TargetArn;
 * the bus operations on `event-bus/<name>`; the archive and replay operations on `archive/<name>` and
 * `replay/<name>` (CreateArchive also on the bus it archives, StartReplay on the archive it replays).
 */

type Input = Record<string, unknown>;

const ON_RULE = new Set([
  'PutRule',
  'DescribeRule',
  'DeleteRule',
  'EnableRule',
  'DisableRule',
  'PutTargets',
  'RemoveTargets',
  'ListTargetsByRule',
]);
const ON_BUS = new Set(['CreateEventBus', 'DescribeEventBus', 'DeleteEventBus', 'UpdateEventBus']);
const ON_ARCHIVE = new Set(['DescribeArchive', 'UpdateArchive', 'DeleteArchive']);
const ON_REPLAY = new Set(['DescribeReplay', 'CancelReplay']);
/** No resource-level permission: AWS checks these against "*". */
const UNSCOPED = new Set([
  'ListEventBuses',
  'ListRules',
  'ListRuleNamesByTarget',
  'ListArchives',
  'ListReplays',
  'TestEventPattern',
]);

export function eventBridgeAuthorizations(operation: string, input: Input, arns: ArnContext): Authorizations {
  const authorizations = authorizationsFor(operation, input, arns);
  return authorizations ? { authorizations } : { unknown: `events.${operation} is not known to the local IAM` };
}

function authorizationsFor(operation: string, input: Input, arns: ArnContext): Authorization[] | undefined {
  const action = `events:${operation}`;
  const base = `arn:aws:events:${arns.region}:${arns.accountId}`;
  if (operation === 'PutEvents') {
    return listOf(input.Entries).map((entry) => {
      const { EventBusName, Source, DetailType } = recordOf(entry);
      const context: Record<string, string> = {};
      if (typeof Source === 'string') context['events:source'] = Source;
      if (typeof DetailType === 'string') context['events:detail-type'] = DetailType;
      return { action, resource: busArnOf(EventBusName, base), context };
    });
  }
  if (ON_RULE.has(operation)) {
    const name = stringOf(
      operation === 'PutTargets' || operation === 'RemoveTargets' || operation === 'ListTargetsByRule'
        ? input.Rule
        : input.Name,
    );
    const bus = busNameOf(input.EventBusName);
    const resource = `${base}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
    if (operation !== 'PutTargets') return [{ action, resource }];
    const targets = listOf(input.Targets).map((target) => stringOf(recordOf(target).Arn));
    return [{ action, resource, context: { 'events:TargetArn': targets } }];
  }
  if (ON_BUS.has(operation)) return [{ action, resource: busArnOf(input.Name, base) }];
  if (ON_ARCHIVE.has(operation)) return [{ action, resource: `${base}:archive/${stringOf(input.ArchiveName)}` }];
  if (operation === 'CreateArchive') {
    return [
      { action, resource: `${base}:archive/${stringOf(input.ArchiveName)}` },
      { action, resource: stringOf(input.EventSourceArn) },
    ];
  }
  if (ON_REPLAY.has(operation)) return [{ action, resource: `${base}:replay/${stringOf(input.ReplayName)}` }];
  if (operation === 'StartReplay') {
    return [
      { action, resource: `${base}:replay/${stringOf(input.ReplayName)}` },
      { action, resource: stringOf(input.EventSourceArn) },
    ];
  }
  if (UNSCOPED.has(operation)) return [{ action, resource: '*' }];
  return undefined;
}

/** A bus named by name or ARN; the default bus when none is named. */
function busArnOf(nameOrArn: unknown, base: string): string {
  if (typeof nameOrArn === 'string' && nameOrArn.startsWith('arn:')) return nameOrArn;
  return `${base}:event-bus/${busNameOf(nameOrArn)}`;
}

function busNameOf(nameOrArn: unknown): string {
  if (typeof nameOrArn !== 'string' || nameOrArn === '') return 'default';
  return nameOrArn.startsWith('arn:')
    ? nameOrArn.slice(nameOrArn.indexOf(':event-bus/') + ':event-bus/'.length)
    : nameOrArn;
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function recordOf(value: unknown): Input {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Input) : {};
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
