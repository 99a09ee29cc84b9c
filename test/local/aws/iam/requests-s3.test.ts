import { describe, expect, it } from 'vitest';
import type { ArnContext, Authorizations } from '../../../../local/aws/iam/model';
import { authorizationsOf } from '../../../../local/aws/iam/requests';

/** S3 requests as the SDK sends them path-style, and the actions and ARNs AWS authorises for each. */

const arns: ArnContext = {
  region: 'us-east-1',
  accountId: '000000000000',
  secretArn: () => undefined,
  keySchemaOf: () => undefined,
};

const SITE = 'charterflow-local-guest-site';

function s3(method: string, url: string, headers: Record<string, string> = {}, body = ''): Authorizations {
  return authorizationsOf({ protocol: 'rest', service: 's3', method, url, headers, body: Buffer.from(body) }, arns);
}

const pairs = (answer: Authorizations) => {
  if ('unknown' in answer) throw new Error(answer.unknown);
  return answer.authorizations.map(({ action, resource }) => [action, resource]);
};

describe('S3 requests: objects', () => {
  it.each([
    ['GET', `/${SITE}/g/K7QX2M.html?x-id=GetObject`, 's3:GetObject'],
    ['HEAD', `/${SITE}/assets/boats/sea-ray-320.jpg`, 's3:GetObject'],
    ['PUT', `/${SITE}/g/K7QX2M.html?x-id=PutObject`, 's3:PutObject'],
    ['DELETE', `/${SITE}/g/K7QX2M.html?x-id=DeleteObject`, 's3:DeleteObject'],
    ['GET', `/${SITE}/g/K7QX2M.html?tagging`, 's3:GetObjectTagging'],
    ['PUT', `/${SITE}/g/K7QX2M.html?tagging`, 's3:PutObjectTagging'],
    ['DELETE', `/${SITE}/g/K7QX2M.html?tagging`, 's3:DeleteObjectTagging'],
    ['GET', `/${SITE}/g/K7QX2M.html?versionId=3HL4kqtJlcpXroDTDmJ`, 's3:GetObjectVersion'],
    ['POST', `/${SITE}/exports/ledger.csv?uploads`, 's3:PutObject'],
    ['PUT', `/${SITE}/exports/ledger.csv?partNumber=2&uploadId=u-1`, 's3:PutObject'],
    ['POST', `/${SITE}/exports/ledger.csv?uploadId=u-1`, 's3:PutObject'],
    ['GET', `/${SITE}/exports/ledger.csv?uploadId=u-1`, 's3:ListMultipartUploadParts'],
    ['DELETE', `/${SITE}/exports/ledger.csv?uploadId=u-1`, 's3:AbortMultipartUpload'],
  ])('%s %s is %s on the object', (method, url, action) => {
    const key = decodeURIComponent(url.slice(`/${SITE}/`.length).split('?')[0]!);
    expect(pairs(s3(method, url))).toEqual([[action, `arn:aws:s3:::${SITE}/${key}`]]);
  });

  it('an object key is authorised decoded, as IAM compares it', () => {
    expect(pairs(s3('GET', `/${SITE}/assets/boats/Sea%20Ray%20320%2B.jpg`))).toEqual([
      ['s3:GetObject', `arn:aws:s3:::${SITE}/assets/boats/Sea Ray 320+.jpg`],
    ]);
  });

  it("a CopyObject (guest-page's photo copy) is s3:PutObject on the target and s3:GetObject on the source", () => {
    const answer = s3('PUT', `/${SITE}/assets/boats/sea-ray-320.jpg?x-id=CopyObject`, {
      'x-amz-copy-source': 'charterflow-local-legacy-site/assets/boats/sea-ray-320.jpg',
      'x-amz-metadata-directive': 'REPLACE',
    });
    expect(pairs(answer)).toEqual([
      ['s3:PutObject', `arn:aws:s3:::${SITE}/assets/boats/sea-ray-320.jpg`],
      ['s3:GetObject', 'arn:aws:s3:::charterflow-local-legacy-site/assets/boats/sea-ray-320.jpg'],
    ]);
  });

  it('a copy of a version reads it with s3:GetObjectVersion', () => {
    const answer = s3('PUT', `/${SITE}/a.jpg`, { 'x-amz-copy-source': `/${SITE}/b%20c.jpg?versionId=v1` });
    expect(pairs(answer)[1]).toEqual(['s3:GetObjectVersion', `arn:aws:s3:::${SITE}/b c.jpg`]);
  });

  it('a PutObject with tags also needs s3:PutObjectTagging', () => {
    expect(pairs(s3('PUT', `/${SITE}/g/K7QX2M.html`, { 'x-amz-tagging': 'booking=BS-48213' }))).toEqual([
      ['s3:PutObject', `arn:aws:s3:::${SITE}/g/K7QX2M.html`],
      ['s3:PutObjectTagging', `arn:aws:s3:::${SITE}/g/K7QX2M.html`],
    ]);
  });

  it('a DeleteObjects is s3:DeleteObject on each key it names', () => {
    const body =
      '<Delete><Object><Key>g/A.html</Key></Object><Object><Key>g/Tom &amp; Jerry.html</Key></Object></Delete>';
    expect(pairs(s3('POST', `/${SITE}?delete`, {}, body))).toEqual([
      ['s3:DeleteObject', `arn:aws:s3:::${SITE}/g/A.html`],
      ['s3:DeleteObject', `arn:aws:s3:::${SITE}/g/Tom & Jerry.html`],
    ]);
  });
});

