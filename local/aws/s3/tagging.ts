import { escapeXml, s3Error, type S3Answer } from './listing';
import { readSidecar, writeSidecar, type SidecarStore } from './sidecars';

/**
 * Object and bucket tagging, which s3rver drops (the x-amz-tagging header of PutObject) or refuses (bucket
 * tagging, DeleteObjectTagging). Tags are kept in a sidecar beside the object or in the bucket's folder.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketTagging.html
 */

export interface Tag {
  Key: string;
  Value: string;
}

// Limits from the tagging user guide: 10 tags on an object, 50 on a bucket; a key up to 128 characters, a value up to 256.
const MAX_TAGS = { object: 10, bucket: 50 };

export interface TaggingRequest {
  method: string;
  bucket: string;
  key: string;
  body: Buffer;
}

/** GET, PUT and DELETE on `?tagging`, of an object when there is a key, else of the bucket. */
export async function tagging(store: SidecarStore, request: TaggingRequest): Promise<S3Answer> {
  const { method, bucket, key } = request;
  const onObject = key !== '';
  if (!(await store.getBucket(bucket))) return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
  if (onObject && !(await store.existsObject(bucket, key)))
    return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', `<Key>${escapeXml(key)}</Key>`);
  switch (method) {
    case 'GET': {
      const tags = await readSidecar<Tag[]>(store, bucket, key, 'tagging');
      if (!tags && !onObject) return s3Error(404, 'NoSuchTagSet', 'The TagSet does not exist');
      return { status: 200, xml: taggingXml(tags ?? []) };
    }
    case 'PUT': {
      const tags = validTags(tagsFromXml(request.body.toString('utf8')), onObject ? 'object' : 'bucket');
      if (!Array.isArray(tags)) return tags;
      // An empty TagSet on a bucket is still a tag set; on an object it is the same as none.
      await writeSidecar(store, bucket, key, 'tagging', onObject && tags.length === 0 ? undefined : tags);
      return { status: onObject ? 200 : 204, xml: '' };
    }
    case 'DELETE':
      await writeSidecar(store, bucket, key, 'tagging', undefined);
      return { status: 204, xml: '' };
    default:
      return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }
}

/** The x-amz-tagging header of PutObject and CopyObject: URL query parameters, `a=1&b=two`. */
export function tagsFromHeader(header: string): Tag[] | S3Answer {
  const tags = [...new URLSearchParams(header)].map(([Key, Value]) => ({ Key, Value }));
  return validTags(tags, 'object');
}

export async function tagCount(store: SidecarStore, bucket: string, key: string): Promise<number> {
  return (await readSidecar<Tag[]>(store, bucket, key, 'tagging'))?.length ?? 0;
}

export async function readTags(store: SidecarStore, bucket: string, key: string): Promise<Tag[]> {
  return (await readSidecar<Tag[]>(store, bucket, key, 'tagging')) ?? [];
}

export async function writeTags(store: SidecarStore, bucket: string, key: string, tags: Tag[]): Promise<void> {
  await writeSidecar(store, bucket, key, 'tagging', tags);
}

function validTags(tags: Tag[], on: 'object' | 'bucket'): Tag[] | S3Answer {
  if (tags.length > MAX_TAGS[on])
    return s3Error(
      400,
      'BadRequest',
      `${on === 'object' ? 'Object' : 'Bucket'} tags cannot be greater than ${MAX_TAGS[on]}`,
    );
  if (new Set(tags.map((t) => t.Key)).size !== tags.length)
    return s3Error(400, 'InvalidTag', 'Cannot provide multiple Tags with the same key');
  if (tags.some((t) => t.Key.length === 0 || t.Key.length > 128))
    return s3Error(400, 'InvalidTag', 'The TagKey you have provided is invalid');
  if (tags.some((t) => t.Value.length > 256))
    return s3Error(400, 'InvalidTag', 'The TagValue you have provided is invalid');
  return tags;
}

function taggingXml(tags: readonly Tag[]): string {
  const set = tags.map((t) => `<Tag><Key>${escapeXml(t.Key)}</Key><Value>${escapeXml(t.Value)}</Value></Tag>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${set}</TagSet></Tagging>`;
}

export function tagsFromXml(xml: string): Tag[] {
  return [...xml.matchAll(/<Tag>([\s\S]*?)<\/Tag>/g)].map((m) => ({
    Key: unescapeXml(/<Key>([\s\S]*?)<\/Key>/.exec(m[1]!)?.[1] ?? ''),
    Value: unescapeXml(/<Value>([\s\S]*?)<\/Value>/.exec(m[1]!)?.[1] ?? ''),
  }));
}

export function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&amp;/g, '&');
}
