import { describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { functionNameOf, LocalLambda } from '../../../local/lambda';

const arn = 'arn:aws:lambda:us-west-2:000000000000:function:charterflow-local-calendar';

describe('LocalLambda', () => {
  it('invokes the registered handler with a copy of the event and a Lambda context', async () => {
    const lambda = new LocalLambda({ region: 'us-west-2', accountId: '000000000000' });
    const seen: Array<{ event: unknown; context: Context }> = [];
    lambda.register('charterflow-local-calendar', () =>
      Promise.resolve((event, context) => {
        seen.push({ event, context });
        (event as { detail: { touched?: boolean } }).detail.touched = true;
        return Promise.resolve();
      }),
    );
    const event = { id: 'e1', detail: { bookingId: 'XHQGMDH' } };
    await lambda.invoke(arn, event);

    expect(seen).toHaveLength(1);
    expect(seen[0]!.event).toEqual({ id: 'e1', detail: { bookingId: 'XHQGMDH', touched: true } });
    // The handler got its own copy, as Lambda deserialises the payload.
    expect(event.detail).toEqual({ bookingId: 'XHQGMDH' });
    const context = seen[0]!.context;
    expect(context).toMatchObject({
      functionName: 'charterflow-local-calendar',
      functionVersion: '$LATEST',
      invokedFunctionArn: arn,
      logGroupName: '/aws/lambda/charterflow-local-calendar',
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('loads a handler once (cold start) and reuses it (warm)', async () => {
    const lambda = new LocalLambda();
    let loads = 0;
    let calls = 0;
    lambda.register('fn', () => {
      loads++;
      return Promise.resolve(() => {
        calls++;
        return Promise.resolve();
      });
    });
    await Promise.all([
      lambda.invoke('fn', {}),
      lambda.invoke('fn', {}),
      lambda.invoke(`${arn.replace('charterflow-local-calendar', 'fn')}`, {}),
    ]);
    expect(loads).toBe(1);
    expect(calls).toBe(3);
  });

  it('tries a failed load again on the next invocation', async () => {
    const lambda = new LocalLambda();
    let loads = 0;
    lambda.register('flaky', () => {
      loads++;
      if (loads === 1) return Promise.reject(new SyntaxError('Unexpected token'));
      return Promise.resolve(() => Promise.resolve('ok'));
    });
    await expect(lambda.invoke('flaky', {})).rejects.toThrow('Unexpected token');
    await expect(lambda.invokeWithResult('flaky', {})).resolves.toBe('ok');
  });

  it('throws what the handler throws', async () => {
    const lambda = new LocalLambda();
    lambda.register('fails', () => Promise.resolve(() => Promise.reject(new Error('SCC answered 403'))));
    await expect(lambda.invoke('fails', {})).rejects.toThrow('SCC answered 403');
  });

  it('fails an invocation that outlives the timeout, like Lambda', async () => {
    const lambda = new LocalLambda({ timeoutMs: 20 });
    lambda.register('slow', async () => () => new Promise(() => {}));
    await expect(lambda.invoke('slow', {})).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
  });

  it('answers ResourceNotFoundException for a function that is not registered', async () => {
    const lambda = new LocalLambda();
    await expect(lambda.invoke(arn, {})).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
    expect(lambda.has(arn)).toBe(false);
  });

  it('runs at most its concurrency of one function at once; the rest wait outside the timeout', async () => {
    const lambda = new LocalLambda({ concurrency: 3, timeoutMs: 1_000 });
    let running = 0;
    let most = 0;
    const gates: Array<() => void> = [];
    lambda.register('charterflow-local-calendar', async () => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
    });
    const all = Promise.all(Array.from({ length: 10 }, () => lambda.invoke(arn, {})));
    // Open the gates as executions arrive, a few at a time, until all ten have run.
    for (let opened = 0; opened < 10; ) {
      await new Promise((resolve) => setImmediate(resolve));
      while (gates.length) {
        gates.shift()!();
        opened++;
      }
    }
    await all;
    expect(most).toBe(3);
  });

  it('lets other functions run while one is at its limit', async () => {
    const lambda = new LocalLambda({ concurrency: 1 });
    let release!: () => void;
    lambda.register(
      'charterflow-local-calendar',
      async () => () => new Promise<void>((resolve) => (release = resolve)),
    );
    lambda.register('charterflow-local-crew', async () => async () => 'crew ran');
    const calendar = lambda.invoke(arn, {});
    await expect(lambda.invokeWithResult('charterflow-local-crew', {})).resolves.toBe('crew ran');
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await calendar;
  });

  it('reads the function name from names, ARNs and qualified ARNs', () => {
    expect(functionNameOf('charterflow-local-crew')).toBe('charterflow-local-crew');
    expect(functionNameOf(arn)).toBe('charterflow-local-calendar');
    expect(functionNameOf(`${arn}:live`)).toBe('charterflow-local-calendar');
  });
});
