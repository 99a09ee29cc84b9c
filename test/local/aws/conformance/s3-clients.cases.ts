import { describe, expect } from 'vitest';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { clientConfig, conformance } from './support';

/** What aws-cli, boto3 and @aws-sdk/lib-storage call beyond what charterflow itself does. */
describe('S3 for the clients people bring', () => {
  const s3 = (region = 'us-west-2') => new S3Client({ ...clientConfig(), region, forcePathStyle: true });
  let buckets = 0;
  async function bucketWith(keys: string[]): Promise<{ client: S3Client; bucket: string }> {
    const client = s3();
    const bucket = `clients-${++buckets}-${Date.now()}`;
    await client.send(
      new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }),
    );
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    return { client, bucket };
  }
  const MiB = 1024 * 1024;

  conformance('s3-bucket-location', async () => {
    const { client, bucket } = await bucketWith([]);
    expect((await client.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint).toBe('us-west-2');
    const east = s3('us-east-1');
    await east.send(new CreateBucketCommand({ Bucket: `${bucket}-east` }));
    expect((await east.send(new GetBucketLocationCommand({ Bucket: `${bucket}-east` }))).LocationConstraint).toBe(
      undefined,
    );
    await expect(east.send(new GetBucketLocationCommand({ Bucket: `${bucket}-none` }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
      $metadata: { httpStatusCode: 404 },
    });
    client.destroy();
    east.destroy();
  });

  conformance('s3-create-own-bucket-again', async () => {
    const { client, bucket } = await bucketWith(['g/XHQGMDH/index.html']);
    const again = client.send(
      new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }),
    );
    await expect(again).rejects.toMatchObject({ name: 'BucketAlreadyOwnedByYou', $metadata: { httpStatusCode: 409 } });
    const east = s3('us-east-1');
    await east.send(new CreateBucketCommand({ Bucket: `${bucket}-east` }));
    const legacy = await east.send(new CreateBucketCommand({ Bucket: `${bucket}-east` }));
    expect(legacy.$metadata.httpStatusCode).toBe(200);
    const kept = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'g/XHQGMDH/index.html' }));
    expect(await kept.Body!.transformToString()).toBe('g/XHQGMDH/index.html');
    client.destroy();
    east.destroy();
  });

  conformance('s3-list-v1-delimiter-max-keys', async () => {
    const keys = [
      ...Array.from({ length: 20 }, (_, i) => `g/B${String(i).padStart(2, '0')}/index.html`),
      'index.html',
      'photos/a.jpg',
      'robots.txt',
    ];
    const { client, bucket } = await bucketWith(keys);
    const first = await client.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: '/', MaxKeys: 3 }));
    expect(first.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['g/', 'photos/']);
    expect(first.Contents?.map((o) => o.Key)).toEqual(['index.html']);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextMarker).toBe('photos/');
    const second = await client.send(
      new ListObjectsCommand({ Bucket: bucket, Delimiter: '/', MaxKeys: 3, Marker: first.NextMarker }),
    );
    expect(second.CommonPrefixes ?? []).toEqual([]);
    expect(second.Contents?.map((o) => o.Key)).toEqual(['robots.txt']);
    expect(second.IsTruncated).toBe(false);
    const under = await client.send(
      new ListObjectsCommand({ Bucket: bucket, Prefix: 'g/', Delimiter: '/', MaxKeys: 15 }),
    );
    expect(under.CommonPrefixes).toHaveLength(15);
    expect(under.NextMarker).toBe('g/B14/');
    client.destroy();
  });

  conformance('s3-get-if-match-stale', async () => {
    const { client, bucket } = await bucketWith(['g/XHQGMDH/index.html']);
    const Key = 'g/XHQGMDH/index.html';
    const { ETag } = await client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
    const fresh = await client.send(new GetObjectCommand({ Bucket: bucket, Key, IfMatch: ETag }));
    expect(await fresh.Body!.transformToString()).toBe(Key);
    const stale = client.send(
      new GetObjectCommand({ Bucket: bucket, Key, IfMatch: '"0123456789abcdef0123456789abcdef"' }),
    );
    await expect(stale).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    client.destroy();
  });

  conformance('s3-head-if-match-stale', async () => {
    const { client, bucket } = await bucketWith(['g/XHQGMDH/index.html']);
    const Key = 'g/XHQGMDH/index.html';
    const { ETag } = await client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
    expect((await client.send(new HeadObjectCommand({ Bucket: bucket, Key, IfMatch: ETag }))).ETag).toBe(ETag);
    const stale = client.send(
      new HeadObjectCommand({ Bucket: bucket, Key, IfMatch: '"0123456789abcdef0123456789abcdef"' }),
    );
    // HEAD has no body, so the SDK names the error from the status alone.
    await expect(stale).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    client.destroy();
  });

  conformance('s3-get-if-unmodified-since', async () => {
    const { client, bucket } = await bucketWith(['g/XHQGMDH/index.html']);
    const Key = 'g/XHQGMDH/index.html';
    const past = new Date(Date.now() - 24 * 3600 * 1000);
    const stale = client.send(new GetObjectCommand({ Bucket: bucket, Key, IfUnmodifiedSince: past }));
    await expect(stale).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const future = new Date(Date.now() + 24 * 3600 * 1000);
    const unchanged = await client.send(new GetObjectCommand({ Bucket: bucket, Key, IfUnmodifiedSince: future }));
    expect(await unchanged.Body!.transformToString()).toBe(Key);
    // If-Match holding wins over If-Unmodified-Since failing, as S3 documents.
    const { ETag } = await client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
    const both = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key, IfMatch: ETag, IfUnmodifiedSince: past }),
    );
    expect(await both.Body!.transformToString()).toBe(Key);
    client.destroy();
  });

  async function uploadParts(client: S3Client, bucket: string, Key: string, parts: Buffer[]) {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
    const uploaded = [];
    for (const [index, Body] of parts.entries()) {
      const { ETag } = await client.send(
        new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: index + 1, Body }),
      );
      uploaded.push({ ETag, PartNumber: index + 1 });
    }
    return { UploadId: UploadId!, uploaded };
  }

  conformance('s3-complete-part-too-small', async () => {
    const { client, bucket } = await bucketWith([]);
    const Key = 'photos/XHQGMDH/original.jpg';
    const { UploadId, uploaded } = await uploadParts(client, bucket, Key, [
      Buffer.from('a first part far under 5 MiB'),
      Buffer.from('the last part'),
    ]);
    const complete = client.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, MultipartUpload: { Parts: uploaded } }),
    );
    await expect(complete).rejects.toMatchObject({ name: 'EntityTooSmall', $metadata: { httpStatusCode: 400 } });
    await expect(client.send(new GetObjectCommand({ Bucket: bucket, Key }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    // The upload stays open, as on S3: its parts can still be listed or replaced.
    expect((await client.send(new ListPartsCommand({ Bucket: bucket, Key, UploadId }))).Parts).toHaveLength(2);
    client.destroy();
  });

  conformance('s3-upload-part-unknown-upload', async () => {
    const { client, bucket } = await bucketWith([]);
    const put = client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'photos/XHQGMDH/original.jpg',
        UploadId: 'no-such-upload',
        PartNumber: 1,
        Body: 'part',
      }),
    );
    await expect(put).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    client.destroy();
  });

  conformance('s3-abort-multipart-upload', async () => {
    const { client, bucket } = await bucketWith([]);
    const Key = 'photos/XHQGMDH/original.jpg';
    const { UploadId } = await uploadParts(client, bucket, Key, [Buffer.from('one part')]);
    const aborted = await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
    expect(aborted.$metadata.httpStatusCode).toBe(204);
    await expect(client.send(new ListPartsCommand({ Bucket: bucket, Key, UploadId }))).rejects.toMatchObject({
      name: 'NoSuchUpload',
      $metadata: { httpStatusCode: 404 },
    });
    const again = client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
    await expect(again).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    client.destroy();
  });

  conformance(
    's3-list-parts',
    async () => {
      const { client, bucket } = await bucketWith([]);
      const Key = 'photos/XHQGMDH/original.jpg';
      const parts = [Buffer.alloc(5 * MiB, 1), Buffer.alloc(5 * MiB, 2), Buffer.from('the last part')];
      const { UploadId, uploaded } = await uploadParts(client, bucket, Key, parts);
      const first = await client.send(new ListPartsCommand({ Bucket: bucket, Key, UploadId, MaxParts: 2 }));
      expect(first.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
        [1, 5 * MiB, uploaded[0]!.ETag],
        [2, 5 * MiB, uploaded[1]!.ETag],
      ]);
      expect(first.IsTruncated).toBe(true);
      expect(first.NextPartNumberMarker).toBe('2');
      const second = await client.send(
        new ListPartsCommand({ Bucket: bucket, Key, UploadId, PartNumberMarker: first.NextPartNumberMarker }),
      );
      expect(second.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([[3, 13]]);
      expect(second.IsTruncated).toBe(false);
      client.destroy();
    },
    30_000,
  );

  conformance('s3-list-multipart-uploads', async () => {
    const { client, bucket } = await bucketWith([]);
    const photo = await uploadParts(client, bucket, 'photos/XHQGMDH/original.jpg', [Buffer.from('photo')]);
    const page = await uploadParts(client, bucket, 'g/XHQGMDH/index.html', [Buffer.from('page')]);
    const done = await uploadParts(client, bucket, 'g/ZZ12345/index.html', [Buffer.from('done')]);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'g/ZZ12345/index.html',
        UploadId: done.UploadId,
        MultipartUpload: { Parts: done.uploaded },
      }),
    );
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'photos/XHQGMDH/original.jpg', UploadId: photo.UploadId }),
    );
    const other = await uploadParts(client, bucket, 'photos/XHQGMDH/thumb.jpg', [Buffer.from('thumb')]);
    const all = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(all.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([
      ['g/XHQGMDH/index.html', page.UploadId],
      ['photos/XHQGMDH/thumb.jpg', other.UploadId],
    ]);
    expect(all.IsTruncated).toBe(false);
    const photos = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'photos/' }));
    expect(photos.Uploads?.map((u) => u.Key)).toEqual(['photos/XHQGMDH/thumb.jpg']);
    const firstOnly = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, MaxUploads: 1 }));
    expect(firstOnly.IsTruncated).toBe(true);
    expect([firstOnly.NextKeyMarker, firstOnly.NextUploadIdMarker]).toEqual(['g/XHQGMDH/index.html', page.UploadId]);
    const rest = await client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        KeyMarker: firstOnly.NextKeyMarker,
        UploadIdMarker: firstOnly.NextUploadIdMarker,
      }),
    );
    expect(rest.Uploads?.map((u) => u.Key)).toEqual(['photos/XHQGMDH/thumb.jpg']);
    client.destroy();
  });
});
