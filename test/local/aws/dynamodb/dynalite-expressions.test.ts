import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDb, type LocalDynamoDb } from '../../../../local/aws/dynamodb';
import {
  DYNALITE_PARSERS,
  dynaliteParsers,
  expressionParses,
  keepingParses,
  type Parse,
  type ParserName,
} from '../../../../local/aws/dynamodb/dynalite-expressions';

/**
 * dynalite keeps the expressions it parsed: every request must still get exactly what dynalite's own parser
 * would have answered it (the same tree with its own value objects, the same error), and dynalite's validations
 * must still call the parser exports we wrap.
 */

// dynalite's own entry to its expression parsers: the one each request's validation goes through.
const validations = createRequire(import.meta.url)('dynalite/validations') as {
  validateExpressions(data: Record<string, unknown>): string | undefined;
};

const EXPRESSIONS = {
  ConditionExpression: [
    'attribute_not_exists(pk)',
    '#a = :x',
    ':x = #a',
    '#a < :x AND (attribute_not_exists(b) OR b <= :y)',
    '#a BETWEEN :x AND :y',
    'begins_with(#a, :x)',
    'attribute_type(#a, :x)',
    'size(#a) > :x',
    'contains(#a, :x) OR #b.c[1] = :y',
    '#a IN (:x, :y, :z)',
    'NOT #a <> :x',
    '((#a = :x))',
    '#a = :w',
  ],
  UpdateExpression: [
    'SET #a = :x',
    'SET #a = list_append(#a, :x)',
    'SET #a = if_not_exists(#a, :x) + :y',
    'SET #a = :x - :y REMOVE b',
    'ADD #a :x',
    'DELETE #a :x',
    'SET #a = :x, #a = :y',
    'SET #a.b[0] = :x, #b = :y',
  ],
  KeyConditionExpression: ['#a = :x AND begins_with(b, :y)', 'pk = :x AND #a BETWEEN :y AND :z'],
  FilterExpression: ['begins_with(#a, :x) AND b >= :y', 'attribute_exists(#b)'],
  ProjectionExpression: ['#a, b.c[0]', '#a, #b'],
};

// Mostly strings and numbers, so that requests often repeat an expression with values of the same types.
const attributeValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'S', 'N').map((S) => ({ S })) },
  { weight: 3, arbitrary: fc.constantFrom('1', '2', '-3').map((N) => ({ N })) },
  fc.constant({ B: 'AQ==' }),
  fc.boolean().map((BOOL) => ({ BOOL })),
  fc.constant({ NULL: true }),
  fc.constant({ SS: ['a', 'b'] }),
  fc.constant({ NS: ['1'] }),
  fc.constant({ L: [{ S: 'a' }] }),
  fc.constant({ M: { a: { N: '1' } } }),
);

const request = fc.record(
  {
    ConditionExpression: fc.constantFrom(...EXPRESSIONS.ConditionExpression),
    UpdateExpression: fc.constantFrom(...EXPRESSIONS.UpdateExpression),
    KeyConditionExpression: fc.constantFrom(...EXPRESSIONS.KeyConditionExpression),
    FilterExpression: fc.constantFrom(...EXPRESSIONS.FilterExpression),
    ProjectionExpression: fc.constantFrom(...EXPRESSIONS.ProjectionExpression),
    ExpressionAttributeNames: fc.constantFrom({ '#a': 'alpha' }, { '#a': 'alpha', '#b': 'beta' }, { '#a': 'name' }),
    ExpressionAttributeValues: fc.record(
      { ':x': attributeValue, ':y': attributeValue, ':z': attributeValue },
      { requiredKeys: [':x'] },
    ),
  },
  { requiredKeys: ['ExpressionAttributeNames', 'ExpressionAttributeValues'] },
);

const PARSED_FIELDS = ['_updates', '_condition', '_keyCondition', '_filter', '_projection'];

/** Runs dynalite's validation of one request's expressions with the given parse installed in each parser. */
function validateWith(parses: Record<ParserName, Parse>, data: Record<string, unknown>) {
  const parsers = dynaliteParsers();
  const installed = Object.fromEntries(DYNALITE_PARSERS.map((name) => [name, parsers[name].parse])) as Record<
    ParserName,
    Parse
  >;
  try {
    for (const name of DYNALITE_PARSERS) parsers[name].parse = parses[name];
    return validations.validateExpressions(data);
  } finally {
    for (const name of DYNALITE_PARSERS) parsers[name].parse = installed[name];
  }
}

/** The same tree: same shapes, same sharing, and each value in it the request's own value object. */
function expectSameTree(
  expected: unknown,
  actual: unknown,
  values: { expected: Record<string, unknown>; actual: Record<string, unknown> },
  seen = new Map<object, unknown>(),
): void {
  const valueName = Object.keys(values.expected).find((name) => values.expected[name] === expected);
  if (valueName) return void expect(actual).toBe(values.actual[valueName]);
  if (typeof expected !== 'object' || expected === null) return void expect(actual).toBe(expected);
  if (seen.has(expected)) return void expect(actual).toBe(seen.get(expected));
  seen.set(expected, actual);
  expect(typeof actual).toBe('object');
  expect(Array.isArray(actual)).toBe(Array.isArray(expected));
  expect(Object.getPrototypeOf(actual)).toBe(Object.getPrototypeOf(expected));
  expect(Object.keys(actual as object)).toEqual(Object.keys(expected));
  for (const key of Object.keys(expected))
    expectSameTree((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], values, seen);
}

