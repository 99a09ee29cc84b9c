import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeMajorOf, nodeRuntimes } from '../../../local/lambda/node-runtime';

let cacheHome: string;
beforeEach(async () => {
  cacheHome = await mkdtemp(join(tmpdir(), 'node-runtime-'));
});
afterEach(async () => {
  await rm(cacheHome, { recursive: true, force: true });
});

/** A stand-in for a Node binary in the cache: it answers --version as Node does. */
async function cachedNode(major: number, version: string) {
  const bin = join(cacheHome, 'charterflow', `node-${major}`, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'node'), `#!/bin/sh\necho ${version}\n`);
  await chmod(join(bin, 'node'), 0o755);
  return join(bin, 'node');
}

describe('the Node for a Lambda runtime', () => {
  it.each([
    ['nodejs22.x', 22],
    ['nodejs20.x', 20],
    ['nodejs24.x', 24],
  ])('%s is Node %i', (runtime, major) => {
    expect(nodeMajorOf(runtime)).toBe(major);
  });

  it.each(['python3.12', 'nodejs', 'nodejs22', 'java21', ''])('%j is refused with its name', async (runtime) => {
    expect(() => nodeMajorOf(runtime)).toThrow(`not a Node.js Lambda runtime: "${runtime}"`);
    await expect(nodeRuntimes({ cacheHome })(runtime)).rejects.toThrow(`"${runtime}"`);
  });

  it("is this process's own Node when the majors match", async () => {
    const node = await nodeRuntimes({ cacheHome })(`nodejs${process.versions.node.split('.')[0]}.x`);
    expect(node).toEqual({ path: process.execPath, version: process.version });
  });

  it('is the one in the cache for another major, its version read from it', async () => {
    const path = await cachedNode(97, 'v97.3.1');
    expect(await nodeRuntimes({ cacheHome })('nodejs97.x')).toEqual({ path, version: 'v97.3.1' });
  });

  it('keeps its answer per major for the life of the process', async () => {
    const path = await cachedNode(97, 'v97.3.1');
    const nodeFor = nodeRuntimes({ cacheHome });
    await nodeFor('nodejs97.x');
    await rm(join(cacheHome, 'charterflow'), { recursive: true });
    expect(await nodeFor('nodejs97.x')).toEqual({ path, version: 'v97.3.1' });
  });

  it('fetches a missing major from npm into the cache, as scripts/use-node.sh does', async () => {
    const nodeFor = nodeRuntimes({ cacheHome, runningVersion: 'v20.20.2', runningPath: '/usr/bin/node' });
    const node = await nodeFor('nodejs22.x');
    expect(node.path).toBe(join(cacheHome, 'charterflow', 'node-22', 'bin', 'node'));
    expect(node.version).toMatch(/^v22\.\d+\.\d+$/);
  }, 60_000);

  it('refetches a cached Node of the wrong major, and says how to get one when npm has none', async () => {
    await cachedNode(98, 'v20.1.0');
    const failure = nodeRuntimes({ cacheHome })('nodejs98.x');
    await expect(failure).rejects.toThrow('no Node 98 for nodejs98.x');
    await expect(failure).rejects.toThrow('source scripts/use-node.sh 98');
  }, 30_000);
});
