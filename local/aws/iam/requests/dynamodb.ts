import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { ArnContext, Authorization, Authorizations, KeyAttributes, TableKeySchema } from '../model';
import { attributeNamesOf, keyConditionEqualities } from './dynamodb-attributes';

/**
 * DynamoDB's authorizations, as the Service Authorization Reference and the Developer Guide's fine-grained
 * access control page name them: the table (or `table/T/index/I` for a Query or Scan on an index), one
 * authorization per table of a batch, one per item of a transaction (TransactWriteItems: PutItem, UpdateItem,
 * DeleteItem or ConditionCheckItem; TransactGetItems: GetItem). Condition keys:
 *   dynamodb:LeadingKeys  the partition key values the request names (none for a Scan)
 *   dynamodb:Attributes   the top-level attribute names it reads, writes or tests, key attributes included
 *   dynamodb:Select       read actions: the Select given, else SPECIFIC_ATTRIBUTES with a projection,
 *                         ALL_PROJECTED_ATTRIBUTES on an index, ALL_ATTRIBUTES ("always has a value")
 *   dynamodb:ReturnValues PutItem, UpdateItem, DeleteItem: the ReturnValues given, else NONE
 *   dynamodb:ReturnConsumedCapacity when the request names it
 */

type Input = Record<string, unknown>;

/** What one request (or item) names of a table: the table, the index, its keys, its attributes. */
interface Access {
  action: string;
  table: string;
  index?: string;
  /** The partition key values named. */
  leadingKeys?: string[];
  attributes: string[];
  select?: string;
  returnValues?: string;
}

const READ_ITEM = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const WRITE_ITEM = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/** The operations on a table as a whole (or on a table named by ARN), authorised on the table's ARN. */
const TABLE_OPERATIONS = new Set([
  'CreateTable',
  'DeleteTable',
  'DescribeTable',
  'UpdateTable',
  'DescribeTimeToLive',
  'UpdateTimeToLive',
  'DescribeContinuousBackups',
]);

export function dynamodbAuthorizations(operation: string, input: Input, arns: ArnContext): Authorizations {
  try {
    const accesses = accessesOf(operation, input, arns);
    if (!accesses) return { unknown: `dynamodb.${operation} is not known to the local IAM` };
    if ('unknown' in accesses) return accesses;
    return { authorizations: accesses };
  } catch (error) {
    if (error instanceof UnknownKeys) return { unknown: error.message };
    throw error;
  }
}

function accessesOf(
  operation: string,
  input: Input,
  arns: ArnContext,
): Authorization[] | { unknown: string } | undefined {
  const tableArn = (name: string) => tableArnOf(name, arns);
  if (TABLE_OPERATIONS.has(operation)) {
    return [{ action: `dynamodb:${operation}`, resource: tableArn(stringOf(input.TableName)) }];
  }
  switch (operation) {
    case 'ListTables':
      // No resource-level permission: AWS checks it against "*".
      return [{ action: 'dynamodb:ListTables', resource: '*' }];
    case 'ListTagsOfResource':
    case 'TagResource':
    case 'UntagResource':
      return [{ action: `dynamodb:${operation}`, resource: stringOf(input.ResourceArn) }];
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [authorizationOf(itemAccess(operation, input, arns), input, arns)];
    case 'Query':
    case 'Scan':
      return [authorizationOf(readAccess(operation, input, arns), input, arns)];
    case 'BatchGetItem':
      return Object.entries(recordOf(input.RequestItems)).map(([table, request]) =>
        authorizationOf(batchGetAccess(table, recordOf(request), arns), input, arns),
      );
    case 'BatchWriteItem':
      return Object.entries(recordOf(input.RequestItems)).map(([table, requests]) =>
        authorizationOf(batchWriteAccess(table, requests, arns), input, arns),
      );
    case 'TransactWriteItems':
      return listOf(input.TransactItems).map((item) => transactWriteAuthorization(recordOf(item), input, arns));
    case 'TransactGetItems':
      return listOf(input.TransactItems).map((item) => {
        const get = recordOf(recordOf(item).Get);
        return authorizationOf(itemAccess('GetItem', get, arns), input, arns);
      });
  }
  return undefined;
}

/** GetItem, PutItem, UpdateItem, DeleteItem, and a transaction's items: one item, by Key (or Item). */
function itemAccess(action: string, input: Input, arns: ArnContext): Access {
  const table = tableNameOf(stringOf(input.TableName));
  const keys = keysOf(table, undefined, arns);
  const item = recordOf(input.Key ?? input.Item);
  return {
    action,
    table,
    leadingKeys: keyValues([item[keys.partitionKey]]),
    attributes: attributeNamesOf(input),
    select: READ_ITEM.has(action) ? selectOf(input, false) : undefined,
    returnValues: WRITE_ITEM.has(action) ? stringOr(input.ReturnValues, 'NONE') : undefined,
  };
}

/** Query and Scan, on the table or one of its indexes. */
function readAccess(action: 'Query' | 'Scan', input: Input, arns: ArnContext): Access {
  const table = tableNameOf(stringOf(input.TableName));
  const index = typeof input.IndexName === 'string' ? input.IndexName : undefined;
  return {
    action,
    table,
    index,
    leadingKeys: action === 'Query' ? queriedPartitionKeys(table, index, input, arns) : undefined,
    attributes: attributeNamesOf(input),
    select: selectOf(input, index !== undefined),
  };
}

function batchGetAccess(tableName: string, request: Input, arns: ArnContext): Access {
  const table = tableNameOf(tableName);
  const keys = keysOf(table, undefined, arns);
  const items = listOf(request.Keys).map(recordOf);
  return {
    action: 'BatchGetItem',
    table,
    leadingKeys: keyValues(items.map((key) => key[keys.partitionKey])),
    attributes: [...new Set([...items.flatMap((key) => Object.keys(key)), ...attributeNamesOf(request)])],
    select: selectOf(request, false),
  };
}