describe("dynalite's kept expression parses", () => {
  it("answer every request exactly as dynalite's own parser does, whatever its values", () => {
    const parsers = dynaliteParsers();
    const own = Object.fromEntries(
      DYNALITE_PARSERS.map((name) => [name, parsers[name].parse.parsedBy ?? parsers[name].parse]),
    ) as Record<ParserName, Parse>;
    const kept = Object.fromEntries(DYNALITE_PARSERS.map((name) => [name, keepingParses(own[name])])) as Record<
      ParserName,
      Parse
    >;
    const reusedBefore = expressionParses.reused;
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 20 }), (requests) => {
        for (const data of requests) {
          const expected = structuredClone(data) as Record<string, unknown>;
          const actual = structuredClone(data) as Record<string, unknown>;
          expect(validateWith(kept, actual)).toBe(validateWith(own, expected));
          for (const field of PARSED_FIELDS)
            expectSameTree(expected[field], actual[field], {
              expected: expected.ExpressionAttributeValues as Record<string, unknown>,
              actual: actual.ExpressionAttributeValues as Record<string, unknown>,
            });
        }
      }),
      { numRuns: 300 },
    );
    expect(expressionParses.reused).toBeGreaterThan(reusedBefore);
  });

  // Same expression, same names, same value types: only the content decides, so neither may come from a kept parse.
  it.each([
    ['#a BETWEEN :x AND :y', [{ S: 'a' }, { S: 'b' }], [{ S: 'b' }, { S: 'a' }]],
    ['#a BETWEEN :x AND :y', [{ N: '1' }, { N: '2' }], [{ N: '2' }, { N: '-3' }]],
    ['attribute_type(#a, :x)', [{ S: 'S' }, { S: 'a' }], [{ S: 'Q' }, { S: 'a' }]],
  ])('%s: a value that passed does not let a later one pass', (expression, first, second) => {
    const own = dynaliteParsers().conditionParser.parse;
    const keeping = keepingParses(own.parsedBy ?? own);
    const parses = { conditionParser: keeping, updateParser: own, projectionParser: own };
    const data = ([x, y]: object[]) => ({
      ConditionExpression: expression,
      ExpressionAttributeNames: { '#a': 'alpha' },
      ExpressionAttributeValues: expression.includes(':y') ? { ':x': x, ':y': y } : { ':x': x },
    });
    expect(validateWith(parses, data(first))).toBeUndefined();
    const refused = validateWith({ conditionParser: own, updateParser: own, projectionParser: own }, data(second));
    expect(refused).toMatch(/^Invalid ConditionExpression/);
    expect(validateWith(parses, data(second))).toBe(refused);
  });

  it('an expression whose parse failed is parsed again, and fails again', () => {
    const own = dynaliteParsers().conditionParser.parse;
    const keeping = keepingParses(own.parsedBy ?? own);
    const parses = { conditionParser: keeping, updateParser: own, projectionParser: own };
    const data = () => ({ ConditionExpression: '#a = :x', ExpressionAttributeValues: { ':x': { S: 'a' } } });
    const parsedBefore = expressionParses.parsed;
    expect(validateWith(parses, data())).toMatch(/expression attribute name used in the document path is not defined/);
    expect(validateWith(parses, data())).toMatch(/expression attribute name used in the document path is not defined/);
    expect(expressionParses.parsed - parsedBefore).toBe(2);
  });

  describe('behind the local DynamoDB', () => {
    let db: LocalDynamoDb;
    let server: Server;
    let client: DynamoDBClient;
    beforeAll(async () => {
      db = startDynamoDb({ region: 'us-west-2' });
      server = createServer((req, res) => void db.handle(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      client = new DynamoDBClient({
        region: 'us-west-2',
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      await client.send(
        new CreateTableCommand({
          TableName: 'kept-expressions',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
    });
    afterAll(async () => {
      client?.destroy();
      await new Promise((resolve) => server?.close(resolve));
      await db?.stop();
    });

    it('a conditional update sent again with other values reuses its parse and writes the new values', async () => {
      const update = (revision: number) =>
        client.send(
          new UpdateItemCommand({
            TableName: 'kept-expressions',
            Key: { pk: { S: 'BOOKING#bk_7f3a' } },
            UpdateExpression: 'SET #state = :state, revision = :revision',
            ConditionExpression: 'attribute_not_exists(revision) OR revision < :revision',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':state': { S: `confirmed-${revision}` }, ':revision': { N: `${revision}` } },
          }),
        );
      await update(1);
      const reusedBefore = expressionParses.reused;
      await update(2);
      // Both expressions of the second request came from what the first one parsed.
      expect(expressionParses.reused - reusedBefore).toBe(2);
      await expect(update(2)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
      const { Item } = await client.send(
        new GetItemCommand({ TableName: 'kept-expressions', Key: { pk: { S: 'BOOKING#bk_7f3a' } } }),
      );
      expect(Item).toEqual({ pk: { S: 'BOOKING#bk_7f3a' }, state: { S: 'confirmed-2' }, revision: { N: '2' } });
    });
  });
});
