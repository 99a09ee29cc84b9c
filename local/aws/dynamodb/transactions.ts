import { AwsError } from '../service';

/**
 * TransactWriteItems and TransactGetItems on top of dynalite, which has neither. The caller holds a lock that
 * keeps every other request out, so the transaction is all or nothing as seen from outside: each action runs
 * with its own condition, and if any condition fails every item goes back to what it was.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 */

export type Call = (
  operation: string,
  input: Record<string, unknown>,
) => Promise<{ status: number; output: Record<string, unknown> }>;

type Item = Record<string, unknown>;
type Kind = 'ConditionCheck' | 'Put' | 'Update' | 'Delete';

interface Action {
  kind: Kind;
  spec: Record<string, unknown>;
  table: string;
  key: Item;
}

const KINDS: readonly Kind[] = ['ConditionCheck', 'Put', 'Update', 'Delete'];

export async function transactWriteItems(call: Call, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const entries = transactItems(input, 'TransactWriteItems');
  const actions: Action[] = [];
  for (const entry of entries) {
    const kinds = KINDS.filter((k) => entry?.[k] !== undefined);
    if (kinds.length !== 1)
      throw validation('each TransactItems entry needs exactly one of ConditionCheck, Put, Update, Delete');
    const kind = kinds[0]!;
    const spec = entry[kind] as Record<string, unknown>;
    const table = String(spec.TableName ?? '');
    const key = (spec.Key as Item | undefined) ?? (await keyOf(call, table, (spec.Item ?? {}) as Item));
    actions.push({ kind, spec, table, key });
  }
  const ids = actions.map((a) => `${a.table}\u0000${JSON.stringify(sorted(a.key))}`);
  if (new Set(ids).size !== ids.length)
    throw validation('Transaction request cannot include multiple operations on one item');

  const before: (Item | undefined)[] = [];
  for (const action of actions) before.push(await currentItem(call, action.table, action.key));

  const reasons: Record<string, unknown>[] = [];
  for (const [index, action] of actions.entries()) {
    const { status, output } = await call(operationOf(action.kind), requestOf(action));
    if (status === 200) {
      reasons.push({ Code: 'None' });
      continue;
    }
    const type = String(output.__type ?? '');
    if (type.endsWith('ConditionalCheckFailedException')) {
      const old = action.spec.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? before[index] : undefined;
      reasons.push({
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        ...(old ? { Item: old } : {}),
      });
    } else {
      reasons.push({ Code: 'ValidationError', Message: String(output.message ?? output.Message ?? type) });
    }
  }

  const failed = reasons.some((r) => r.Code !== 'None');
  // A ConditionCheck ran as an UpdateItem with no update, which creates an absent item: always put it back.
  for (const [index, action] of [...actions.entries()].reverse()) {
    if (failed || action.kind === 'ConditionCheck') await restore(call, action, before[index]);
  }
  if (failed) {
    throw new AwsError(
      'TransactionCanceledException',
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
      400,
      { CancellationReasons: reasons },
    );
  }
  return {};
}

/** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html */
export async function transactGetItems(call: Call, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const Responses = [];
  for (const entry of transactItems(input, 'TransactGetItems')) {
    const get = entry?.Get as Record<string, unknown> | undefined;
    if (!get) throw validation('each TransactItems entry of TransactGetItems needs Get');
    const { status, output } = await call('GetItem', { ...get, ConsistentRead: true });
    if (status !== 200)
      throw new AwsError(
        String(output.__type ?? 'ValidationException')
          .split('#')
          .at(-1)!,
        String(output.message ?? ''),
      );
    Responses.push(output.Item ? { Item: output.Item } : {});
  }
  return { Responses };
}

function transactItems(input: Record<string, unknown>, operation: string): Record<string, unknown>[] {
  const items = input.TransactItems;
  if (!Array.isArray(items) || items.length < 1 || items.length > 100)
    throw validation(
      `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length between 1 and 100 (${operation})`,
    );
  return items as Record<string, unknown>[];
}

function operationOf(kind: Kind): string {
  return { ConditionCheck: 'UpdateItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem' }[kind];
}

function requestOf({ kind, spec, table, key }: Action): Record<string, unknown> {
  const { ReturnValuesOnConditionCheckFailure: _returned, TableName: _table, ...rest } = spec;
  if (kind === 'ConditionCheck') {
    const { Key: _key, ...condition } = rest;
    return { TableName: table, Key: key, ...condition };
  }
  return { TableName: table, ...rest };
}

async function currentItem(call: Call, table: string, key: Item): Promise<Item | undefined> {
  const { status, output } = await call('GetItem', { TableName: table, Key: key, ConsistentRead: true });
  if (status !== 200)
    throw new AwsError(
      String(output.__type ?? 'ResourceNotFoundException')
        .split('#')
        .at(-1)!,
      String(output.message ?? ''),
    );
  return output.Item as Item | undefined;
}

async function restore(call: Call, action: Action, item: Item | undefined): Promise<void> {
  if (item) await call('PutItem', { TableName: action.table, Item: item });
  else await call('DeleteItem', { TableName: action.table, Key: action.key });
}

async function keyOf(call: Call, table: string, item: Item): Promise<Item> {
  const { output } = await call('DescribeTable', { TableName: table });
  const keySchema = (output.Table as { KeySchema?: { AttributeName: string }[] } | undefined)?.KeySchema ?? [];
  const names = keySchema.map((k) => k.AttributeName);
  if (names.length === 0)
    throw new AwsError('ResourceNotFoundException', `Requested resource not found: Table: ${table} not found`);
  return Object.fromEntries(names.map((name) => [name, item[name]]));
}

function sorted(item: Item): Item {
  return Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)));
}

function validation(message: string): AwsError {
  return new AwsError('ValidationException', message);
}
