import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMissingCredentials, missingCredentialsHelp } from './credentials';
import { UsageError } from './usage-error';

/**
 * `npx charterflow <command>`: one dispatcher, commands registered in the list below. A command module is
 * loaded only when used, so one command's dependencies never slow another's start.
 */

export interface Command {
  /** Full usage text, printed by --help. */
  help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  {
    name: 'send-sample',
    summary: 'sign the sample Boatsetter booking with the local secret and post it to the webhook',
    load: async () => {
      const m = await import('./send-sample');
      return { help: m.sendSampleHelp, run: (argv) => m.runSendSample(argv) };
    },
  },
  {
    name: 'tail',
    summary: 'print the events crossing the bus, live',
    load: async () => {
      const m = await import('./tail');
      return { help: m.tailHelp, run: m.runTail };
    },
  },
  {
    name: 'graph',
    summary: 'write the event-flow diagram into README.md, from the declarations',
    load: async () => {
      const m = await import('./graph');
      return { help: m.graphHelp, run: (argv) => m.runGraph(argv) };
    },
  },
  {
    name: 'new',
    summary: 'scaffold a new consumer: new consumer <name> --on <DetailType>',
    load: async () => {
      const m = await import('./new-consumer');
      return {
        help: m.newConsumerHelp,
        run: (argv) => m.runNewConsumer(argv[0] === 'consumer' ? argv.slice(1) : argv),
      };
    },
  },
  {
    name: 'replay',
    summary: 'replay a time window of the archive (all consumers or one)',
    load: async () => {
      const m = await import('./replay');
      return { help: m.replayHelp, run: (argv) => m.runReplay(argv) };
    },
  },
  {
    name: 'status',
    summary: "a booking's timeline across the chain; without an id, recent bookings and stuck ones",
    load: async () => {
      const m = await import('./status');
      return { help: m.statusHelp, run: (argv) => m.runStatus(argv) };
    },
  },
  {
    name: 'stats',
    summary: 'booking-to-page latency over the last N bookings, from the ledger',
    load: async () => {
      const m = await import('./stats');
      return { help: m.statsHelp, run: (argv) => m.runStats(argv) };
    },
  },
  {
    name: 'dlq',
    summary: 'list the dead letters of every consumer, with error and booking id',
    load: async () => {
      const m = await import('./dlq');
      return { help: m.dlqHelp, run: (argv) => m.runDlq(argv) };
    },
  },
  {
    name: 'forget',
    summary: "erase a renter's personal data from our stores, and say what remains elsewhere",
    load: async () => {
      const m = await import('./forget');
      return { help: m.forgetHelp, run: (argv) => m.runForget(argv) };
    },
  },
  {
    name: 'preflight',
    summary: 'check, read-only, every prerequisite of a stage the deploy does not create, each with its fix',
    load: async () => {
      const m = await import('./preflight');
      return { help: m.preflightHelp, run: (argv) => m.runPreflight(argv) };
    },
  },
  {
    name: 'shadow-report',
    summary: 'for a stage in shadow mode: where charterflow would write otherwise than JADA and SCC hold',
    load: async () => {
      const m = await import('./shadow-report');
      return { help: m.shadowReportHelp, run: (argv) => m.runShadowReport(argv) };
    },
  },
  {
    name: 'smoke',
    summary: 'send a synthetic booking through the deployed chain, cancel and forget it; exit 0 if all held',
    load: async () => {
      const m = await import('./smoke');
      return { help: m.smokeHelp, run: (argv) => m.runSmoke(argv) };
    },
  },
  {
    name: 'redrive',
    summary: 'send dead-lettered events back to the consumer that failed them',
    load: async () => {
      const m = await import('./redrive');
      return { help: m.redriveHelp, run: (argv) => m.runRedrive(argv) };
    },
  },
  {
    name: 'adopt',
    summary: 'link the JADA entries and SCC events the hand-made Lambdas made for upcoming trips to their bookings',
    load: async () => {
      const m = await import('./adopt');
      return { help: m.adoptHelp, run: (argv) => m.runAdopt(argv) };
    },
  },
  {
    name: 'seed-legacy',
    summary: 'local only: JADA entries and SCC crew events for upcoming bookings, as the hand-made Lambdas made them',
    load: async () => {
      const m = await import('./seed-legacy');
      return { help: m.seedLegacyHelp, run: (argv) => m.runSeedLegacy(argv) };
    },
  },
];

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: npx charterflow <command> [options]   (--help after a command for its options)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Target: --local for the local stack (npm start, http://127.0.0.1:4566; AWS_ENDPOINT_URL also works), --stage NAME',
    'for a deployed stage; each command prints its target on stderr first.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    console.error(`charterflow: unknown command "${name}" (commands: ${commands.map((c) => c.name).join(', ')})`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
      console.error(`charterflow ${name}: ${(error as Error).message}`);
      return 2;
    }
    if (isMissingCredentials(error)) {
      console.error(`charterflow ${name}: ${missingCredentialsHelp}`);
      return 2;
    }
    console.error(`charterflow ${name}: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

// Run directly (npm run charterflow -- <command>), not when imported by bin/charterflow.mjs or tests.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    // main answers every command error itself; this is what escaped it, printed with its stack.
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
