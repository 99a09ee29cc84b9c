import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { Template } from './intrinsics';

/** What `serverless package --package DIR` leaves in DIR that the local stack reads. */
export interface PackageDir {
  dir: string;
  template: Template;
  /** serverless-state.json's service.custom.charterflow: the stage's deploy parameters, resolved. */
  params: Record<string, unknown>;
  stage: string;
  region: string;
}

export const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';
export const STATE_FILE = 'serverless-state.json';

export function readPackage(dir: string): PackageDir {
  const hint = `run \`npx serverless package --stage <stage> --package ${dir}\` first`;
  if (!existsSync(dir)) throw new Error(`No package directory at ${dir}: ${hint}`);
  const readJson = (file: string) => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`No ${file} in ${dir} (${path}): ${hint}`);
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path} is not JSON: ${hint}`, { cause: error });
    }
  };
  const template = readJson(TEMPLATE_FILE) as Template;
  const state = readJson(STATE_FILE) as {
    service?: { custom?: { charterflow?: Record<string, unknown> }; provider?: { stage?: string; region?: string } };
  };
  const params = state.service?.custom?.charterflow;
  const stage = state.service?.provider?.stage;
  const region = state.service?.provider?.region;
  if (!params || !stage || !region)
    throw new Error(`${join(dir, STATE_FILE)} has no service.custom.charterflow, provider.stage or provider.region`);
  return { dir, template, params, stage, region };
}

/**
 * Extracts a function's zip into `intoDir`, keeping each file's mode (a zip made on Unix carries it in the high
 * 16 bits of the external attributes). An entry whose path would land outside `intoDir` is refused.
 */
export async function unzipFunction(zipFile: string, intoDir: string): Promise<string[]> {
  if (!existsSync(zipFile)) throw new Error(`No function zip at ${zipFile}: run \`npx serverless package\` first`);
  const root = resolve(intoDir);
  await mkdir(root, { recursive: true });
  const written: string[] = [];
  await eachEntry(zipFile, { strictFileNames: true }, async (zip, entry) => {
    const file = await extract(zip, entry, root);
    if (file) written.push(file);
  });
  return written;
}

/** Every file in a zip with its content, in the zip's order. */
export async function readZipEntries(zipFile: string): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  await eachEntry(zipFile, {}, async (zip, entry) => {
    if (entry.fileName.endsWith('/')) return;
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.set(entry.fileName, Buffer.concat(chunks));
  });
  return entries;
}

/** Visits a zip's entries one at a time, in order (yauzl's lazy reading), and closes it whatever happens. */
async function eachEntry(
  zipFile: string,
  options: yauzl.Options,
  visit: (zip: yauzl.ZipFile, entry: yauzl.Entry) => Promise<void>,
): Promise<void> {
  const zip = await yauzl.openPromise(zipFile, { ...options, lazyEntries: true });
  try {
    await new Promise<void>((done, fail) => {
      zip.on('error', fail);
      zip.on('end', () => done());
      zip.on('entry', (entry: yauzl.Entry) => {
        visit(zip, entry)
          .then(() => zip.readEntry())
          .catch(fail);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

async function extract(zip: yauzl.ZipFile, entry: yauzl.Entry, root: string): Promise<string | undefined> {
  const target = resolve(root, entry.fileName);
  const inside = relative(root, target);
  if (inside.startsWith('..') || isAbsolute(inside))
    throw new Error(`Refusing zip entry ${entry.fileName}: it would be written outside ${root}`);
  const mode = (entry.externalFileAttributes >>> 16) & 0o7777;
  if (entry.fileName.endsWith('/')) {
    await mkdir(target, { recursive: true });
    return undefined;
  }
  await mkdir(dirname(target), { recursive: true });
  const stream = await zip.openReadStreamPromise(entry);
  await pipeline(stream, createWriteStream(target));
  if (mode) await chmod(target, mode);
  return inside;
}
