import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { discoverServices } from '../deploy/discover';
import { startStack } from '../local/charterflow/stack';
import { httpApiEvent } from '../local/charterflow/webhook-route';
import type { DetailType } from '../shared/contract/events';
import { secretNames } from '../shared/config';
import { signedDelivery } from '../shared/signed-delivery';
import { SecretCache } from '../shared/secrets';
import { documentClient, secretsManagerClient } from '../shared/aws';
import { PrivateRecords } from '../shared/private-records';
import { crewEventRequest } from '../services/crew/crew-event';
import { sccApi } from '../services/crew/scc-api';
import { declaration as webhookDeclaration } from '../services/webhook/declaration';
import { parseSecrets } from '../services/webhook/signature';
import { bookingConfirmedAs, bookingDetails, bookingSnapshot, eventEnvelope, eventMetadata } from '../samples';
import { createLogger } from '../shared/logger';
import { deployedNames } from '../shared/declaration';
import { median } from './stats';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

/** serverless.yml's custom.esbuild, as serverless-esbuild hands it to esbuild (test/bench checks they agree). */
export const lambdaBuildOptions: BuildOptions = {
  bundle: true,
  minify: true,
  treeShaking: true,
  sourcemap: true,
  sourcesContent: false,
  target: 'node22',
  platform: 'node',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire as __cfCreateRequire } from 'node:module'; const require = __cfCreateRequire(import.meta.url);",
  },
  external: [],
  metafile: true,
};

export interface BundleFigures {
  name: string;
  minifiedBytes: number;
  gzippedBytes: number;
  coldStartMs: { median: number; importMedian: number; firstEventMedian: number; runs: number[] };
  /** What the minified bytes are made of: the five largest packages (our own code as "charterflow"). */
  largest: { source: string; bytes: number }[];
}

/** Bytes in the output per package, from esbuild's metafile. */
export function bytesByPackage(inputs: Record<string, { bytesInOutput: number }>): { source: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const source = match ? match[1]! : 'charterflow';
    totals.set(source, (totals.get(source) ?? 0) + bytesInOutput);
  }
  return [...totals].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** One handler built as serverless-esbuild builds it; `largest` is what its minified bytes are made of. */
export async function buildBundle(name: string, outdir: string) {
  const plugins = createRequire(import.meta.url)(join(root, 'deploy', 'esbuild-plugins.cjs')) as Plugin[];
  const result = await build({
    ...lambdaBuildOptions,
    plugins,
    entryPoints: { handler: join(root, 'services', name, 'handler.ts') },
    outdir,
    logLevel: 'error',
  });
  const output = Object.entries(result.metafile?.outputs ?? {}).find(([file]) => file.endsWith('handler.mjs'))?.[1];
  return {
    bundle: join(outdir, 'handler.mjs'),
    largest: bytesByPackage(output?.inputs ?? {}).slice(0, 5),
    inputs: Object.keys(output?.inputs ?? {}),
  };
}

const envelope = (detailType: DetailType, detail: unknown, n: number) =>
  eventEnvelope(detailType, detail, {
    id: `bench-cold-${n}-${Date.now()}`,
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  });

/**
 * Builds every Lambda bundle with the deployment's esbuild options, weighs it, and times `runs` cold starts
 * of it in fresh Node processes against a local stack (no consumers subscribed: what the bundle emits goes
 * nowhere, so only the bundle's own start and first event are timed). Each run serves a new booking.
 */
