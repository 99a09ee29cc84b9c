import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { clientConfig, conformance, refusal } from './support';

describe('S3', () => {
  const s3 = () => new S3Client({ ...clientConfig(), forcePathStyle: true });
  let buckets = 0;
  async function bucketWith(keys: string[]): Promise<{ client: S3Client; bucket: string }> {
    const client = s3();
    const bucket = `conformance-${++buckets}-${Date.now()}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    return { client, bucket };
  }

  conformance('s3-list-truncated', async () => {
    const keys = [
      'g/XHQGMDH/index.html',
      'g/XHQGMDH/photo.jpg',
      'g/ZZ12345/index.html',
      'photos/a.jpg',
      'photos/b.jpg',
    ];
    const { client, bucket } = await bucketWith(keys);
    const pages = [];
    for await (const page of paginateListObjectsV2({ client, pageSize: 2 }, { Bucket: bucket })) pages.push(page);
    expect(pages.map((p) => p.KeyCount)).toEqual([2, 2, 1]);
    expect(pages.map((p) => p.IsTruncated)).toEqual([true, true, false]);
    expect(pages.flatMap((p) => p.Contents ?? []).map((o) => o.Key)).toEqual(keys);
    client.destroy();
  });

  conformance('s3-list-delimiter-max-keys', async () => {
    const { client, bucket } = await bucketWith(['a/1', 'a/2', 'b', 'c/1', 'd']);
    const first = await client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', MaxKeys: 2 }));
    expect(first.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/']);
    expect(first.Contents?.map((o) => o.Key)).toEqual(['b']);
    expect(first.KeyCount).toBe(2);
    expect(first.IsTruncated).toBe(true);
    const second = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Delimiter: '/',
        MaxKeys: 2,
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(second.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['c/']);
    expect(second.Contents?.map((o) => o.Key)).toEqual(['d']);
    expect(second.IsTruncated).toBe(false);
    client.destroy();
  });

  conformance('s3-put-if-match-stale', async () => {
    const { client, bucket } = await bucketWith([]);
    const first = await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'g/XHQGMDH/index.html', Body: 'first' }),
    );
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'g/XHQGMDH/index.html', Body: 'second', IfMatch: first.ETag }),
    );
    const stale = client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'g/XHQGMDH/index.html', Body: 'third', IfMatch: first.ETag }),
    );
    await expect(stale).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const kept = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'g/XHQGMDH/index.html' }));
    expect(await kept.Body!.transformToString()).toBe('second');
    client.destroy();
  });

  conformance('s3-multipart-etag', async () => {
    const { client, bucket } = await bucketWith([]);
    const Key = 'photos/XHQGMDH/original.jpg';
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
    // Every part but the last is at least 5 MiB, as S3 requires.
    const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from('the last part')];
    const uploaded = [];
    for (const [index, Body] of parts.entries()) {
      const { ETag } = await client.send(
        new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: index + 1, Body }),
      );
      uploaded.push({ ETag, PartNumber: index + 1 });
    }
    const done = await client.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, MultipartUpload: { Parts: uploaded } }),
    );
    const md5OfMd5s = createHash('md5');
    for (const part of parts) md5OfMd5s.update(createHash('md5').update(part).digest());
    const expected = `"${md5OfMd5s.digest('hex')}-2"`;
    expect(done.ETag).toBe(expected);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.[0]?.ETag).toBe(expected);
    client.destroy();
  });

  conformance('s3-copy-reserved-characters', async () => {
    const source = 'listings/slip: A=1+2 #7?&x/photo.jpg';
    const { client, bucket } = await bucketWith([source]);
    const CopySource = `${bucket}/${source.split('/').map(encodeURIComponent).join('/')}`;
    await client.send(new CopyObjectCommand({ Bucket: bucket, Key: 'g/copy.jpg', CopySource }));
    const copied = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'g/copy.jpg' }));
    expect(await copied.Body!.transformToString()).toBe(source);
    const missing = client.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'g/none.jpg', CopySource: `${bucket}/listings/none%3F.jpg` }),
    );
    await expect(missing).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(missing).rejects.toBeInstanceOf(S3ServiceException);
    client.destroy();
  });

  conformance(
    's3-read-during-write',
    async () => {
      const { client, bucket } = await bucketWith([]);
      const Key = 'g/XHQGMDH.html';
      // Large enough that a write spans several chunks on disk; each version is one repeated letter.
      const version = (letter: string) => letter.repeat(512 * 1024);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: version('a') }));
      const seen: string[] = [];
      const reads = async () => {
        for (let i = 0; i < 12; i++) {
          const body = await (
            await client.send(new GetObjectCommand({ Bucket: bucket, Key }))
          ).Body!.transformToString();
          seen.push(body.length === 512 * 1024 && new Set(body).size === 1 ? 'whole' : `${body.length} bytes, mixed`);
        }
      };
      const writes = async () => {
        for (const letter of 'bcdefghijkl')
          await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: version(letter) }));
      };
      await Promise.all([reads(), reads(), writes()]);
      expect(seen.filter((s) => s !== 'whole')).toEqual([]);
      client.destroy();
    },
    60_000,
  );

  conformance('s3-put-if-none-match-race', async () => {
    const { client, bucket } = await bucketWith([]);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        client.send(
          new PutObjectCommand({ Bucket: bucket, Key: 'g/XHQGMDH.html', Body: `writer ${i}`, IfNoneMatch: '*' }),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect(r.reason).toMatchObject({ $metadata: { httpStatusCode: 412 } });
    client.destroy();
  });

  conformance('s3-concurrent-deletes', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `g/B${i >> 1}/${i}.html`);
    const { client, bucket } = await bucketWith(keys);
    const results = await Promise.allSettled(
      keys.map((Key) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key }))),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);
    client.destroy();
  });

  conformance('s3-versioning-refused', async () => {
    const { client, bucket } = await bucketWith([]);
    const put = client.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    await expect(put).rejects.toThrow(refusal('s3', 'PutBucketVersioning'));
    await expect(put).rejects.toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
    client.destroy();
  });

  conformance('s3-object-attributes-refused', async () => {
    const { client, bucket } = await bucketWith(['g/XHQGMDH/index.html']);
    const get = client.send(
      new GetObjectAttributesCommand({ Bucket: bucket, Key: 'g/XHQGMDH/index.html', ObjectAttributes: ['ETag'] }),
    );
    await expect(get).rejects.toThrow(refusal('s3', 'GetObjectAttributes'));
    client.destroy();
  });
});
