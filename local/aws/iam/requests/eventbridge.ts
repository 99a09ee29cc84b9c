import { Arns } from '../../eventbridge/model';
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

function authorizationsFor(operation: string, input: Input, context: ArnContext): Authorization[] | undefined {
  const action = `events:${operation}`;
  // The ARNs as the local EventBridge names them (a rule on the default bus has no bus segment).
  const arns = new Arns(context.region, context.accountId);
  const busArnOf = (nameOrArn: unknown) => arns.bus(arns.busNameOf(optionalString(nameOrArn)));
  if (operation === 'PutEvents') {
    return listOf(input.Entries).map((entry) => {
      const { EventBusName, Source, DetailType } = recordOf(entry);
      const values: Record<string, string> = {};
      if (typeof Source === 'string') values['events:source'] = Source;
      if (typeof DetailType === 'string') values['events:detail-type'] = DetailType;
      return { action, resource: busArnOf(EventBusName), context: values };
    });
  }
  if (ON_RULE.has(operation)) {
    const byRule = operation === 'PutTargets' || operation === 'RemoveTargets' || operation === 'ListTargetsByRule';
    const resource = arns.rule(
      arns.busNameOf(optionalString(input.EventBusName)),
      stringOf(byRule ? input.Rule : input.Name),
    );
    if (operation !== 'PutTargets') return [{ action, resource }];
    const targets = listOf(input.Targets).map((target) => stringOf(recordOf(target).Arn));
    return [{ action, resource, context: { 'events:TargetArn': targets } }];
  }
  if (ON_BUS.has(operation)) return [{ action, resource: busArnOf(input.Name) }];
  if (ON_ARCHIVE.has(operation)) return [{ action, resource: arns.archive(stringOf(input.ArchiveName)) }];
  if (operation === 'CreateArchive') {
    return [
      { action, resource: arns.archive(stringOf(input.ArchiveName)) },
      { action, resource: stringOf(input.EventSourceArn) },
    ];
  }
  if (ON_REPLAY.has(operation)) return [{ action, resource: arns.replay(stringOf(input.ReplayName)) }];
  if (operation === 'StartReplay') {
    return [
      { action, resource: arns.replay(stringOf(input.ReplayName)) },
      { action, resource: stringOf(input.EventSourceArn) },
    ];
  }
  if (UNSCOPED.has(operation)) return [{ action, resource: '*' }];
  return undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
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
