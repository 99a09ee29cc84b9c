import { readFile, rm, writeFile } from 'node:fs/promises';

/**
 * What S3 keeps beside an object or a bucket and s3rver does not (tags, the checksum sent with the body), as a
 * JSON file next to s3rver's own: `<key>._S3rver_<name>.json`, or `._S3rver_<name>.json` in the bucket's folder.
 * s3rver's deleteObject leaves such files behind, so a delete forgets them first (forgetObject).
 */
export interface SidecarStore {
  getBucket(name: string): Promise<unknown>;
  existsObject(bucket: string, key: string): Promise<boolean>;
  getResourcePath(bucket: string, key: string, resource: string): string;
}

export type Sidecar = 'tagging' | 'checksums';
const SIDECARS: readonly Sidecar[] = ['tagging', 'checksums'];

const path = (store: SidecarStore, bucket: string, key: string, name: Sidecar) =>
  store.getResourcePath(bucket, key, `${name}.json`);

export async function readSidecar<T>(
  store: SidecarStore,
  bucket: string,
  key: string,
  name: Sidecar,
): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path(store, bucket, key, name), 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes the sidecar, or removes it when there is nothing to keep. */
export async function writeSidecar(
  store: SidecarStore,
  bucket: string,
  key: string,
  name: Sidecar,
  value: unknown,
): Promise<void> {
  const empty =
    value === undefined || (Array.isArray(value) ? value.length === 0 : Object.keys(value as object).length === 0);
  if (empty) await rm(path(store, bucket, key, name), { force: true });
  else await writeFile(path(store, bucket, key, name), JSON.stringify(value));
}

export async function forgetObject(store: SidecarStore, bucket: string, key: string): Promise<void> {
  await Promise.all(SIDECARS.map((name) => rm(path(store, bucket, key, name), { force: true })));
}