function batchWriteAccess(tableName: string, requests: unknown, arns: ArnContext): Access {
  const table = tableNameOf(tableName);
  const keys = keysOf(table, undefined, arns);
  const items = listOf(requests).map((request) => {
    const { PutRequest, DeleteRequest } = recordOf(request);
    return recordOf(recordOf(PutRequest).Item ?? recordOf(DeleteRequest).Key);
  });
  return {
    action: 'BatchWriteItem',
    table,
    leadingKeys: keyValues(items.map((item) => item[keys.partitionKey])),
    attributes: [...new Set(items.flatMap((item) => Object.keys(item)))],
  };
}

const TRANSACT_WRITE_ACTIONS = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
} as const;

/**
 * A transaction's item is authorised as the single-item action it is. Its ReturnValuesOnConditionCheckFailure
 * is not ReturnValues (no condition key is documented for it), so dynamodb:ReturnValues is left out.
 */
function transactWriteAuthorization(item: Input, request: Input, arns: ArnContext): Authorization {
  for (const [member, action] of Object.entries(TRANSACT_WRITE_ACTIONS)) {
    if (item[member] === undefined) continue;
    const access = itemAccess(action, recordOf(item[member]), arns);
    return authorizationOf({ ...access, returnValues: undefined }, request, arns);
  }
  throw new UnknownKeys(`dynamodb.TransactWriteItems names an item of no kind the local IAM knows`);
}

function authorizationOf(access: Access, request: Input, arns: ArnContext): Authorization {
  const context: Record<string, string | string[]> = {};
  if (access.leadingKeys?.length) context['dynamodb:LeadingKeys'] = [...new Set(access.leadingKeys)];
  if (access.attributes.length > 0) context['dynamodb:Attributes'] = access.attributes;
  if (access.select) context['dynamodb:Select'] = access.select;
  if (access.returnValues) context['dynamodb:ReturnValues'] = access.returnValues;
  if (typeof request.ReturnConsumedCapacity === 'string') {
    context['dynamodb:ReturnConsumedCapacity'] = request.ReturnConsumedCapacity;
  }
  const table = tableArnOf(access.table, arns);
  return {
    action: `dynamodb:${access.action}`,
    resource: access.index ? `${table}/index/${access.index}` : table,
    context,
  };
}

/** The value a Query's key condition gives the partition key (KeyConditionExpression or legacy KeyConditions). */
function queriedPartitionKeys(table: string, index: string | undefined, input: Input, arns: ArnContext): string[] {
  const { partitionKey } = keysOf(table, index, arns);
  const legacy = recordOf(recordOf(input.KeyConditions)[partitionKey]);
  const value = Array.isArray(legacy.AttributeValueList)
    ? legacy.AttributeValueList[0]
    : keyConditionEqualities(input).get(partitionKey);
  return keyValues([value]);
}

function selectOf(input: Input, onIndex: boolean): string {
  if (typeof input.Select === 'string') return input.Select;
  if (input.ProjectionExpression !== undefined || input.AttributesToGet !== undefined) return 'SPECIFIC_ATTRIBUTES';
  return onIndex ? 'ALL_PROJECTED_ATTRIBUTES' : 'ALL_ATTRIBUTES';
}

/**
 * Key values as strings, as IAM compares them: S as is, N as written, B in base64. A missing or mistyped key
 * names nothing: DynamoDB refuses that request with a ValidationException of its own.
 */
function keyValues(values: unknown[]): string[] {
  return values.flatMap((value) => {
    const typed = recordOf(value);
    const found = ['S', 'N', 'B'].map((type) => typed[type]).find((text) => typeof text === 'string');
    return typeof found === 'string' ? [found] : [];
  });
}

function keysOf(table: string, index: string | undefined, arns: ArnContext): KeyAttributes {
  const schema = arns.keySchemaOf(table);
  if (!schema) throw new UnknownKeys(`dynamodb: the keys of table ${table} are not known to the local IAM`);
  if (index === undefined) return schema;
  const keys = schema.indexes[index];
  if (!keys) throw new UnknownKeys(`dynamodb: the index ${index} of table ${table} is not known to the local IAM`);
  return keys;
}

/** A table's key attributes and its indexes', from its CreateTable input (the template's, or a test's). */
export function keySchemaOfTable(definition: CreateTableCommandInput): TableKeySchema {
  const keysIn = (schema: { AttributeName?: string; KeyType?: string }[] | undefined): KeyAttributes => {
    const hash = schema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
    const range = schema?.find((key) => key.KeyType === 'RANGE')?.AttributeName;
    if (!hash) throw new Error(`table ${definition.TableName}: a key schema without a HASH key`);
    return range ? { partitionKey: hash, sortKey: range } : { partitionKey: hash };
  };
  const indexes = [...(definition.GlobalSecondaryIndexes ?? []), ...(definition.LocalSecondaryIndexes ?? [])];
  return {
    ...keysIn(definition.KeySchema),
    indexes: Object.fromEntries(indexes.map((index) => [index.IndexName!, keysIn(index.KeySchema)])),
  };
}

/** TableName may be the table's ARN. */
function tableNameOf(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.indexOf(':table/') + ':table/'.length) : nameOrArn;
}

function tableArnOf(nameOrArn: string, { region, accountId }: ArnContext): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn : `arn:aws:dynamodb:${region}:${accountId}:table/${nameOrArn}`;
}

class UnknownKeys extends Error {}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function recordOf(value: unknown): Input {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Input) : {};
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
