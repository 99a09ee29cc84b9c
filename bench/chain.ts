import { cloudFrontClient, documentClient, s3Client, secretsManagerClient } from '../shared/aws';
import { createLogger } from '../shared/logger';
import { SecretCache } from '../shared/secrets';
import { jadaCalendarApi } from '../services/calendar/jada-calendar-api';
import { sccApi } from '../services/crew/scc-api';
import { guestSiteFromEnvironment } from '../services/guest-page/publish';
import { toBookingSnapshot } from '../services/webhook/booking';
import { bookingConfirmedAs } from '../samples';
import { bookingDetailsOf } from '../services/webhook/booking';
import { directOrchestration, type DirectDeps } from './direct-orchestration';
import type { AwsCall } from './cost';
import { measured, type BenchStack } from './harness';
import { inPool } from './stats';

export interface RunFigures {
  bookings: number;
  concurrency: number;
  /** Per booking, in ms. */
  latencies: number[];
  /** Bookings finished per second, first start to last finish. */
  throughput: number;
  /** CPU time of this process (stack, consumers, stand-ins: all in it) per booking, user + system, in ms. */
  cpuMsPerBooking: number;
  bookingIds: string[];
}

/** The direct baseline's one function per booking: its duration and AWS calls (for the cost figure). */
export interface DirectRunFigures extends RunFigures {
  invocations: { consumer: string; totalMs: number; downstreamMs: number; calls: AwsCall[] }[];
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

/** Bookings through the choreography: from the webhook's 202 to GuestPagePublished crossing the bus. */
export function runChain(bench: BenchStack, bookings: number, concurrency: number): Promise<RunFigures> {
  const ids = Array.from({ length: bookings }, () => bench.nextBookingId());
  return timedRun(bench, ids, concurrency, async (id) => {
    const acceptedAt = await bench.send(id);
    return (await bench.published(id)) - acceptedAt;
  });
}

/**
 * Changes of bookings already published, one at a time: from the change's 202 at the webhook to the booking's
 * GuestPageUpdated crossing the bus. The same path as a new booking's (webhook, calendar, crew, guest page),
 * each step now an update of what it made.
 */
export function runChanges(bench: BenchStack, bookingIds: readonly string[], concurrency: number): Promise<RunFigures> {
  return timedRun(bench, bookingIds, concurrency, async (id) => {
    const acceptedAt = await bench.sendChange(id);
    return (await bench.updated(id)) - acceptedAt;
  });
}

/** Latency of each booking, throughput, and the process's CPU per booking, `concurrency` bookings in flight. */
async function timedRun(
  bench: BenchStack,
  ids: readonly string[],
  concurrency: number,
  latencyOf: (id: string) => Promise<number>,
): Promise<RunFigures> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const latencies = await inPool(ids, concurrency, latencyOf);
  const seconds = (performance.now() - started) / 1000;
  // The ledger and the scrub may still be finishing the last bookings: their work counts too.
  await bench.stack.eventBridge.idle();
  return {
    bookings: ids.length,
    concurrency,
    latencies,
    throughput: ids.length / seconds,
    cpuMsPerBooking: cpuMs(cpu) / ids.length,
    bookingIds: [...ids],
  };
}

/** The same downstream calls, made in sequence by one function (the "before"), with the same clients and stand-ins. */
export function directDeps(): DirectDeps & { destroy(): void } {
  const secrets = new SecretCache(secretsManagerClient());
  const documents = documentClient();
  const s3 = s3Client();
  const cloudFront = cloudFrontClient();
  return {
    jada: jadaCalendarApi(secrets),
    scc: sccApi(secrets),
    documents,
    s3,
    cloudFront,
    site: () => Promise.resolve(guestSiteFromEnvironment()),
    logger: createLogger('direct-orchestration'),
    destroy: () => {
      documents.destroy();
      s3.destroy();
      cloudFront.destroy();
    },
  };
}

export async function runDirect(
  bench: BenchStack,
  deps: DirectDeps,
  bookings: number,
  concurrency: number,
): Promise<DirectRunFigures> {
  const ids = Array.from({ length: bookings }, () => bench.nextBookingId());
  const cpu = process.cpuUsage();
  const started = performance.now();
  const invocations: DirectRunFigures['invocations'] = [];
  const latencies = await inPool(ids, concurrency, async (id) => {
    const payload = bookingConfirmedAs(id);
    const booking = toBookingSnapshot(payload);
    const { totalMs, downstreamMs, calls } = await measured(() =>
      directOrchestration(booking, bookingDetailsOf(payload), deps),
    );
    invocations.push({ consumer: 'direct-orchestration', totalMs, downstreamMs, calls });
    return totalMs;
  });
  const throughput = bookings / ((performance.now() - started) / 1000);
  return {
    bookings,
    concurrency,
    latencies,
    throughput,
    cpuMsPerBooking: cpuMs(cpu) / bookings,
    bookingIds: ids,
    invocations,
  };
}
