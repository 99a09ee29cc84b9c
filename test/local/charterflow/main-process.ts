import { type ChildProcess, spawn } from 'node:child_process';

/** `npm start` as a child process, for the tests that run it as a person does (local/main.ts). */

const children: ChildProcess[] = [];

/** Kills what is still running (a test that failed before it stopped its stack). */
export function killMains(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export interface Started {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  output: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

/** Starts `npm start -- <args>`; resolves once the output holds `until` (the banner's end by default). */
export function startMain(args: string[], until = 'Ctrl-C stops the stack'): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts', ...args], {
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started: Started = {
    child,
    output: () => output,
    exited,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(until)) resolve(started);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then((code) =>
      output.includes(until) ? resolve(started) : reject(new Error(`exited ${code}: ${output}`)),
    );
  });
}