describe('S3 requests: buckets', () => {
  it('a listing is s3:ListBucket on the bucket, with s3:prefix, s3:delimiter and s3:max-keys from the query', () => {
    expect(s3('GET', `/${SITE}?list-type=2&prefix=g%2F&delimiter=%2F&max-keys=50`)).toEqual({
      authorizations: [
        {
          action: 's3:ListBucket',
          resource: `arn:aws:s3:::${SITE}`,
          context: { 's3:prefix': 'g/', 's3:delimiter': '/', 's3:max-keys': '50' },
        },
      ],
    });
  });

  it('a listing that names no prefix sets no s3:prefix', () => {
    expect(s3('GET', `/${SITE}/?list-type=2`)).toEqual({
      authorizations: [{ action: 's3:ListBucket', resource: `arn:aws:s3:::${SITE}`, context: {} }],
    });
  });

  it.each([
    ['HEAD', `/${SITE}`, 's3:ListBucket'],
    ['PUT', `/${SITE}`, 's3:CreateBucket'],
    ['DELETE', `/${SITE}`, 's3:DeleteBucket'],
    ['GET', `/${SITE}?location`, 's3:GetBucketLocation'],
    ['GET', `/${SITE}?uploads`, 's3:ListBucketMultipartUploads'],
    ['GET', `/${SITE}?tagging`, 's3:GetBucketTagging'],
    ['DELETE', `/${SITE}?tagging`, 's3:PutBucketTagging'],
    ['PUT', `/${SITE}?policy`, 's3:PutBucketPolicy'],
  ])('%s %s is %s on the bucket', (method, url, action) => {
    expect(pairs(s3(method, url))).toEqual([[action, `arn:aws:s3:::${SITE}`]]);
  });

  it('ListBuckets is s3:ListAllMyBuckets on "*"', () => {
    expect(pairs(s3('GET', '/?x-id=ListBuckets'))).toEqual([['s3:ListAllMyBuckets', '*']]);
  });

  it('a request the mappers do not know is unknown, never allowed', () => {
    expect(s3('POST', `/${SITE}/g/A.html?restore`)).toEqual({
      unknown: `s3.POST /${SITE}/<key>?restore is not known to the local IAM`,
    });
    expect(s3('PUT', `/${SITE}?replication`)).toEqual({
      unknown: `s3.PUT /${SITE}?replication is not known to the local IAM`,
    });
  });
});
