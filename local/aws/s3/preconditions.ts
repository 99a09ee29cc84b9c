/**
 * GetObject and HeadObject preconditions s3rver ignores (it answers If-None-Match and If-Modified-Since
 * itself): If-Match and If-Unmodified-Since, evaluated as S3 and RFC 7232 do. When If-Match holds, a failing
 * If-Unmodified-Since is not checked, and S3 answers 200.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
export function failedReadCondition(
  conditions: { ifMatch?: string; ifUnmodifiedSince?: string },
  current: { etag: string | undefined; lastModified: string | undefined },
): 'If-Match' | 'If-Unmodified-Since' | undefined {
  if (conditions.ifMatch !== undefined) {
    const wanted = conditions.ifMatch.split(',').map((tag) => unquote(tag.trim()));
    return wanted.includes('*') || wanted.includes(unquote(current.etag ?? '')) ? undefined : 'If-Match';
  }
  if (conditions.ifUnmodifiedSince !== undefined && current.lastModified !== undefined) {
    const since = Date.parse(conditions.ifUnmodifiedSince);
    // An unparseable date is ignored, as HTTP says.
    if (!Number.isNaN(since) && Date.parse(current.lastModified) > since) return 'If-Unmodified-Since';
  }
  return undefined;
}

function unquote(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}
