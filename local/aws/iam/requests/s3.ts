import type { Authorization, Authorizations } from '../model';
import { unescapeXml } from '../../s3/tagging';

/**
 * S3's authorizations for a path-style REST request, as the Service Authorization Reference and each operation's
 * "Permissions" section name them. An object is `arn:aws:s3:::bucket/key` (the key decoded), a bucket
 * `arn:aws:s3:::bucket`. Some operations need more than one action: CopyObject (s3:PutObject on the target,
 * s3:GetObject on the source), PutObject with tags (and s3:PutObjectTagging), DeleteObjects (s3:DeleteObject per
 * key). Listing a bucket sets s3:prefix, s3:delimiter and s3:max-keys from the query, when it names them.
 */

export interface S3Request {
  method: string;
  /** Path and query as sent: '/guest-site/g/ABC.html?tagging'. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const LIST_CONDITION_KEYS = ['prefix', 'delimiter', 'max-keys'] as const;

/** A bucket's subresources and the action each method needs (DELETE of some is authorised as their PUT). */
const BUCKET_SUBRESOURCES: Record<string, Record<string, string>> = {
  location: { GET: 's3:GetBucketLocation' },
  uploads: { GET: 's3:ListBucketMultipartUploads' },
  versions: { GET: 's3:ListBucketVersions' },
  tagging: { GET: 's3:GetBucketTagging', PUT: 's3:PutBucketTagging', DELETE: 's3:PutBucketTagging' },
  policy: { GET: 's3:GetBucketPolicy', PUT: 's3:PutBucketPolicy', DELETE: 's3:DeleteBucketPolicy' },
  versioning: { GET: 's3:GetBucketVersioning', PUT: 's3:PutBucketVersioning' },
  acl: { GET: 's3:GetBucketAcl', PUT: 's3:PutBucketAcl' },
  cors: { GET: 's3:GetBucketCORS', PUT: 's3:PutBucketCORS', DELETE: 's3:PutBucketCORS' },
  website: { GET: 's3:GetBucketWebsite', PUT: 's3:PutBucketWebsite', DELETE: 's3:DeleteBucketWebsite' },
  lifecycle: {
    GET: 's3:GetLifecycleConfiguration',
    PUT: 's3:PutLifecycleConfiguration',
    DELETE: 's3:PutLifecycleConfiguration',
  },
  encryption: {
    GET: 's3:GetEncryptionConfiguration',
    PUT: 's3:PutEncryptionConfiguration',
    DELETE: 's3:PutEncryptionConfiguration',
  },
  notification: { GET: 's3:GetBucketNotification', PUT: 's3:PutBucketNotification' },
};

/** An object's subresources: tagging and ACLs (multipart's uploads and uploadId are read apart). */
const OBJECT_SUBRESOURCES: Record<string, Record<string, string>> = {
  tagging: { GET: 's3:GetObjectTagging', PUT: 's3:PutObjectTagging', DELETE: 's3:DeleteObjectTagging' },
  acl: { GET: 's3:GetObjectAcl', PUT: 's3:PutObjectAcl' },
};

export function s3Authorizations(request: S3Request): Authorizations {
  const url = new URL(request.url, 'http://s3');
  const [bucket = '', ...keyParts] = url.pathname.slice(1).split('/').map(decodePart);
  const key = keyParts.join('/');
  const method = request.method.toUpperCase();
  // The SDK's x-id and a presigned URL's X-Amz-* are not subresources.
  const query = [...url.searchParams.keys()].filter((name) => name !== 'x-id' && !/^x-amz-/i.test(name));
  const unknown = { unknown: `s3.${method} ${describe(bucket, key, query)} is not known to the local IAM` };
  const authorizations = !bucket
    ? method === 'GET' && query.length === 0
      ? [{ action: 's3:ListAllMyBuckets', resource: '*' }]
      : undefined
    : key
      ? objectAuthorizations(method, bucket, key, query, url.searchParams, request)
      : bucketAuthorizations(method, bucket, query, url.searchParams, request);
  return authorizations ? { authorizations } : unknown;
}

function bucketAuthorizations(
  method: string,
  bucket: string,
  query: string[],
  params: URLSearchParams,
  request: S3Request,
): Authorization[] | undefined {
  const resource = bucketArn(bucket);
  const subresource = query.find((name) => BUCKET_SUBRESOURCES[name] || name === 'delete');
  if (subresource === 'delete') {
    // DeleteObjects: each key is a DeleteObject (S3 answers a refused key as an error in the result, per key).
    return method === 'POST'
      ? deletedKeys(request.body).map((key) => objectAuthorization('s3:DeleteObject', bucket, key))
      : undefined;
  }
  if (subresource) {
    const action = BUCKET_SUBRESOURCES[subresource]![method];
    return action ? [{ action, resource }] : undefined;
  }
  if (query.some((name) => name !== 'list-type' && !isListParameter(name))) return undefined;
  switch (method) {
    case 'GET': {
      const context: Record<string, string> = {};
      for (const name of LIST_CONDITION_KEYS) {
        const value = params.get(name);
        if (value !== null) context[`s3:${name}`] = value;
      }
      return [{ action: 's3:ListBucket', resource, context }];
    }
    case 'HEAD':
      return [{ action: 's3:ListBucket', resource }];
    case 'PUT':
      return [{ action: 's3:CreateBucket', resource }];
    case 'DELETE':
      return [{ action: 's3:DeleteBucket', resource }];
  }
  return undefined;
}

function objectAuthorizations(
  method: string,
  bucket: string,
  key: string,
  query: string[],
  params: URLSearchParams,
  request: S3Request,
): Authorization[] | undefined {
  const object = (action: string) => objectAuthorization(action, bucket, key);
  const subresource = query.find((name) => OBJECT_SUBRESOURCES[name]);
  if (subresource) {
    const action = OBJECT_SUBRESOURCES[subresource]![method];
    return action ? [object(action)] : undefined;
  }
  if (query.includes('uploads')) return method === 'POST' ? [object('s3:PutObject')] : undefined;
  if (query.includes('uploadId')) {
    switch (method) {
      case 'PUT':
        return [object('s3:PutObject'), ...copySourceAuthorizations(request)];
      case 'POST':
        return [object('s3:PutObject')];
      case 'GET':
        return [object('s3:ListMultipartUploadParts')];
      case 'DELETE':
        return [object('s3:AbortMultipartUpload')];
    }
    return undefined;
  }
  const versioned = params.has('versionId');
  if (query.some((name) => name !== 'versionId' && name !== 'partNumber')) return undefined;
  switch (method) {
    case 'GET':
    case 'HEAD':
      return [object(versioned ? 's3:GetObjectVersion' : 's3:GetObject')];
    case 'DELETE':
      return [object(versioned ? 's3:DeleteObjectVersion' : 's3:DeleteObject')];
    case 'PUT': {
      const copy = copySourceAuthorizations(request);
      const tagged =
        headerOf(request, 'x-amz-tagging') !== undefined &&
        (copy.length === 0 || headerOf(request, 'x-amz-tagging-directive') === 'REPLACE');
      return [object('s3:PutObject'), ...(tagged ? [object('s3:PutObjectTagging')] : []), ...copy];
    }
  }
  return undefined;
}

/** CopyObject and UploadPartCopy read their source: s3:GetObject on it (s3:GetObjectVersion for a version). */
function copySourceAuthorizations(request: S3Request): Authorization[] {
  const source = headerOf(request, 'x-amz-copy-source');
  if (source === undefined) return [];
  const [path = '', version] = source.split('?versionId=');
  const decoded = decodePart(path).replace(/^\//, '');
  const slash = decoded.indexOf('/');
  const action = version ? 's3:GetObjectVersion' : 's3:GetObject';
  return [objectAuthorization(action, decoded.slice(0, slash), decoded.slice(slash + 1))];
}

/** The keys a DeleteObjects body names (<Delete><Object><Key>k</Key></Object>...). */
function deletedKeys(body: Buffer): string[] {
  return [...body.toString('utf8').matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((match) => unescapeXml(match[1]!));
}

function objectAuthorization(action: string, bucket: string, key: string): Authorization {
  return { action, resource: `${bucketArn(bucket)}/${key}` };
}

function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

function isListParameter(name: string): boolean {
  return [
    'prefix',
    'delimiter',
    'marker',
    'max-keys',
    'encoding-type',
    'continuation-token',
    'fetch-owner',
    'start-after',
  ].includes(name);
}

function headerOf(request: S3Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function describe(bucket: string, key: string, query: string[]): string {
  return `/${bucket}${key ? '/<key>' : ''}${query.length ? `?${query.join('&')}` : ''}`;
}
