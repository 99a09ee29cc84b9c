import { AwsError } from '../service';
import type { Dynalite, DynaliteAnswer } from './dynalite';

/**
 * A request for dynalite, with what dynalite ignores: ReturnValuesOnConditionCheckFailure on PutItem, UpdateItem
 * and DeleteItem, which puts the item as it stood into the ConditionalCheckFailedException. The item is read
 * after the failure, under the lock the caller holds (no transaction runs in between).
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#DDB-PutItem-request-ReturnValuesOnConditionCheckFailure
 */
export async function forwardToDynalite(
  dynalite: Dynalite,
  operation: string,
  input: Record<string, unknown>,
  raw: string,
): Promise<DynaliteAnswer> {
  const returnOnFailure = input.ReturnValuesOnConditionCheckFailure;
  if (returnOnFailure === undefined || !['PutItem', 'UpdateItem', 'DeleteItem'].includes(operation))
    return dynalite.send(operation, raw);
  if (returnOnFailure !== 'ALL_OLD' && returnOnFailure !== 'NONE')
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${returnOnFailure}' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`,
    );
  const { ReturnValuesOnConditionCheckFailure: _dropped, ...rest } = input;
  const answer = await dynalite.send(operation, JSON.stringify(rest));
  if (returnOnFailure === 'NONE' || answer.status !== 400 || !answer.body.includes('ConditionalCheckFailedException'))
    return answer;
  return withItem(dynalite, input, answer);
}

/** The failure's body with the item as it stood when the condition failed (none when there was no item). */
async function withItem(
  dynalite: Dynalite,
  input: Record<string, unknown>,
  answer: DynaliteAnswer,
): Promise<DynaliteAnswer> {
  const key =
    (input.Key as Record<string, unknown> | undefined) ??
    (await keyOf(dynalite, input.TableName as string, input.Item as Record<string, unknown>));
  const { output } = await dynalite.call('GetItem', { TableName: input.TableName, Key: key, ConsistentRead: true });
  const error = {
    ...(JSON.parse(answer.body) as Record<string, unknown>),
    ...(output.Item ? { Item: output.Item } : {}),
  };
  const text = JSON.stringify(error);
  return { ...answer, body: text, headers: { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) } };
}

async function keyOf(
  dynalite: Dynalite,
  tableName: string,
  item: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { output } = await dynalite.call('DescribeTable', { TableName: tableName });
  const keySchema = (output.Table as { KeySchema?: { AttributeName: string }[] } | undefined)?.KeySchema ?? [];
  const names = keySchema.map((k) => k.AttributeName);
  return Object.fromEntries(names.map((name) => [name, item[name]]));
}