export async function benchBundles(runs: number, log: (line: string) => void): Promise<BundleFigures[]> {
  const stack = await startStack({
    ephemeral: true,
    ports: { aws: 0, webhook: 0, guestSite: 0, standIns: {} },
    consumers: false,
    log: false,
  });
  const outRoot = mkdtempSync(join(tmpdir(), 'charterflow-bench-'));
  const secrets = new SecretCache(secretsManagerClient());
  const scc = sccApi(secrets);
  const privateRecords = new PrivateRecords(documentClient());
  const logger = createLogger('bench');
  try {
    const webhookSecret = parseSecrets(await secrets.get(secretNames.webhookSecret))[0]!;
    const services = (await discoverServices()).map((s) => s.name);
    const figures: BundleFigures[] = [];
    let n = 0;
    for (const name of services) {
      const { bundle, largest } = await buildBundle(name, join(outRoot, name));
      const minifiedBytes = statSync(bundle).size;
      const gzippedBytes = gzipSync(readFileSync(bundle)).length;
      const samples: { importMs: number; firstEventMs: number }[] = [];
      // The function's own variables from the template (no consumer runs here, so none reached process.env);
      // NODE_OPTIONS (source maps) left out, as source mode leaves it out: this figure stays what it always was.
      const { NODE_OPTIONS: _sourceMaps, ...functionEnv } =
        stack.wiring.model.functions.find((fn) => fn.name === deployedNames(name).functionName)?.environment ?? {};
      for (let i = 0; i < runs; i++) {
        const bookingId = `CS${String(++n).padStart(6, '0')}`;
        const event = await firstEventFor(name, bookingId, { webhookSecret, scc, privateRecords, logger, n });
        const eventFile = join(outRoot, `${name}-${i}.json`);
        writeFileSync(eventFile, JSON.stringify(event));
        // CHARTERFLOW_BENCH_CPU_PROF=<dir>: a V8 CPU profile of each cold start (import and first event), to read in DevTools.
        const profile = process.env.CHARTERFLOW_BENCH_CPU_PROF
          ? ['--cpu-prof', '--cpu-prof-interval=200', `--cpu-prof-dir=${process.env.CHARTERFLOW_BENCH_CPU_PROF}`]
          : [];
        const { stdout } = await run(
          process.execPath,
          [...profile, join(root, 'bench', 'cold-start.mjs'), bundle, eventFile],
          {
            env: {
              ...process.env,
              ...functionEnv,
              ...stack.env,
              POWERTOOLS_LOG_LEVEL: 'SILENT',
              NODE_NO_WARNINGS: '1',
            },
          },
        );
        samples.push(JSON.parse(stdout.trim().split('\n').pop()!));
      }
      const totals = samples.map((s) => s.importMs + s.firstEventMs);
      figures.push({
        name,
        largest,
        minifiedBytes,
        gzippedBytes,
        coldStartMs: {
          median: median(totals),
          importMedian: median(samples.map((s) => s.importMs)),
          firstEventMedian: median(samples.map((s) => s.firstEventMs)),
          runs: totals,
        },
      });
      log(
        `  ${name}: ${(minifiedBytes / 1024).toFixed(0)} KB minified, cold start ${median(totals).toFixed(0)} ms (median of ${runs})`,
      );
    }
    return figures;
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
    await stack.stop();
  }
}

export interface EventTools {
  webhookSecret: string;
  scc: ReturnType<typeof sccApi>;
  /** The booking's private record, written as the webhook would, for the consumers that read it. */
  privateRecords: PrivateRecords;
  logger: ReturnType<typeof createLogger>;
  n: number;
}

/** A first event that makes the function do its whole job for a booking it has never seen. */
export async function firstEventFor(service: string, bookingId: string, tools: EventTools): Promise<unknown> {
  const booking = bookingSnapshot({ bookingId });
  if (service === 'crew' || service === 'guest-mail')
    await tools.privateRecords.write(bookingId, booking.revision, bookingDetails());
  const metadata = (detailType: string) =>
    eventMetadata({
      bookingId,
      correlationId: `msg_bench${tools.n}`,
      causationId: `msg_bench${tools.n}`,
      idempotencyKey: `${bookingId}:r1:${detailType}`,
      occurredAt: new Date().toISOString(),
    });
  switch (service) {
    case 'webhook': {
      const delivery = signedDelivery(bookingConfirmedAs(bookingId), tools.webhookSecret);
      const url = new URL(webhookDeclaration.route.path, 'http://127.0.0.1');
      return httpApiEvent(
        { method: 'POST', url, headers: delivery.headers, body: Buffer.from(delivery.body) },
        webhookDeclaration,
      );
    }
    case 'calendar':
    case 'booking-ledger':
      return envelope('BookingReceived', { metadata: metadata('BookingReceived'), data: { booking } }, tools.n);
    case 'crew':
      return envelope(
        'CalendarEntryCreated',
        { metadata: metadata('CalendarEntryCreated'), data: { booking, calendarEntryId: `cal_bench${tools.n}` } },
        tools.n,
      );
    case 'scrub':
    case 'guest-page': {
      // Scrub needs the crew event to exist in SCC (with its revenue lines): create it as the crew consumer would.
      const calendarEntryId = `cal_bench${tools.n}`;
      const created = await tools.scc.createEvent(crewEventRequest(booking, bookingDetails(), calendarEntryId), {
        idempotencyKey: `${bookingId}:r1:CalendarEntryCreated`,
        bookingId,
        logger: tools.logger,
      });
      return envelope(
        'CrewEventCreated',
        { metadata: metadata('CrewEventCreated'), data: { booking, calendarEntryId, sccEventId: created.eventId } },
        tools.n,
      );
    }
    case 'guest-mail': {
      // A trip a month ahead: a trip already over gets no mail, and the mail is the whole job.
      const ahead = {
        ...booking,
        trip: {
          ...booking.trip,
          start: `${new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)}T17:00:00-08:00`,
        },
      };
      const data = { booking: ahead, url: `https://queenofsandiego.com/g/${bookingId}`, etag: 'bench' };
      return envelope('GuestPagePublished', { metadata: metadata('GuestPagePublished'), data }, tools.n);
    }
    default:
      throw new Error(`no first event known for services/${service}: add one to bench/bundles.ts`);
  }
}
