import { describe, expect, it } from 'vitest';
import { bookingsTableDefinition } from '../../../../shared/tables';
import type { ArnContext, Authorizations, AwsRequest } from '../../../../local/aws/iam/model';
import { authorizationsOf, keySchemaOfTable } from '../../../../local/aws/iam/requests';

/**
 * DynamoDB requests as the SDK sends them (the document client's marshalled form), and what AWS authorises for
 * each: the action, the table or index ARN, and the condition values of dynamodb:LeadingKeys, Attributes,
 * Select and ReturnValues (Developer Guide, "Using IAM policy conditions for fine-grained access control").
 */

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const BOOKINGS = 'charterflow-local-bookings';
const LEDGER = 'charterflow-local-booking-ledger-timeline';
const arn = (table: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}`;

const tables = {
  [BOOKINGS]: keySchemaOfTable({ ...bookingsTableDefinition(), TableName: BOOKINGS }),
  [LEDGER]: keySchemaOfTable({
    TableName: LEDGER,
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'recent',
        KeySchema: [
          { AttributeName: 'recentPk', KeyType: 'HASH' },
          { AttributeName: 'lastEventAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  }),
};

const arns: ArnContext = {
  region: REGION,
  accountId: ACCOUNT,
  secretArn: () => undefined,
  keySchemaOf: (table) => tables[table as keyof typeof tables],
};

const dynamodb = (operation: string, input: Record<string, unknown>): Authorizations =>
  authorizationsOf({ protocol: 'json', service: 'dynamodb', operation, input } satisfies AwsRequest, arns);

const S = (text: string) => ({ S: text });

describe('DynamoDB requests: single items', () => {
  it('a GetItem reads the table, with the booking as its leading key and every attribute', () => {
    expect(
      dynamodb('GetItem', {
        TableName: BOOKINGS,
        Key: { pk: S('BOOKING#BS-48213'), sk: S('BOOKING') },
        ConsistentRead: true,
      }),
    ).toEqual({
      authorizations: [
        {
          action: 'dynamodb:GetItem',
          resource: arn(BOOKINGS),
          context: {
            'dynamodb:LeadingKeys': ['BOOKING#BS-48213'],
            'dynamodb:Attributes': ['pk', 'sk'],
            'dynamodb:Select': 'ALL_ATTRIBUTES',
          },
        },
      ],
    });
  });

  it('a GetItem with a projection names its top-level attributes and selects specific attributes', () => {
    const [authorization] = authorizationsFrom(
      dynamodb('GetItem', {
        TableName: BOOKINGS,
        Key: { pk: S('BOOKING#BS-48213'), sk: S('STATE#calendar') },
        ProjectionExpression: 'revision, #held.entryId, #lines[0]',
        ExpressionAttributeNames: { '#held': 'held', '#lines': 'lines' },
      }),
    );
    expect(authorization?.context).toMatchObject({
      'dynamodb:Attributes': ['pk', 'sk', 'revision', 'held', 'lines'],
      'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
    });
  });

  it('a PutItem names every attribute of the item and its condition, and ReturnValues NONE when not given', () => {
    const [authorization] = authorizationsFrom(
      dynamodb('PutItem', {
        TableName: BOOKINGS,
        Item: { pk: S('WEBHOOK#wh_01HZX3'), sk: S('DELIVERY'), receivedAt: S('2026-06-14T09:30:00-04:00') },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    expect(authorization).toEqual({
      action: 'dynamodb:PutItem',
      resource: arn(BOOKINGS),
      context: {
        'dynamodb:LeadingKeys': ['WEBHOOK#wh_01HZX3'],
        'dynamodb:Attributes': ['pk', 'sk', 'receivedAt'],
        'dynamodb:ReturnValues': 'NONE',
      },
    });
  });

  it('an UpdateItem names what it sets, removes and reads, and the ReturnValues it asks for', () => {
    const [authorization] = authorizationsFrom(
      dynamodb('UpdateItem', {
        TableName: BOOKINGS,
        Key: { pk: S('BOOKING#BS-48213'), sk: S('MAIL#confirmation#r2') },
        UpdateExpression: 'SET #f0 = :f0, #at = if_not_exists(firstAt, :at) REMOVE claimId, #until',
        ConditionExpression: 'claimId = :claim',
        ExpressionAttributeNames: { '#f0': 'state', '#at': 'at', '#until': 'until' },
        ExpressionAttributeValues: { ':f0': S('sent'), ':at': S('2026-06-14T13:30:00Z'), ':claim': S('c-1') },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(authorization?.context?.['dynamodb:Attributes']).toEqual(
      expect.arrayContaining(['pk', 'sk', 'state', 'at', 'firstAt', 'claimId', 'until']),
    );
    expect(authorization?.context?.['dynamodb:Attributes']).toHaveLength(7);
    expect(authorization?.context?.['dynamodb:ReturnValues']).toBe('ALL_NEW');
  });

  it('a DeleteItem of a private record names the PRIVATE# partition', () => {
    const [authorization] = authorizationsFrom(
      dynamodb('DeleteItem', { TableName: BOOKINGS, Key: { pk: S('PRIVATE#BS-48213'), sk: S('REVISION#1') } }),
    );
    expect(authorization).toMatchObject({
      action: 'dynamodb:DeleteItem',
      context: { 'dynamodb:LeadingKeys': ['PRIVATE#BS-48213'], 'dynamodb:ReturnValues': 'NONE' },
    });
  });

  it('an expression DynamoDB refuses names no attributes: the request fails its validation, whatever the policy', () => {
    const [authorization] = authorizationsFrom(
      dynamodb('GetItem', {
        TableName: BOOKINGS,
        Key: { pk: S('BOOKING#BS-1'), sk: S('BOOKING') },
        ProjectionExpression: 'lines',
      }),
    );
    expect(authorization?.context?.['dynamodb:Attributes']).toEqual(['pk', 'sk']);
  });

  it('a number or binary key is compared as written', () => {
    const keys = keySchemaOfTable({
      TableName: 'counters',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    });
    const byNumber: ArnContext = { ...arns, keySchemaOf: () => keys };
    const answer = authorizationsOf(
      {
        protocol: 'json',
        service: 'DynamoDB_20120810',
        operation: 'GetItem',
        input: { TableName: 'counters', Key: { id: { N: '42.50' } } },
      },
      byNumber,
    );
    expect(authorizationsFrom(answer)[0]?.context?.['dynamodb:LeadingKeys']).toEqual(['42.50']);
  });

  it('a table named by its ARN is authorised on that ARN', () => {
    const [authorization] = authorizationsFrom(
      dynamodb('GetItem', { TableName: arn(BOOKINGS), Key: { pk: S('BOOKING#BS-1'), sk: S('BOOKING') } }),
    );
    expect(authorization?.resource).toBe(arn(BOOKINGS));
    expect(authorization?.context?.['dynamodb:LeadingKeys']).toEqual(['BOOKING#BS-1']);
  });
});

describe('DynamoDB requests: queries and scans', () => {
  it("a Query of a booking's mail records names its partition and its key attributes", () => {
    const [authorization] = authorizationsFrom(
      dynamodb('Query', {
        TableName: BOOKINGS,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :mail)',
        ExpressionAttributeValues: { ':pk': S('BOOKING#BS-48213'), ':mail': S('MAIL#') },
        ConsistentRead: true,
      }),
    );
    expect(authorization).toEqual({
      action: 'dynamodb:Query',
      resource: arn(BOOKINGS),
      context: {
        'dynamodb:LeadingKeys': ['BOOKING#BS-48213'],
        'dynamodb:Attributes': ['pk', 'sk'],
        'dynamodb:Select': 'ALL_ATTRIBUTES',
      },
    });
  });

  it("a Query on an index is authorised on the index, with the index's partition key as the leading key", () => {
    const [authorization] = authorizationsFrom(
      dynamodb('Query', {
        TableName: LEDGER,
        IndexName: 'recent',
        KeyConditionExpression: 'recentPk = :recent',
        ExpressionAttributeValues: { ':recent': S('RECENT') },
        ScanIndexForward: false,
        Limit: 20,
      }),
    );
    expect(authorization).toEqual({
      action: 'dynamodb:Query',
      resource: `${arn(LEDGER)}/index/recent`,
      context: {
        'dynamodb:LeadingKeys': ['RECENT'],
        'dynamodb:Attributes': ['recentPk'],
        'dynamodb:Select': 'ALL_PROJECTED_ATTRIBUTES',
      },
    });
  });

  it('a Query by the legacy KeyConditions names its partition key value', () => {
    const [authorization] = authorizationsFrom(
      dynamodb('Query', {
        TableName: BOOKINGS,
        KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [S('BOOKING#BS-7')] } },
        Select: 'COUNT',
      }),
    );
    expect(authorization?.context).toEqual({
      'dynamodb:LeadingKeys': ['BOOKING#BS-7'],
      'dynamodb:Attributes': ['pk'],
      'dynamodb:Select': 'COUNT',
    });
  });

  it('a Scan names no leading key (a policy conditioned on them must not grant it), and its filter attributes', () => {
    const [authorization] = authorizationsFrom(
      dynamodb('Scan', {
        TableName: BOOKINGS,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': S('PRIVATE#') },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    expect(authorization).toEqual({
      action: 'dynamodb:Scan',
      resource: arn(BOOKINGS),
      context: {
        'dynamodb:Attributes': ['pk'],
        'dynamodb:Select': 'ALL_ATTRIBUTES',
        'dynamodb:ReturnConsumedCapacity': 'TOTAL',
      },
    });
  });
});

describe('DynamoDB requests: batches and transactions', () => {
  it("a BatchGetItem is one authorisation per table, naming every key's partition", () => {
    expect(
      dynamodb('BatchGetItem', {
        RequestItems: {
          [LEDGER]: {
            Keys: [
              { pk: S('BOOKING#BS-48213'), sk: S('LINE#BookingConfirmed#k1') },
              { pk: S('BOOKING#BS-48213'), sk: S('SUMMARY') },
            ],
            ConsistentRead: true,
            ProjectionExpression: 'sk, lastEventAt',
          },
          [BOOKINGS]: { Keys: [{ pk: S('BOOKING#BS-9'), sk: S('BOOKING') }] },
        },
      }),
    ).toEqual({
      authorizations: [
        {
          action: 'dynamodb:BatchGetItem',
          resource: arn(LEDGER),
          context: {
            'dynamodb:LeadingKeys': ['BOOKING#BS-48213'],
            'dynamodb:Attributes': ['pk', 'sk', 'lastEventAt'],
            'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
          },
        },
        {
          action: 'dynamodb:BatchGetItem',
          resource: arn(BOOKINGS),
          context: {
            'dynamodb:LeadingKeys': ['BOOKING#BS-9'],
            'dynamodb:Attributes': ['pk', 'sk'],
            'dynamodb:Select': 'ALL_ATTRIBUTES',
          },
        },
      ],
    });
  });

  it('a BatchWriteItem names the partitions of its puts and deletes together', () => {
    const [authorization] = authorizationsFrom(
      dynamodb('BatchWriteItem', {
        RequestItems: {
          [BOOKINGS]: [
            { PutRequest: { Item: { pk: S('BOOKING#BS-1'), sk: S('BOOKING'), revision: { N: '1' } } } },
            { DeleteRequest: { Key: { pk: S('PRIVATE#BS-1'), sk: S('REVISION#1') } } },
          ],
        },
      }),
    );
    expect(authorization).toEqual({
      action: 'dynamodb:BatchWriteItem',
      resource: arn(BOOKINGS),
      context: {
        'dynamodb:LeadingKeys': ['BOOKING#BS-1', 'PRIVATE#BS-1'],
        'dynamodb:Attributes': ['pk', 'sk', 'revision'],
      },
    });
  });

  it("a TransactWriteItems authorises each item as its own action, as guest-mail's claim sends it", () => {
    const answer = dynamodb('TransactWriteItems', {
      TransactItems: [
        {
          Update: {
            TableName: BOOKINGS,
            Key: { pk: S('BOOKING#BS-48213'), sk: S('MAIL#order') },
            UpdateExpression: 'SET version = :next',
            ConditionExpression: 'attribute_not_exists(pk)',
            ExpressionAttributeValues: { ':next': { N: '1' } },
          },
        },
        {
          Put: {
            TableName: BOOKINGS,
            Item: { pk: S('BOOKING#BS-48213'), sk: S('MAIL#confirmation#r1'), state: S('claimed') },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          ConditionCheck: {
            TableName: BOOKINGS,
            Key: { pk: S('PRIVATE#BS-48213'), sk: S('FORGOTTEN') },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Delete: { TableName: LEDGER, Key: { pk: S('BOOKING#BS-48213'), sk: S('SUMMARY') } } },
      ],
    });
    expect(authorizationsFrom(answer).map(({ action, resource, context }) => [action, resource, context])).toEqual([
      [
        'dynamodb:UpdateItem',
        arn(BOOKINGS),
        { 'dynamodb:LeadingKeys': ['BOOKING#BS-48213'], 'dynamodb:Attributes': ['pk', 'sk', 'version'] },
      ],
      [
        'dynamodb:PutItem',
        arn(BOOKINGS),
        { 'dynamodb:LeadingKeys': ['BOOKING#BS-48213'], 'dynamodb:Attributes': ['pk', 'sk', 'state'] },
      ],
      [
        'dynamodb:ConditionCheckItem',
        arn(BOOKINGS),
        { 'dynamodb:LeadingKeys': ['PRIVATE#BS-48213'], 'dynamodb:Attributes': ['pk', 'sk'] },
      ],
      [
        'dynamodb:DeleteItem',
        arn(LEDGER),
        { 'dynamodb:LeadingKeys': ['BOOKING#BS-48213'], 'dynamodb:Attributes': ['pk', 'sk'] },
      ],
    ]);
  });

  it('a TransactGetItems authorises a GetItem per item', () => {
    const answer = dynamodb('TransactGetItems', {
      TransactItems: [
        { Get: { TableName: BOOKINGS, Key: { pk: S('BOOKING#BS-1'), sk: S('BOOKING') } } },
        {
          Get: { TableName: BOOKINGS, Key: { pk: S('PRIVATE#BS-1'), sk: S('REVISION#3') }, ProjectionExpression: 'sk' },
        },
      ],
    });
    expect(
      authorizationsFrom(answer).map((a) => [
        a.action,
        a.context?.['dynamodb:LeadingKeys'],
        a.context?.['dynamodb:Select'],
      ]),
    ).toEqual([
      ['dynamodb:GetItem', ['BOOKING#BS-1'], 'ALL_ATTRIBUTES'],
      ['dynamodb:GetItem', ['PRIVATE#BS-1'], 'SPECIFIC_ATTRIBUTES'],
    ]);
  });
});

describe('DynamoDB requests: tables, and what the local IAM does not know', () => {
  it.each([
    ['DescribeTable', { TableName: BOOKINGS }, 'dynamodb:DescribeTable', arn(BOOKINGS)],
    ['CreateTable', { TableName: 'scratch', KeySchema: [] }, 'dynamodb:CreateTable', arn('scratch')],
    ['UpdateTimeToLive', { TableName: BOOKINGS }, 'dynamodb:UpdateTimeToLive', arn(BOOKINGS)],
    ['ListTables', {}, 'dynamodb:ListTables', '*'],
    ['TagResource', { ResourceArn: arn(BOOKINGS), Tags: [] }, 'dynamodb:TagResource', arn(BOOKINGS)],
  ])('%s is %s on %s', (operation, input, action, resource) => {
    expect(dynamodb(operation, input)).toEqual({ authorizations: [{ action, resource }] });
  });

  it('an operation no mapper knows is unknown, never allowed', () => {
    expect(dynamodb('ExecuteStatement', { Statement: 'SELECT * FROM bookings' })).toEqual({
      unknown: 'dynamodb.ExecuteStatement is not known to the local IAM',
    });
  });

  it('a table whose keys the stack does not know is unknown: its leading keys cannot be told', () => {
    expect(dynamodb('GetItem', { TableName: 'elsewhere', Key: { id: S('1') } })).toEqual({
      unknown: 'dynamodb: the keys of table elsewhere are not known to the local IAM',
    });
    expect(dynamodb('Query', { TableName: LEDGER, IndexName: 'byGuest', KeyConditionExpression: 'g = :g' })).toEqual({
      unknown: `dynamodb: the index byGuest of table ${LEDGER} is not known to the local IAM`,
    });
  });
});

function authorizationsFrom(answer: Authorizations) {
  if ('unknown' in answer) throw new Error(answer.unknown);
  return answer.authorizations;
}
