import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { secretNames } from '../shared/config';
import { freshBookingId } from '../cli/booking-id';
import { bookingConfirmedAs } from '../samples';
import { signedSample } from './charterflow/seed';
import { packageStage } from './charterflow/package';
import { LOCAL_STAGE } from './charterflow/stack-model';
import { runDemo } from './charterflow/demo';
import { crashTestingFromEnv } from './charterflow/crash-testing';
import { clearStartTap, followTheBus, readLogsAsPeople } from './charterflow/readable-logs';
import {
  DEFAULT_PORTS,
  DEFAULT_STAND_IN_PORTS,
  notEmulated,
  startStack,
  type LocalStack,
  type StackOptions,
} from './charterflow/stack';

/** `npm start`: the whole system on this laptop until Ctrl-C. `npm start -- --help` lists the flags. */

const helpRows: [string, string][] = [
  ['--ephemeral', 'keep nothing: no state on disk, gone at Ctrl-C'],
  ['--data-dir <dir>', 'where state is kept (default .charterflow/)'],
  ['--port <port>', `the AWS endpoint (default ${DEFAULT_PORTS.aws}; or CHARTERFLOW_AWS_PORT)`],
  ['--port 0', 'free ports for everything not given its own port: a second stack beside the first'],
  ['--webhook-port <port>', `the webhook route (default ${DEFAULT_PORTS.webhook})`],
  ['--guest-site-port <port>', `the guest site (default ${DEFAULT_PORTS.guestSite})`],
  ['--mailbox-port <port>', `the mailbox, local SES (default ${DEFAULT_PORTS.mailbox})`],
  ...Object.entries(DEFAULT_STAND_IN_PORTS).map(([name, port]): [string, string] => [
    `--${name}-port <port>`,
    `the ${name} stand-in (default ${port})`,
  ]),
  ['--packaged', 'package the local stage (serverless package) and run that output'],
  ['--package-dir <dir>', 'run a serverless package output as it is'],
  ['--no-iam', "packaged mode: do not enforce the functions' IAM roles for this run"],
  ['--shadow', 'shadow mode: the whole chain runs, but JADA, SCC, the guest site and the mailbox get no'],
  ['', 'write; each consumer records what it would have sent (npx charterflow shadow-report)'],
  ['--json-logs', "the functions' structured JSON lines, as Lambda gets them (the default when stdout is"],
  ['', 'not a terminal); in a terminal, one readable line per event and per downstream call'],
  ['--readable-logs', 'the readable lines even when stdout is not a terminal (| tee, a file)'],
  ['--demo', 'send the sample booking through the chain and print it (npm run demo): on free ports'],
  ['', 'and with nothing kept, unless a port or --data-dir is given'],
  ['-h, --help', 'this text'],
];
const helpWidth = Math.max(...helpRows.map(([flag]) => flag.length));

export const startHelp = [
  'Usage: npm start -- [options]        (npm run demo: the same with --demo)',
  '',
  ...helpRows.map(([flag, text]) => `  ${flag.padEnd(helpWidth)}  ${text}`),
].join('\n');

export class StartUsageError extends Error {
  override readonly name = 'StartUsageError';
}

/** Where each server of the stack listens, and the flag that moves it. */
export interface PortChoice {
  what: string;
  flag: string;
  /** undefined: its default, or a free port when the AWS port is 0. */
  port: number | undefined;
}

export interface StartArgs {
  ephemeral: boolean;
  dataDir: string | undefined;
  ports: { aws?: number; webhook?: number; guestSite?: number; mailbox?: number; standIns: Record<string, number> };
  demo: boolean;
  packaged: boolean;
  packageDir: string | undefined;
  iam: boolean;
  /** The stage in shadow mode (deploy param `mode: shadow`). */
  shadow: boolean;
  logs: 'json' | 'readable';
}

const standInFlag = (name: string) => `${name}-port`;

function portOf(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new StartUsageError(`${flag} must be a port number from 0 to 65535 (0: a free port), got "${text}"`);
  return port;
}

