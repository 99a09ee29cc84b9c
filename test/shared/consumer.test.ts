import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { consumer, consumerOutcomeOf, parseConsumedEvent, type ConsumerOutcome } from '../../shared/consumer';
import { HttpClient } from '../../shared/http-client';
import { MetricUnit } from '../../shared/metrics';
import { defineConsumer, eventPatternOf } from '../../shared/declaration';
import { ContractViolation } from '../../shared/contract/validate';
import { bookingSnapshot, eventEnvelope, eventMetadata } from '../../samples';

const declaration = defineConsumer({
  name: 'calendar-test',
  description: 'test consumer',
  consumes: ['BookingReceived'],
  emits: ['CalendarEntryCreated'],
});

const envelope = (detail: unknown, detailType = 'BookingReceived', extra: Record<string, unknown> = {}) =>
  eventEnvelope(detailType, detail, extra);

const goodDetail = () => ({ metadata: eventMetadata(), data: { booking: bookingSnapshot() } });
const context = { functionName: 'charterflow-local-calendar-test', awsRequestId: 'req-1' } as Context;

describe('the consumer wrapper', () => {
  it('hands the action a parsed, typed event', async () => {
    const act = vi.fn(async () => {});
    await consumer(declaration, act)(envelope(goodDetail(), 'BookingReceived', { 'replay-name': 'r-1' }), context);
    expect(act).toHaveBeenCalledTimes(1);
    const [event] = act.mock.calls[0] as unknown as [
      { detail: { data: { booking: { bookingId: string } } }; replayName: string },
    ];
    expect(event.detail.data.booking.bookingId).toBe('XHQGMDH');
    expect(event.replayName).toBe('r-1');
  });

  it('rejects a malformed detail with an error naming the field, without acting', async () => {
    const detail = goodDetail() as any;
    delete detail.data.booking.trip.start;
    const act = vi.fn(async () => {});
    const error = await consumer(declaration, act)(envelope(detail), context).catch((e) => e);
    expect(error).toBeInstanceOf(ContractViolation);
    expect(error.message).toContain('data.booking.trip.start');
    expect(act).not.toHaveBeenCalled();
  });

  it('rejects a detail-type it did not declare', () => {
    expect(() => parseConsumedEvent(declaration, envelope(goodDetail(), 'CrewEventCreated'))).toThrow(
      /detail-type: CrewEventCreated is not one of BookingReceived/,
    );
  });

  it('rejects something that is not an EventBridge event', () => {
    expect(() => parseConsumedEvent(declaration, { hello: 'world' })).toThrow(
      /EventBridge event is invalid: .*detail-type/,
    );
  });

  it('lets the action fail the invocation, so EventBridge retries and dead-letters it', async () => {
    const failing = consumer(declaration, () => Promise.reject(new Error('JADA calendar answered 500')));
    await expect(failing(envelope(goodDetail()), context)).rejects.toThrow('JADA calendar answered 500');
  });
});

