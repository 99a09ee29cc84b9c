import { afterAll, describe, expect, it, inject } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { bookingsTable, region } from '../../../shared/config';
import { killMains, startMain } from './main-process';

/**
 * `npm start -- --package-dir --shadow`: the shadow gate holds in the bundles as they deploy. They are minified,
 * so a gate that knew the SDK's commands by their class names let the renter's mail and the public page through.
 */

afterAll(() => killMains());

/** The banner's signed sample, as its curl line gives it. */
function sampleOf(banner: string) {
  const curl = banner.slice(banner.indexOf('curl -i'));
  const url = /curl -i -X POST (\S+)/.exec(curl)![1]!;
  const headers = Object.fromEntries(
    [...curl.matchAll(/-H '([^:]+): ([^']*)'/g)].map(([, name, value]) => [name!, value!]),
  );
  const body = /--data '([^']*)'/.exec(curl)![1]!;
  return { url, headers, body, bookingId: /as booking (\w+)/.exec(banner)![1]! };
}

describe('npm start, packaged, in shadow', () => {
  it('keeps the sample booking\u2019s mail and page back: the mailbox gets none, the guest site has no page', async () => {
    const stack = await startMain(['--package-dir', inject('packageDir'), '--ephemeral', '--port', '0', '--shadow']);
    const banner = stack.output();
    const aws = /AWS_ENDPOINT_URL=(\S+)/.exec(banner)![1]!;
    const mailbox = /mailbox\s+(http:\/\/\S+)/.exec(banner)![1]!;
    const guestSite = /guest site\s+(http:\/\/[^/\s]+)/.exec(banner)![1]!;
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: region(),
        endpoint: aws,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    try {
      const sample = sampleOf(banner);
      const answer = await fetch(sample.url, { method: 'POST', headers: sample.headers, body: sample.body });
      expect(answer.status).toBe(202);
      // guest-mail's kept-back mail is the chain's last record: the gate held it.
      const keptMail = async () => {
        const { Items = [] } = await documents.send(
          new QueryCommand({
            TableName: bookingsTable(),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :mail)',
            ExpressionAttributeValues: { ':pk': `BOOKING#${sample.bookingId}`, ':mail': 'SHADOW#guest-mail#' },
          }),
        );
        return Items.length;
      };
      await expect.poll(keptMail, { timeout: 60_000, interval: 250 }).toBeGreaterThan(0);
      const store = (await (await fetch(`${mailbox}/store`)).json()) as { emails: unknown[] };
      expect(store.emails).toEqual([]);
      expect((await fetch(`${guestSite}/g/${sample.bookingId}`)).status).not.toBe(200);
    } finally {
      documents.destroy();
      expect(await stack.stop()).toBe(0);
    }
  }, 120_000);
});
