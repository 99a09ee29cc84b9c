import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentMd5Problem, sentChecksums } from '../../../../local/aws/s3/integrity';
import { tagsFromHeader, tagsFromXml } from '../../../../local/aws/s3/tagging';

const page = Buffer.from('<h1>XHQGMDH, Sausalito, 10:00 PDT</h1>');
const md5 = createHash('md5').update(page).digest('base64');
const codeOf = (answer: { xml: string } | undefined) =>
  answer ? /<Code>([^<]*)<\/Code>/.exec(answer.xml)?.[1] : undefined;

describe('Content-MD5 as S3 checks it', () => {
  it.each([
    ['the body’s MD5', md5, undefined],
    ['no header', undefined, undefined],
    ['another body’s MD5', createHash('md5').update('other').digest('base64'), 'BadDigest'],
    ['not base64 of 16 bytes', 'not-an-md5', 'InvalidDigest'],
    ['a hex MD5', createHash('md5').update(page).digest('hex'), 'InvalidDigest'],
    ['an empty header', '', 'InvalidDigest'],
  ])('%s answers %s', (_, header, code) => {
    expect(codeOf(contentMd5Problem(page, header))).toBe(code);
  });
});

describe('the tags of a PutObject header and a Tagging document', () => {
  it('reads the URL-encoded header in order', () => {
    expect(tagsFromHeader('a=1&b=two&marina=Sausalito%20%26%20Tiburon')).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: 'two' },
      { Key: 'marina', Value: 'Sausalito & Tiburon' },
    ]);
  });

  it.each([
    ['a key twice', 'a=1&a=2', 'InvalidTag'],
    ['eleven tags', Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&'), 'BadRequest'],
    ['a key of 129 characters', `${'k'.repeat(129)}=v`, 'InvalidTag'],
    ['a value of 257 characters', `k=${'v'.repeat(257)}`, 'InvalidTag'],
  ])('refuses %s with %s', (_, header, code) => {
    const tags = tagsFromHeader(header);
    expect(Array.isArray(tags) ? undefined : codeOf(tags)).toBe(code);
  });

  it('unescapes the XML a client sends', () => {
    const xml =
      '<Tagging><TagSet><Tag><Key>marina</Key><Value>Sausalito &amp; &lt;Tiburon&gt;</Value></Tag></TagSet></Tagging>';
    expect(tagsFromXml(xml)).toEqual([{ Key: 'marina', Value: 'Sausalito & <Tiburon>' }]);
  });
});

describe('the checksums kept from a PutObject', () => {
  it('keeps the algorithms S3 knows, as a full-object checksum, and nothing else', () => {
    expect(
      sentChecksums({ 'x-amz-checksum-crc32': 'ajOITw==', 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-meta-a': '1' }),
    ).toEqual({ 'x-amz-checksum-crc32': 'ajOITw==', 'x-amz-checksum-type': 'FULL_OBJECT' });
    expect(sentChecksums({})).toEqual({});
  });
});
