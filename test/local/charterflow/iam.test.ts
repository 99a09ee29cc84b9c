import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readZipEntries } from '../../../local/aws/cloudformation/package-dir';
import { functionCredentials, startStack, type LocalStack } from '../../../local/charterflow/stack';
import { bookingKey, privateRecordKey } from '../../../shared/tables';
import { stackMode } from '../../stack-mode';
import { clientConfig } from '../support';

/**
 * IAM widens nothing by accident: signing as a function, with the credentials the stack gives its environments
 * and the real SDK, its own calls pass, while a call to another function's table, to a key outside its
 * dynamodb:LeadingKeys condition, or to another bucket's objects is refused as AWS refuses it.
 */

let stack: LocalStack;
const guestPage = 'charterflow-local-guest-page';
const calendar = 'charterflow-local-calendar';
const clients: { destroy(): void }[] = [];

function signedAs<T extends { destroy(): void }>(
  Client: new (config: ReturnType<typeof clientConfig> & { forcePathStyle?: boolean }) => T,
  functionName: string,
): T {
  const client = new Client({
    ...clientConfig(stack),
    credentials: functionCredentials(functionName),
    forcePathStyle: true,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  stack = await startStack({
    ...stackMode(),
    ephemeral: true,
    consumers: false,
    ports: { aws: 0, webhook: 0, guestSite: 0, mailbox: 0, standIns: {} },
  });
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await stack?.stop();
});

const tableOf = (logicalId: string) =>
  stack.wiring.model.tables.find((table) => table.logicalId === logicalId)!.definition.TableName!;
const getItem = (table: string, pk: string) =>
  new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: 'BOOKING' } } });

describe('a function signing with its own credentials', () => {
  it('is known to the stack as its role’s session', () => {
    const principal = stack.iam?.principalOf(functionCredentials(guestPage).accessKeyId);
    expect(principal).toMatchObject({
      kind: 'function',
      functionName: guestPage,
      sessionArn: expect.stringMatching(new RegExp(`^arn:aws:sts::000000000000:assumed-role/[^/]+/${guestPage}$`)),
    });
  });

  it('reads its booking in the bookings table', async () => {
    const dynamodb = signedAs(DynamoDBClient, guestPage);
    await expect(dynamodb.send(getItem(tableOf('BookingsTable'), bookingKey('XHQGMDH')))).resolves.toBeDefined();
  });

  it('is refused another function’s table, with AccessDeniedException in AWS’s words', async () => {
    const dynamodb = signedAs(DynamoDBClient, guestPage);
    const table = tableOf('CalendarBoatScheduleTable');
    const refused = await dynamodb.send(getItem(table, 'BOAT#queen')).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringMatching(
        new RegExp(
          `^User: arn:aws:sts::000000000000:assumed-role/[^/]+/${guestPage} is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-west-2:000000000000:table/${table} because no identity-based policy allows the dynamodb:GetItem action$`,
        ),
      ),
    });
    expect(stack.iam?.refusals()).toContainEqual(
      expect.objectContaining({
        functionName: guestPage,
        action: 'dynamodb:GetItem',
        resource: expect.stringContaining(table),
      }),
    );
  });

  it('is refused a key outside its dynamodb:LeadingKeys condition (a private record)', async () => {
    const dynamodb = signedAs(DynamoDBClient, calendar);
    const refused = await dynamodb
      .send(getItem(tableOf('BookingsTable'), privateRecordKey('XHQGMDH')))
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: 'AccessDeniedException' });
    const refusal = stack.iam?.refusals().find((r) => r.functionName === calendar && r.action === 'dynamodb:GetItem');
    expect(refusal?.needed?.Condition).toEqual({
      'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': ['PRIVATE#*'] },
    });
  });

  it('writes and reads its guest pages, and is refused another bucket’s objects with 403 AccessDenied', async () => {
    const s3 = signedAs(S3Client, guestPage);
    const { guestSiteBucket, legacyBucket } = stack.wiring.params;
    await s3.send(
      new PutObjectCommand({
        Bucket: guestSiteBucket,
        Key: 'g/IAMTEST.html',
        Body: '<p>hi</p>',
        ContentType: 'text/html',
      }),
    );
    await expect(
      s3.send(new GetObjectCommand({ Bucket: guestSiteBucket, Key: 'g/IAMTEST.html' })),
    ).resolves.toBeDefined();
    const refused = await s3
      .send(new GetObjectCommand({ Bucket: legacyBucket, Key: 'g/IAMTEST.html' }))
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining(
        `is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::${legacyBucket}/g/IAMTEST.html`,
      ),
    });
  });

  it('a function with no S3 in its role is refused the guest pages', async () => {
    const s3 = signedAs(S3Client, calendar);
    const refused = await s3
      .send(new GetObjectCommand({ Bucket: stack.wiring.params.guestSiteBucket, Key: 'g/IAMTEST.html' }))
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  it('the operator’s own credentials are an administrator’s: the same calls pass', async () => {
    const dynamodb = new DynamoDBClient(clientConfig(stack));
    clients.push(dynamodb);
    await expect(dynamodb.send(getItem(tableOf('CalendarBoatScheduleTable'), 'BOAT#queen'))).resolves.toBeDefined();
    await expect(dynamodb.send(getItem(tableOf('BookingsTable'), privateRecordKey('XHQGMDH')))).resolves.toBeDefined();
  });
});

describe('the evaluator', () => {
  it('is in no function’s bundle: it is a development dependency of the local stack alone (AGPL-3.0)', async () => {
    const packageDir = inject('packageDir');
    for (const fn of stack.wiring.model.functions) {
      if (!('zipFile' in fn.code)) throw new Error(`${fn.name}: no zip in the packaged lane`);
      expect(fn.code.zipFile.startsWith(packageDir), fn.name).toBe(true);
      for (const [name, content] of await readZipEntries(fn.code.zipFile)) {
        expect(content.includes('@cloud-copilot'), `${fn.name}: ${name}`).toBe(false);
      }
    }
  });
});
