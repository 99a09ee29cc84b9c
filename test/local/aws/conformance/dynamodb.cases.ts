import { describe, expect } from 'vitest';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { bookingsTableDefinition, BOOKINGS_TTL_ATTRIBUTE } from '../../../../shared/tables';
import { clientConfig, conformance, refusal, stack } from './support';

describe('DynamoDB', () => {
  const dynamodb = () => new DynamoDBClient(clientConfig());
  let tables = 0;
  async function table(): Promise<{ client: DynamoDBClient; TableName: string }> {
    const client = dynamodb();
    const TableName = `conformance-${++tables}`;
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    return { client, TableName };
  }
  const booking = (pk: string, extra: Record<string, unknown> = {}) => ({
    pk: { S: pk },
    status: { S: 'confirmed' },
    ...extra,
  });

  conformance('dynamodb-table-arn-region', async () => {
    const { client, TableName } = await table();
    const { Table } = await client.send(new DescribeTableCommand({ TableName }));
    expect(Table?.TableArn).toBe(`arn:aws:dynamodb:us-west-2:000000000000:table/${TableName}`);
    client.destroy();
    // A region whose name is longer than dynalite's own: the answer still arrives whole.
    const sydney = new DynamoDBClient({ ...clientConfig(), region: 'ap-southeast-2' });
    const far = await sydney.send(new DescribeTableCommand({ TableName }));
    expect(far.Table?.TableArn).toBe(`arn:aws:dynamodb:ap-southeast-2:000000000000:table/${TableName}`);
    sydney.destroy();
  });

  conformance('dynamodb-condition-failure-item', async () => {
    const { client, TableName } = await table();
    await client.send(new PutItemCommand({ TableName, Item: booking('BOOKING#XHQGMDH') }));
    const again = client.send(
      new PutItemCommand({
        TableName,
        Item: booking('BOOKING#XHQGMDH', { status: { S: 'cancelled' } }),
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    await expect(again).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await expect(again).rejects.toMatchObject({ Item: booking('BOOKING#XHQGMDH') });
    client.destroy();
  });

  conformance('dynamodb-ttl-update-describe', async () => {
    const { client, TableName } = await table();
    expect((await client.send(new DescribeTimeToLiveCommand({ TableName }))).TimeToLiveDescription).toEqual({
      TimeToLiveStatus: 'DISABLED',
    });
    const updated = await client.send(
      new UpdateTimeToLiveCommand({
        TableName,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
    expect(updated.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect((await client.send(new DescribeTimeToLiveCommand({ TableName }))).TimeToLiveDescription).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
    client.destroy();
  });

  conformance('dynamodb-ttl-sweep', async () => {
    const { client, TableName } = await table();
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
    const now = Math.floor(Date.now() / 1000);
    await client.send(
      new PutItemCommand({ TableName, Item: booking('expired', { expiresAt: { N: String(now - 60) } }) }),
    );
    await client.send(
      new PutItemCommand({ TableName, Item: booking('later', { expiresAt: { N: String(now + 3600) } }) }),
    );
    await client.send(new PutItemCommand({ TableName, Item: booking('forever') }));
    expect(await stack().dynamodb.sweepExpired()).toBe(1);
    const { Items } = await client.send(new ScanCommand({ TableName }));
    expect(Items?.map((i) => i.pk?.S).sort()).toEqual(['forever', 'later']);
    client.destroy();
  });

  conformance('dynamodb-ttl-declared', async () => {
    const client = dynamodb();
    const { TimeToLiveDescription } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: bookingsTableDefinition().TableName }),
    );
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: BOOKINGS_TTL_ATTRIBUTE });
    client.destroy();
  });

  conformance('dynamodb-transact-write-commits', async () => {
    const { client, TableName } = await table();
    await client.send(new PutItemCommand({ TableName, Item: booking('old') }));
    await client.send(new PutItemCommand({ TableName, Item: booking('counted', { revision: { N: '1' } }) }));
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName, Item: booking('new'), ConditionExpression: 'attribute_not_exists(pk)' } },
          { Delete: { TableName, Key: { pk: { S: 'old' } } } },
          {
            Update: {
              TableName,
              Key: { pk: { S: 'counted' } },
              UpdateExpression: 'SET revision = revision + :one',
              ExpressionAttributeValues: { ':one': { N: '1' } },
            },
          },
        ],
      }),
    );
    const { Items } = await client.send(new ScanCommand({ TableName }));
    expect(Items?.map((i) => `${i.pk?.S}:${i.revision?.N ?? '-'}`).sort()).toEqual(['counted:2', 'new:-']);
    client.destroy();
  });

  conformance('dynamodb-transact-write-cancels', async () => {
    const { client, TableName } = await table();
    await client.send(new PutItemCommand({ TableName, Item: booking('taken') }));
    await client.send(new PutItemCommand({ TableName, Item: booking('kept', { revision: { N: '1' } }) }));
    const transaction = client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName, Item: booking('fresh') } },
          {
            Update: {
              TableName,
              Key: { pk: { S: 'kept' } },
              UpdateExpression: 'SET revision = :two',
              ExpressionAttributeValues: { ':two': { N: '2' } },
            },
          },
          {
            ConditionCheck: {
              TableName,
              Key: { pk: { S: 'taken' } },
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }),
    );
    await expect(transaction).rejects.toBeInstanceOf(TransactionCanceledException);
    const error = (await transaction.catch((e: unknown) => e)) as TransactionCanceledException;
    expect(error.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: booking('taken') },
    ]);
    const { Items } = await client.send(new ScanCommand({ TableName }));
    expect(Items?.map((i) => `${i.pk?.S}:${i.revision?.N ?? '-'}`).sort()).toEqual(['kept:1', 'taken:-']);
    client.destroy();
  });

  conformance('dynamodb-transact-write-idempotent', async () => {
    const { client, TableName } = await table();
    await client.send(new PutItemCommand({ TableName, Item: booking('counted', { revision: { N: '1' } }) }));
    const bump = (ClientRequestToken: string, by: string) =>
      client.send(
        new TransactWriteItemsCommand({
          ClientRequestToken,
          TransactItems: [
            {
              Update: {
                TableName,
                Key: { pk: { S: 'counted' } },
                UpdateExpression: 'SET revision = revision + :by',
                ExpressionAttributeValues: { ':by': { N: by } },
              },
            },
          ],
        }),
      );
    const token = `bump-${Date.now()}`;
    await bump(token, '1');
    await bump(token, '1');
    const { Item } = await client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'counted' } } }));
    expect(Item?.revision).toEqual({ N: '2' });
    await expect(bump(token, '5')).rejects.toMatchObject({ name: 'IdempotentParameterMismatchException' });
    client.destroy();
  });

  conformance('dynamodb-transact-get', async () => {
    const { client, TableName } = await table();
    await client.send(new PutItemCommand({ TableName, Item: booking('one') }));
    const { Responses } = await client.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName, Key: { pk: { S: 'missing' } } } },
          { Get: { TableName, Key: { pk: { S: 'one' } } } },
        ],
      }),
    );
    expect(Responses).toEqual([{}, { Item: booking('one') }]);
    const { Item } = await client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'missing' } } }));
    expect(Item).toBeUndefined();
    client.destroy();
  });

  conformance('dynamodb-execute-statement-refused', async () => {
    const client = dynamodb();
    await expect(
      client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "charterflow-local-bookings"' })),
    ).rejects.toThrow(refusal('dynamodb', 'ExecuteStatement'));
    client.destroy();
  });

  conformance('dynamodb-continuous-backups-refused', async () => {
    const client = dynamodb();
    await expect(
      client.send(new DescribeContinuousBackupsCommand({ TableName: 'charterflow-local-bookings' })),
    ).rejects.toThrow(refusal('dynamodb', 'DescribeContinuousBackups'));
    client.destroy();
  });
});
