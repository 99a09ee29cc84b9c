import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { describe, expect } from 'vitest';
import {
  CreateBucketCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { clientConfig, conformance } from './support';

/** S3 tagging and integrity: tags on objects and buckets, Content-MD5, and the CRC32 current SDKs send. */
describe('S3 tagging and integrity', () => {
  let buckets = 0;
  async function freshBucket(): Promise<{ client: S3Client; bucket: string }> {
    const client = new S3Client({ ...clientConfig(), forcePathStyle: true });
    const bucket = `integrity-${++buckets}-${Date.now()}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return { client, bucket };
  }
  const Key = 'g/XHQGMDH/index.html';

  conformance('s3-put-object-tagging', async () => {
    const { client, bucket } = await freshBucket();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: '<h1>Sausalito</h1>', Tagging: 'a=1&b=two' }));
    const tags = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key }));
    expect(tags.TagSet).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: 'two' },
    ]);
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
    expect(got.TagCount).toBe(2);
    await got.Body!.transformToString();
    // A new version of the key without the header has no tags, as S3 replaces the whole object.
    await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: '<h1>Tiburon</h1>' }));
    expect((await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key }))).TagSet).toEqual([]);
    expect((await client.send(new HeadObjectCommand({ Bucket: bucket, Key }))).$metadata.httpStatusCode).toBe(200);
    const untagged = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
    expect(untagged.TagCount).toBeUndefined();
    await untagged.Body!.transformToString();
    client.destroy();
  });

  conformance('s3-object-tagging', async () => {
    const { client, bucket } = await freshBucket();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'page', Tagging: 'old=yes' }));
    await client.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key,
        Tagging: { TagSet: [{ Key: 'marina', Value: 'Sausalito & <Tiburon>' }] },
      }),
    );
    expect((await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key }))).TagSet).toEqual([
      { Key: 'marina', Value: 'Sausalito & <Tiburon>' },
    ]);
    const deleted = await client.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect((await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key }))).TagSet).toEqual([]);
    // Tags go with the object: a key deleted and written again starts with none.
    await client.send(
      new PutObjectTaggingCommand({ Bucket: bucket, Key, Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }),
    );
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'again' }));
    expect((await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key }))).TagSet).toEqual([]);
    const missing = client.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'g/none.html',
        Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] },
      }),
    );
    await expect(missing).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    client.destroy();
  });

  conformance('s3-bucket-tagging', async () => {
    const { client, bucket } = await freshBucket();
    const none = client.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    await expect(none).rejects.toMatchObject({ name: 'NoSuchTagSet', $metadata: { httpStatusCode: 404 } });
    const TagSet = [
      { Key: 'cost-centre', Value: 'guest pages' },
      { Key: 'owner', Value: 'charter desk' },
    ];
    const put = await client.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet } }));
    expect(put.$metadata.httpStatusCode).toBe(204);
    expect((await client.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet).toEqual(TagSet);
    const deleted = await client.send(new DeleteBucketTaggingCommand({ Bucket: bucket }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    const gone = client.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    await expect(gone).rejects.toMatchObject({ name: 'NoSuchTagSet', $metadata: { httpStatusCode: 404 } });
    const noBucket = client.send(new GetBucketTaggingCommand({ Bucket: `${bucket}-none` }));
    await expect(noBucket).rejects.toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
    client.destroy();
  });

  conformance('s3-content-md5-bad-digest', async () => {
    const { client, bucket } = await freshBucket();
    const wrong = Buffer.alloc(16, 7).toString('base64');
    const put = client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'the page', ContentMD5: wrong }));
    await expect(put).rejects.toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
    const read = client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
    await expect(read).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    client.destroy();
  });

  conformance('s3-content-md5-invalid-digest', async () => {
    const { client, bucket } = await freshBucket();
    const put = client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'the page', ContentMD5: 'not-an-md5' }));
    await expect(put).rejects.toMatchObject({ name: 'InvalidDigest', $metadata: { httpStatusCode: 400 } });
    const read = client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
    await expect(read).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    client.destroy();
  });

  conformance('s3-checksum-crc32', async () => {
    const { client, bucket } = await freshBucket();
    const crc32Of = (text: string) => {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(Buffer.from(text)));
      return crc.toString('base64');
    };
    const page = '<h1>XHQGMDH, Sausalito, 10:00 PDT</h1>';
    const put = await client.send(
      new PutObjectCommand({ Bucket: bucket, Key, Body: page, ChecksumAlgorithm: 'CRC32' }),
    );
    expect(put.ChecksumCRC32).toBe(crc32Of(page));
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC32).toBe(crc32Of(page));
    expect(await got.Body!.transformToString()).toBe(page);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32).toBe(crc32Of(page));
    // Current SDKs ask by default (responseChecksumValidation WHEN_SUPPORTED); one that does not ask gets none.
    const notAsking = new S3Client({
      ...clientConfig(),
      forcePathStyle: true,
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const unasked = await notAsking.send(new GetObjectCommand({ Bucket: bucket, Key }));
    expect(unasked.ChecksumCRC32).toBeUndefined();
    await unasked.Body!.transformToString();
    notAsking.destroy();
    // A stream goes aws-chunked, its CRC32 in the trailer.
    const photo = 'jpeg bytes of the dock at Sausalito';
    const streamed = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'photos/XHQGMDH/dock.jpg',
        Body: Readable.from([Buffer.from(photo)]),
        ContentLength: photo.length,
        ChecksumAlgorithm: 'CRC32',
      }),
    );
    expect(streamed.ChecksumCRC32).toBe(crc32Of(photo));
    const read = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'photos/XHQGMDH/dock.jpg', ChecksumMode: 'ENABLED' }),
    );
    expect(read.ChecksumCRC32).toBe(crc32Of(photo));
    expect(await read.Body!.transformToString()).toBe(photo);
    client.destroy();
  });
});