/** Runs `run` and returns what went to stdout, as JSON lines: the log lines and the EMF metric lines. */
async function outputOf(run: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await run().catch(() => undefined);
  } finally {
    spy.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

const emfLinesOf = (lines: Record<string, any>[]) => lines.filter((line) => line._aws?.CloudWatchMetrics);
const metricNamesOf = (emf: Record<string, any>) =>
  emf._aws.CloudWatchMetrics.flatMap((set: { Metrics: { Name: string }[] }) => set.Metrics.map((m) => m.Name));

describe('the consumer wrapper, in metrics and logs', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it.each<[ConsumerOutcome | undefined, string]>([
    [undefined, 'eventsActedOn'],
    ['acted', 'eventsActedOn'],
    ['emitted-only', 'eventsActedOn'],
    ['duplicate', 'eventsSkippedAsDuplicate'],
    ['stale', 'eventsSkippedAsStale'],
    ['skipped', 'eventsSkipped'],
  ])(
    'counts an action that returns %s as %s, in one EMF line of namespace charterflow with dimension service',
    async (outcome, metric) => {
      const handler = consumer(declaration, async () => (outcome ? { outcome } : undefined));
      const [emf, ...more] = emfLinesOf(await outputOf(() => handler(envelope(goodDetail()), context)));
      expect(more).toEqual([]);
      expect(emf!._aws.CloudWatchMetrics).toEqual([
        { Namespace: 'charterflow', Dimensions: [['service']], Metrics: [{ Name: metric, Unit: 'Count' }] },
      ]);
      expect(emf).toMatchObject({
        service: 'calendar-test',
        [metric]: 1,
        bookingId: 'XHQGMDH',
        correlationId: 'msg_2pLq8Vn4Xc7bQe1',
      });
    },
  );

  it("puts an AWS error's code in front of its message, the one part of the error Lambda's dead letter keeps", async () => {
    const { DynamoDBServiceException } = await import('@aws-sdk/client-dynamodb');
    const refused = new DynamoDBServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'User: arn:aws:sts::000000000000:assumed-role/r/f is not authorized to perform: dynamodb:Query',
    });
    const error = await consumer(declaration, () => Promise.reject(refused))(envelope(goodDetail()), context).catch(
      (e: Error) => e,
    );
    expect(error).toBe(refused);
    expect((error as Error).message).toBe(
      'AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/r/f is not authorized to perform: dynamodb:Query',
    );
    const plain = await consumer(declaration, () => Promise.reject(new Error('JADA calendar answered 500')))(
      envelope(goodDetail()),
      context,
    ).catch((e: Error) => e);
    expect((plain as Error).message).toBe('JADA calendar answered 500');
  });

  it('counts a failed invocation and still flushes what the action added before it failed', async () => {
    const handler = consumer(declaration, (_event, { metrics }) => {
      metrics.addMetric('doubleBookingsDetected', MetricUnit.Count, 1);
      return Promise.reject(new Error('JADA calendar answered 500'));
    });
    const [emf] = emfLinesOf(await outputOf(() => handler(envelope(goodDetail()), context)));
    expect(metricNamesOf(emf!).sort()).toEqual(['doubleBookingsDetected', 'eventsFailed']);
  });

  it('counts a malformed event as failed', async () => {
    const detail = goodDetail() as any;
    delete detail.data.booking.trip.start;
    const [emf] = emfLinesOf(await outputOf(() => consumer(declaration, async () => {})(envelope(detail), context)));
    expect(metricNamesOf(emf!)).toEqual(['eventsFailed']);
  });

  it("adds each downstream HTTP call's latency to the invocation's metrics", async () => {
    // The downstream is not ours: a server on 127.0.0.1 answering like it, in this unit test only.
    const calendar = createServer((_req, res) => res.writeHead(201).end(JSON.stringify({ entryId: 'cal_1' })));
    await new Promise<void>((resolve) => calendar.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      calendar.closeAllConnections();
      return new Promise<void>((resolve) => calendar.close(() => resolve()));
    });
    const jada = new HttpClient({
      service: 'jada-calendar',
      baseUrl: () => `http://127.0.0.1:${(calendar.address() as AddressInfo).port}/api`,
    });
    const handler = consumer(declaration, async (_event, { logger }) => {
      await jada.call({
        operation: 'createCalendarEntry',
        method: 'POST',
        path: '/entries',
        idempotencyKey: 'k',
        body: {},
        logger,
      });
      await jada.call({ operation: 'getCalendarEntry', method: 'GET', path: '/entries/cal_1', logger });
    });
    const [emf] = emfLinesOf(await outputOf(() => handler(envelope(goodDetail()), context)));
    expect(metricNamesOf(emf!).sort()).toEqual(['downstreamLatency', 'eventsActedOn']);
    expect(emf!.downstreamLatency).toHaveLength(2);
    expect(emf!._aws.CloudWatchMetrics[0].Metrics).toContainEqual({ Name: 'downstreamLatency', Unit: 'Milliseconds' });
  });

  it('writes nothing when POWERTOOLS_METRICS_DISABLED=true (the local stack without logs, the bench)', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const lines = await outputOf(() => consumer(declaration, async () => {})(envelope(goodDetail()), context));
    expect(emfLinesOf(lines)).toEqual([]);
  });

  it('puts the Lambda context and the X-Ray trace id on every log line, and the trace id on the EMF line', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    process.env._X_AMZN_TRACE_ID = 'Root=1-6752f3a1-3c1f0b9e8d7a6b5c4d3e2f10;Parent=53995c3f42cd8ad8;Sampled=1';
    const handler = consumer(declaration, (_event, { logger }) => {
      logger.info('calendar entry created');
      return Promise.resolve();
    });
    const lines = await outputOf(() =>
      handler(envelope(goodDetail()), { ...context, invokedFunctionArn: 'arn', memoryLimitInMB: '512' } as Context),
    );
    const log = lines.find((line) => line.message === 'calendar entry created');
    expect(log).toMatchObject({
      function_request_id: 'req-1',
      function_name: 'charterflow-local-calendar-test',
      cold_start: expect.any(Boolean),
      xray_trace_id: '1-6752f3a1-3c1f0b9e8d7a6b5c4d3e2f10',
      correlationId: 'msg_2pLq8Vn4Xc7bQe1',
      bookingId: 'XHQGMDH',
    });
    expect(emfLinesOf(lines)[0]).toMatchObject({
      xray_trace_id: '1-6752f3a1-3c1f0b9e8d7a6b5c4d3e2f10',
      function_request_id: 'req-1',
    });
  });

  it('keeps one logger and one metrics set per running invocation: own keys only, a cold start only the first', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const handler = consumer(declaration, async (_event, { logger, metrics }) => {
      await new Promise((resolve) => setImmediate(resolve));
      metrics.addMetric('bookingsReceived', MetricUnit.Count, 1);
      logger.info('calendar entry created');
    });
    const booking = (bookingId: string, extra: Record<string, unknown> = {}) =>
      envelope(
        { metadata: eventMetadata({ bookingId }), data: { booking: bookingSnapshot({ bookingId }) } },
        'BookingReceived',
        extra,
      );
    const run = (event: unknown, awsRequestId: string) => handler(event as never, { ...context, awsRequestId });
    const lines = await outputOf(async () => {
      await run(booking('COLD001', { 'replay-name': 'r-1' }), 'req-1');
      await run(booking('WARM002'), 'req-2');
      // Two at once, as the local stack runs them: the second gets a logger of its own.
      await Promise.all([run(booking('BOTH003'), 'req-3'), run(booking('BOTH004'), 'req-4')]);
    });
    const logs = lines.filter((line) => line.message === 'calendar entry created');
    expect(logs.map((l) => [l.bookingId, l.function_request_id, l.cold_start, l.replayName])).toEqual([
      ['COLD001', 'req-1', true, 'r-1'],
      ['WARM002', 'req-2', false, undefined],
      ['BOTH003', 'req-3', false, undefined],
      ['BOTH004', 'req-4', false, undefined],
    ]);
    expect(emfLinesOf(lines).map((emf) => [emf.bookingId, emf.function_request_id, emf.bookingsReceived])).toEqual([
      ['COLD001', 'req-1', 1],
      ['WARM002', 'req-2', 1],
      ['BOTH003', 'req-3', 1],
      ['BOTH004', 'req-4', 1],
    ]);
  });

  it("maps a step's outcome: a skipped step is a duplicate, nothing returned is acted on", () => {
    expect(consumerOutcomeOf({ outcome: 'skipped', result: {} })).toBe('duplicate');
    expect(consumerOutcomeOf({ outcome: 'emitted-only' })).toBe('emitted-only');
    expect(consumerOutcomeOf({ outcome: 'stale' })).toBe('stale');
    expect(consumerOutcomeOf(undefined)).toBe('acted');
  });
});

describe('a declaration', () => {
  it('yields the rule pattern: the consumed detail-types from their producers', () => {
    const both = defineConsumer({
      name: 'ledger-test',
      description: 'x',
      consumes: ['CrewEventCreated', 'BookingReceived'],
      emits: [],
    });
    expect(eventPatternOf(both)).toEqual({
      source: ['charterflow.crew', 'charterflow.webhook'],
      'detail-type': ['BookingReceived', 'CrewEventCreated'],
    });
  });
});
