import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSecrets } from '../../services/webhook/signature';
import { region, secretNames } from '../../shared/config';
import { signedDelivery } from '../../shared/signed-delivery';
import { bookingCancelled, bookingConfirmedAs, bookingModified } from '../../samples';
import {
  captureLogs,
  startCalendarCrewStack,
  uniqueBookingId,
  type BusEvent,
  type CalendarCrewStack,
} from '../services/calendar/support';

/**
 * What an operator sees of one booking in the functions' output on the local stack: each consumer's EMF
 * metric lines (what CloudWatch would turn into metrics), and log lines that share the booking's trace
 * and correlation ids from the webhook to the guest page.
 */

const CONSUMERS = ['booking-ledger', 'calendar', 'crew', 'scrub', 'guest-page'];
type Line = Record<string, any>;

let env: CalendarCrewStack;
let logs: ReturnType<typeof captureLogs>;
let bookingId: string;
let changedBookingId: string;
let events: BusEvent[];

beforeAll(async () => {
  logs = captureLogs();
  env = await startCalendarCrewStack(CONSUMERS);
  const secrets = new SecretsManagerClient({ region: region(), endpoint: env.stack.endpoints.aws });
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  secrets.destroy();
  const secret = parseSecrets(SecretString!)[0]!;
  const send = async (payload: ReturnType<typeof bookingConfirmedAs>) => {
    const delivery = signedDelivery(payload, secret);
    const response = await fetch(new URL('/webhooks/boatsetter', env.stack.endpoints.webhook), {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    expect(response.status, await response.text()).toBe(202);
  };
  bookingId = uniqueBookingId('OBS');
  await send(bookingConfirmedAs(bookingId));
  events = await env.eventsOf(bookingId);
  // Another booking, confirmed, then changed, then cancelled: one revision each, for the webhook's counts.
  changedBookingId = uniqueBookingId('OBS');
  for (const payload of [bookingConfirmedAs(changedBookingId), bookingModified(), bookingCancelled()]) {
    payload.data.booking_id = changedBookingId;
    await send(payload);
    await env.busEvents();
  }
}, 60_000);

afterAll(async () => {
  await env?.stop();
  logs?.restore();
});

const emfLines = () =>
  logs.lines.filter((line: Line) => line._aws?.CloudWatchMetrics && line.bookingId === bookingId) as Line[];
const emfOf = (service: string) => emfLines().filter((line) => line.service === service);
const namesIn = (line: Line): string[] =>
  line._aws.CloudWatchMetrics.flatMap((set: { Metrics: { Name: string }[] }) => set.Metrics.map((m) => m.Name));
const traceRoot = (line: Line) => line.xray_trace_id as string | undefined;

describe('on the local stack, one booking', () => {
  it('reaches the guest page', () => {
    expect(events.map((e) => e['detail-type'])).toContain('GuestPagePublished');
  });

  it.each(CONSUMERS)(
    "gives %s's output an EMF line in namespace charterflow, dimension service, counting the event acted on",
    (service) => {
      const lines = emfOf(service);
      expect(lines.length, `${service} EMF lines`).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'charterflow', Dimensions: [['service']] });
        expect(line._aws.Timestamp).toEqual(expect.any(Number));
      }
      // A delivery that failed (the machine is busy, a downstream timed out) is retried: its line counts the failure.
      // booking-ledger hears every event of the booking; the others act on one each.
      expect(
        lines.filter((line) => line.eventsActedOn === 1),
        service,
      ).toHaveLength(service === 'booking-ledger' ? events.length : 1);
      for (const line of lines) expect(line.eventsActedOn ?? line.eventsFailed, service).toBe(1);
    },
  );

  it('counts the calls calendar, crew and guest-page waited on as downstream latency, one value per call', () => {
    for (const service of ['calendar', 'crew', 'guest-page']) {
      const line = emfOf(service).find((l) => l.eventsActedOn === 1);
      expect(namesIn(line!), service).toContain('downstreamLatency');
      const values = [line!.downstreamLatency].flat();
      expect(values.length, service).toBeGreaterThan(1);
      expect(
        values.every((v: unknown) => typeof v === 'number' && v >= 0),
        service,
      ).toBe(true);
    }
  });

  it("counts the booking received, changed and cancelled in the webhook's EMF lines, one line per revision", () => {
    const webhookEmf = (id: string) =>
      logs.lines.filter(
        (line: Line) => line._aws?.CloudWatchMetrics && line.service === 'webhook' && line.bookingId === id,
      ) as Line[];
    expect(webhookEmf(bookingId).map(namesIn)).toEqual([['bookingsReceived']]);
    expect(webhookEmf(changedBookingId).map(namesIn)).toEqual([
      ['bookingsReceived'],
      ['bookingsChanged'],
      ['bookingsCancelled'],
    ]);
    expect(webhookEmf(bookingId)[0]).toMatchObject({
      bookingsReceived: 1,
      xray_trace_id: expect.stringMatching(/^1-/),
    });
  });

  it('emits the booking-to-page latency from guest-page when the event carries the receipt time', () => {
    const crewEvent = events.find((e) => e['detail-type'] === 'CrewEventCreated')!;
    const receivedAt = (crewEvent.detail.metadata as { receivedAt?: string }).receivedAt;
    const line = emfOf('guest-page').find((l) => l.eventsActedOn === 1);
    if (receivedAt === undefined) {
      // Events from before the webhook stamped its receipt carry none: then there is nothing to measure.
      expect(namesIn(line!)).not.toContain('bookingToPageLatency');
    } else {
      expect(line!.bookingToPageLatency).toBeGreaterThanOrEqual(0);
      expect(line!.bookingToPageLatency).toBeLessThan(60_000);
    }
  });

  it("shares one trace and one correlation id across the booking's lines, from the webhook to the guest page, with the Lambda context on each", () => {
    const lines = logs.lines.filter((line: Line) => line.bookingId === bookingId) as Line[];
    const webhookLine = lines.find(
      (line) => line.service === 'charterflow.webhook' && line.message === 'webhook delivery accepted',
    );
    expect(webhookLine, 'the webhook logged the delivery').toBeDefined();
    const consumerLines = lines.filter(
      (line) => typeof line.service === 'string' && CONSUMERS.some((c) => line.service === `charterflow.${c}`),
    );
    const services = new Set(consumerLines.map((line) => line.service));
    expect([...services].sort()).toEqual(CONSUMERS.map((c) => `charterflow.${c}`).sort());

    const trace = traceRoot(webhookLine!);
    expect(trace).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    for (const line of [...consumerLines, ...emfLines()]) {
      expect(traceRoot(line), `${line.service}: ${line.message ?? 'EMF'}`).toBe(trace);
    }
    expect(new Set(consumerLines.map((line) => line.correlationId))).toEqual(
      new Set([events[0]!.detail.metadata.correlationId]),
    );
    for (const line of [webhookLine!, ...consumerLines]) {
      expect(line, line.service).toMatchObject({
        function_request_id: expect.any(String),
        function_name: expect.any(String),
        cold_start: expect.any(Boolean),
      });
    }
  });
});
