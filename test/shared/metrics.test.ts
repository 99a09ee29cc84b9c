import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { addBookingToPageLatency, metricNames, type InvocationMetrics } from '../../shared/metrics';
import { Publisher } from '../../shared/publisher';
import { currentTraceHeader } from '../../shared/tracing';
import { bookingSnapshot, eventMetadata } from '../../samples';

const recorder = () => {
  const added: { name: string; unit: string; value: number }[] = [];
  const metrics: InvocationMetrics = { addMetric: (name, unit, value) => added.push({ name, unit, value }) };
  return { added, metrics };
};

describe('the booking-to-page latency', () => {
  it("is the time from the webhook's receipt to now, in milliseconds", () => {
    const { added, metrics } = recorder();
    const latency = addBookingToPageLatency(
      metrics,
      { receivedAt: '2026-11-24T17:03:01.250Z' },
      new Date('2026-11-24T17:03:03.000Z'),
    );
    expect(latency).toBe(1_750);
    expect(added).toEqual([{ name: metricNames.bookingToPageLatency, unit: 'Milliseconds', value: 1_750 }]);
  });

  it('is not emitted for an event from before receivedAt existed, or with a receipt time that is not a date', () => {
    const { added, metrics } = recorder();
    expect(addBookingToPageLatency(metrics, eventMetadata())).toBeUndefined();
    expect(addBookingToPageLatency(metrics, { receivedAt: 'yesterday' })).toBeUndefined();
    expect(added).toEqual([]);
  });
});

describe('trace propagation', () => {
  const saved = process.env._X_AMZN_TRACE_ID;
  afterEach(() => {
    if (saved === undefined) delete process.env._X_AMZN_TRACE_ID;
    else process.env._X_AMZN_TRACE_ID = saved;
  });

  /** The PutEvents entries the publisher sends, caught before they leave (EventBridge is not ours to run here). */
  async function entriesPublished(): Promise<Record<string, unknown>[]> {
    const client = new EventBridgeClient({
      region: 'us-west-2',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const sent: Record<string, unknown>[] = [];
    client.middlewareStack.add(
      () => (args) => {
        const entries = (args.input as { Entries: Record<string, unknown>[] }).Entries;
        sent.push(...entries);
        return Promise.resolve({
          output: { $metadata: {}, FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `evt-${i}` })) },
          response: {},
        });
      },
      { step: 'initialize', name: 'catchPutEvents' },
    );
    await new Publisher(client, { busName: 'charterflow-test' }).publishOne('BookingReceived', {
      metadata: eventMetadata(),
      data: { booking: bookingSnapshot() },
    } as never);
    return sent;
  }

  it("sets each PutEvents entry's TraceHeader to the invocation's trace, so EventBridge passes it to the targets", async () => {
    process.env._X_AMZN_TRACE_ID = 'Root=1-6752f3a1-3c1f0b9e8d7a6b5c4d3e2f10;Parent=53995c3f42cd8ad8;Sampled=1';
    expect(currentTraceHeader()).toBe(process.env._X_AMZN_TRACE_ID);
    const [entry] = await entriesPublished();
    expect(entry!.TraceHeader).toBe('Root=1-6752f3a1-3c1f0b9e8d7a6b5c4d3e2f10;Parent=53995c3f42cd8ad8;Sampled=1');
  });

  it('sends no TraceHeader outside a traced invocation', async () => {
    delete process.env._X_AMZN_TRACE_ID;
    expect(currentTraceHeader()).toBeUndefined();
    const [entry] = await entriesPublished();
    expect(entry).not.toHaveProperty('TraceHeader');
  });
});