/** The flags of `npm start`, read and checked; 'help' for --help. */
export function parseStartArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  stdoutIsTerminal = Boolean(process.stdout.isTTY),
): StartArgs | 'help' {
  const standInOptions = Object.fromEntries(
    Object.keys(DEFAULT_STAND_IN_PORTS).map((name) => [standInFlag(name), { type: 'string' as const }]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ephemeral: { type: 'boolean', default: false },
        port: { type: 'string' },
        'webhook-port': { type: 'string' },
        'guest-site-port': { type: 'string' },
        'mailbox-port': { type: 'string' },
        ...standInOptions,
        'data-dir': { type: 'string' },
        demo: { type: 'boolean', default: false },
        packaged: { type: 'boolean', default: false },
        'package-dir': { type: 'string' },
        'no-iam': { type: 'boolean', default: false },
        shadow: { type: 'boolean', default: false },
        'json-logs': { type: 'boolean', default: false },
        'readable-logs': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new StartUsageError(`${(error as Error).message} (see npm start -- --help)`, { cause: error });
  }
  if (values.help) return 'help';
  const text = (name: string) => values[name] as string | undefined;
  if (values.packaged && text('package-dir'))
    throw new StartUsageError(
      '--packaged packages the local stage; --package-dir runs a package already made: give one of them',
    );
  if (values['json-logs'] && values['readable-logs'])
    throw new StartUsageError('--json-logs and --readable-logs: give one of them');

  const standIns: Record<string, number> = {};
  for (const name of Object.keys(DEFAULT_STAND_IN_PORTS)) {
    const port = portOf(`--${standInFlag(name)}`, text(standInFlag(name)));
    if (port !== undefined) standIns[name] = port;
  }
  const ports = {
    aws: portOf(
      values.port !== undefined ? '--port' : 'CHARTERFLOW_AWS_PORT',
      text('port') ?? env.CHARTERFLOW_AWS_PORT,
    ),
    webhook: portOf('--webhook-port', text('webhook-port')),
    guestSite: portOf('--guest-site-port', text('guest-site-port')),
    mailbox: portOf('--mailbox-port', text('mailbox-port')),
    standIns,
  };
  const demo = Boolean(values.demo);
  const anyPortGiven =
    [ports.aws, ports.webhook, ports.guestSite, ports.mailbox].some((p) => p !== undefined) ||
    Object.keys(standIns).length > 0;
  // The demo runs beside `npm start`: its own free ports and its own (throwaway) state, unless told otherwise.
  if (demo && !anyPortGiven) ports.aws = 0;
  const ephemeral = Boolean(values.ephemeral) || (demo && text('data-dir') === undefined);
  return {
    ephemeral,
    dataDir: ephemeral ? undefined : (text('data-dir') ?? '.charterflow'),
    ports,
    demo,
    packaged: Boolean(values.packaged),
    packageDir: text('package-dir'),
    iam: !values['no-iam'],
    shadow: Boolean(values.shadow),
    logs: values['json-logs'] ? 'json' : values['readable-logs'] || stdoutIsTerminal ? 'readable' : 'json',
  };
}

/** Each server's port as asked for, with the flag that moves it (the order the stack binds them in). */
export function portChoices(ports: StartArgs['ports']): PortChoice[] {
  const free = ports.aws === 0;
  const asked = (given: number | undefined, fallback: number) => given ?? (free ? undefined : fallback);
  return [
    { what: 'the AWS endpoint', flag: '--port', port: ports.aws ?? DEFAULT_PORTS.aws },
    { what: 'the mailbox', flag: '--mailbox-port', port: asked(ports.mailbox, DEFAULT_PORTS.mailbox) },
    ...Object.entries(DEFAULT_STAND_IN_PORTS).map(([name, port]) => ({
      what: `the ${name} stand-in`,
      flag: `--${standInFlag(name)}`,
      port: asked(ports.standIns[name], port),
    })),
    { what: 'the guest site', flag: '--guest-site-port', port: asked(ports.guestSite, DEFAULT_PORTS.guestSite) },
    { what: 'the webhook', flag: '--webhook-port', port: asked(ports.webhook, DEFAULT_PORTS.webhook) },
  ];
}

/** What to say when a port is taken: which server wanted it, the flag that moves it, and --port 0. */
export function portClashMessage(port: number | undefined, ports: StartArgs['ports']): string {
  const choice = portChoices(ports).find((c) => c.port !== undefined && c.port === port);
  const who = choice ? ` (${choice.what})` : '';
  const move = choice ? `move it with ${choice.flag} <port>, or ` : '';
  return (
    `charterflow start: port ${port}${who} is in use (another stack running?): ` +
    `${move}give --port 0 for free ports everywhere (npm start -- --port 0)`
  );
}

/** The banner's sample: the confirmed booking under an id no stack has seen, so it always sets off the chain. */
export function sampleCurl(webhookUrl: string, bookingId = freshBookingId()): string {
  const { headers, body } = signedSample({ body: JSON.stringify(bookingConfirmedAs(bookingId)) });
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  return [
    `curl -i -X POST ${webhookUrl}/webhooks/boatsetter`,
    ...Object.entries(headers).map(([name, value]) => `  -H ${quote(`${name}: ${value}`)}`),
    `  --data ${quote(body)}`,
  ].join(' \\\n');
}

function modeLines(stack: LocalStack, packageDir: string | undefined): string[] {
  if (stack.mode === 'source')
    return ['  mode                   source (the TypeScript, all functions in this process)', ''];
  const functions = stack.wiring.model.functions;
  return [
    `  mode                   packaged: ${packageDir} (each function alone, on its runtime's Node)`,
    ...functions.map((fn) => `    ${fn.name.padEnd(36)} ${fn.runtime}, ${fn.memoryMb} MB, ${fn.timeoutSeconds} s`),
    '  not emulated (in the template, not run here):',
    ...notEmulated(stack.wiring.model).map((line) => `    ${line}`),
  ];
}

/** Whether the writes to the systems we do not own go out (live) or are kept back and recorded (shadow). */
export function shadowLine(shadow: boolean): string {
  const label = '  writes                 ';
  return shadow
    ? `${label}shadow: JADA, SCC, the guest site and the mailbox get none; each is recorded (npx charterflow shadow-report)`
    : `${label}live: JADA, SCC, the guest site and the mailbox get every write (--shadow keeps them back)`;
}

/** Whether this run checks each function's calls against its role: the stack says, through `iam` when it has one. */
export function iamLine(stack: Pick<LocalStack, 'mode'> & { iam?: unknown }, iamAsked: boolean): string {
  const label = '  IAM                    ';
  if (stack.iam !== undefined)
    return `${label}enforced: each function may make only the calls its role's policies allow (--no-iam turns it off)`;
  if (stack.mode === 'source') return `${label}not enforced (source mode: every function signs as this one process)`;
  return iamAsked ? `${label}not enforced` : `${label}not enforced for this run (--no-iam)`;
}

export function banner(
  stack: LocalStack,
  options: {
    dataDir: string | undefined;
    packageDir: string | undefined;
    iam: boolean;
    shadow?: boolean;
    /** off: the demo, whose own lines are the story. */
    logs: StartArgs['logs'] | 'off';
  },
  sampleBookingId = freshBookingId(),
): string {
  const { endpoints } = stack;
  const { guestSiteBucket, guestSiteDistributionId, legacyBucket } = stack.wiring.params;
  const lines = [
    `charterflow local stack ready in ${stack.startupMs} ms${options.dataDir ? ` (state in ${options.dataDir})` : ' (ephemeral: nothing kept)'}`,
    '',
    ...modeLines(stack, options.packageDir),
    iamLine(stack, options.iam),
    shadowLine(options.shadow === true),
    '',
    `  AWS endpoint           ${endpoints.aws}   (DynamoDB, S3, EventBridge, SQS, Secrets Manager, CloudFront)`,
    `  webhook                ${endpoints.webhook}/webhooks/boatsetter`,
    `  guest site             ${endpoints.guestSite}/g/XHQGMDH   (CloudFront ${guestSiteDistributionId}, bucket ${guestSiteBucket})`,
    `  mailbox                ${endpoints.mailbox}   (SES v2 for guest-mail: every mail sent, GET /store as JSON)`,
    ...Object.entries(endpoints.standIns).map(([name, url]) => `  ${`${name} stand-in`.padEnd(22)} ${url}`),
    `  legacy bucket          ${legacyBucket}`,
    '',
    'Use it from another shell:',
    `  export AWS_ENDPOINT_URL=${endpoints.aws} AWS_REGION=us-west-2 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local${stack.wiring.stage === LOCAL_STAGE ? '' : ` CHARTERFLOW_STAGE=${stack.wiring.stage}`}`,
    '  npx charterflow tail          # every event crossing the bus',
    '',
    'Dev secrets (Secrets Manager, local values only):',
    ...Object.values(secretNames).map((name) => `  ${name}`),
    '',
    `Send the sample booking as booking ${sampleBookingId}, signed (a new id at each start: the same one again is a`,
    'duplicate, answered 202 with "duplicate": true, and sets off nothing). The signature is valid for 5 minutes:',
    'after that, run `npx charterflow send-sample` or restart to print a fresh line.',
    sampleCurl(endpoints.webhook, sampleBookingId),
    '',
    {
      readable: 'Logs: one line per event and per downstream call (--json-logs: the JSON lines Lambda gets).',
      json: 'Logs: the functions\u2019 JSON lines, as Lambda gets them (--readable-logs: one line per event and call).',
      off: 'Logs: off while the demo tells the chain (npm start prints them).',
    }[options.logs],
    'Ctrl-C stops the stack.',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = parseStartArgs(process.argv.slice(2));
  if (args === 'help') {
    console.log(startHelp);
    return;
  }
  let packageDir = args.packageDir && resolve(args.packageDir);
  if (args.packaged) {
    packageDir = join(args.dataDir ?? mkdtempSync(join(tmpdir(), 'charterflow-')), 'package');
    console.log(`packaging the ${LOCAL_STAGE} stage (serverless package) into ${packageDir} ...`);
    const { ms } = await packageStage(LOCAL_STAGE, packageDir);
    console.log(`packaged in ${(ms / 1000).toFixed(1)} s`);
  }
  const readable = args.logs === 'readable' && !args.demo;
  const restoreStreams = readable ? readLogsAsPeople() : undefined;
  const stackOptions: StackOptions = {
    ephemeral: args.ephemeral,
    dataDir: args.dataDir,
    ...(packageDir ? { packageDir } : {}),
    ports: args.ports,
    log: !args.demo,
    // The stack's own default otherwise: on in packaged mode, which alone can tell the functions apart.
    ...(args.iam ? {} : { iam: false }),
    ...crashTestingFromEnv(),
    // As a stage deployed with the param `mode: shadow` has it in every function's environment.
    ...(args.shadow ? { functionEnvironment: { CHARTERFLOW_MODE: 'shadow' } } : {}),
  };
  let stack: LocalStack;
  try {
    stack = await startStack(stackOptions);
  } catch (error) {
    restoreStreams?.();
    throw error;
  }
  // Ctrl-C is ours from the moment the stack runs: a signal that came between the banner and a later
  // registration would kill the process with the stack's children and state left behind.
  let stopFollowing: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = async () => {
    // A second Ctrl-C does not wait for a stop that hangs.
    if (stopping) process.exit(130);
    stopping = true;
    console.log('\nstopping the local stack...');
    await stopFollowing?.();
    await stack.stop();
    console.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());

  // The tap is up before the banner says the stack is ready: the first curl's events all have their lines.
  stopFollowing = readable ? await followTheBus(stack, (line) => console.log(line)) : undefined;
  const logs = args.demo ? 'off' : args.logs;
  if (!readable && args.dataDir && (await clearStartTap(stack)))
    console.log('removed the bus tap a killed npm start left (rule and queue charterflow-start-log)');
  console.log(banner(stack, { dataDir: args.dataDir, packageDir, iam: args.iam, shadow: args.shadow, logs }));

  if (args.demo) {
    console.log('');
    await runDemo(stack);
    console.log('\nThe stack stays up. Ctrl-C stops it.');
  }
}

const runAsScript = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runAsScript) {
  main().catch((error: unknown) => {
    if (error instanceof StartUsageError) {
      console.error(`charterflow start: ${error.message}`);
      process.exit(2);
    }
    const { code, port } = error as NodeJS.ErrnoException & { port?: number };
    if (code === 'EADDRINUSE') {
      const argv = parseStartArgs(process.argv.slice(2));
      console.error(portClashMessage(port, argv === 'help' ? { standIns: {} } : argv.ports));
      process.exit(1);
    }
    console.error(`charterflow start: ${(error as Error).message ?? String(error)}`);
    process.exit(1);
  });
}
