import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface NodeBinary {
  path: string;
  version: string;
}

export interface NodeRuntimeOptions {
  /** The Node running this process (`process.version`); a test pretends another. */
  runningVersion?: string;
  runningPath?: string;
  /** Defaults to XDG_CACHE_HOME or ~/.cache, as scripts/use-node.sh. */
  cacheHome?: string;
}

/** "nodejs22.x" -> 22. Anything that is not a Node.js Lambda runtime is an error naming it. */
export function nodeMajorOf(runtime: string): number {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  if (!major) throw new Error(`not a Node.js Lambda runtime: "${runtime}" (expected nodejs<major>.x, e.g. nodejs22.x)`);
  return Number(major);
}

/**
 * A Node for a Lambda runtime: this process's own when the major matches, else the one scripts/use-node.sh keeps in
 * `<cache>/charterflow/node-<major>`, fetched from npm (Node's official binaries, node-<platform>-<arch>) when absent.
 * One answer per major for the life of the process.
 */
export function nodeRuntimes(options: NodeRuntimeOptions = {}): (runtime: string) => Promise<NodeBinary> {
  const runningVersion = options.runningVersion ?? process.version;
  const runningPath = options.runningPath ?? process.execPath;
  const answers = new Map<number, Promise<NodeBinary>>();
  return (runtime) => {
    let major: number;
    try {
      major = nodeMajorOf(runtime);
    } catch (error) {
      return Promise.reject(error);
    }
    if (majorOf(runningVersion) === major) return Promise.resolve({ path: runningPath, version: runningVersion });
    let answer = answers.get(major);
    if (!answer) {
      answer = cachedNode(runtime, major, options.cacheHome ?? defaultCacheHome());
      // A failure is not kept: the developer may fetch it meanwhile.
      answer.catch(() => answers.delete(major));
      answers.set(major, answer);
    }
    return answer;
  };
}

/** The process-wide resolver the local Lambda runtime uses. */
export const nodeForRuntime = nodeRuntimes();

async function cachedNode(runtime: string, major: number, cacheHome: string): Promise<NodeBinary> {
  const cache = join(cacheHome, 'charterflow');
  const dir = join(cache, `node-${major}`);
  const found = await versionAt(dir, major);
  if (found) return found;
  const pkg = `node-${process.platform}-${process.arch}@${major}`;
  try {
    await mkdir(cache, { recursive: true });
    // Unpacked beside its final place, then renamed in one step: another process never sees half a Node.
    const tmp = await mkdtemp(join(cache, `.node-${major}.`));
    try {
      const { stdout } = await run('npm', ['pack', '--silent', pkg], { cwd: tmp, maxBuffer: 1 << 20 });
      const tarball = stdout.trim().split('\n').at(-1) ?? '';
      await mkdir(join(tmp, 'node'));
      await run('tar', ['-xzf', join(tmp, tarball), '--strip-components=1', '-C', join(tmp, 'node')]);
      await rm(dir, { recursive: true, force: true });
      await rename(join(tmp, 'node'), dir).catch(async (error) => {
        // Another process renamed its copy in first: that one serves as well.
        if (!(await versionAt(dir, major))) throw error;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    const fetched = await versionAt(dir, major);
    if (!fetched) throw new Error(`${pkg} unpacked no Node ${major} at ${dir}/bin/node`);
    return fetched;
  } catch (cause) {
    throw new Error(
      `no Node ${major} for ${runtime}: fetching ${pkg} from npm into ${dir} failed; ` +
        `get it with \`source scripts/use-node.sh ${major}\` (or nvm/fnm) and start again`,
      { cause },
    );
  }
}

async function versionAt(dir: string, major: number): Promise<NodeBinary | undefined> {
  const path = join(dir, 'bin', 'node');
  try {
    const version = (await run(path, ['--version'])).stdout.trim();
    return majorOf(version) === major ? { path, version } : undefined;
  } catch {
    return undefined;
  }
}

const majorOf = (version: string) => Number(/^v?(\d+)\./.exec(version)?.[1]);

const defaultCacheHome = () => process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
