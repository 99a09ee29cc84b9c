import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { signedSample } from '../../../local/charterflow/seed';
import { startStack, type LocalStack } from '../../../local/charterflow/stack';
import { bookingConfirmedAs } from '../../../samples';
import { clientConfig } from '../support';

const root = fileURLToPath(new URL('../../..', import.meta.url));
let stack: LocalStack;

beforeAll(async () => {
  stack = await startStack({ ephemeral: true, ports: { aws: 0 }, backoff: { baseMs: 10, maxMs: 50 } });
  console.log(`full local stack (consumers and stand-ins) started in ${stack.startupMs} ms`);
});
afterAll(() => stack?.stop());

const deliver = (bookingId: string, headers?: Record<string, string>) => {
  const sample = signedSample({ body: JSON.stringify(bookingConfirmedAs(bookingId)) });
  return fetch(`${stack.endpoints.webhook}/webhooks/boatsetter`, {
    method: 'POST',
    headers: headers ?? sample.headers,
    body: sample.body,
  });
};

describe('the assembled local stack', () => {
  it('sets the environment service code reads, before any handler loads', () => {
    expect(process.env.AWS_ENDPOINT_URL).toBe(stack.endpoints.aws);
    expect(stack.env).toMatchObject({
      AWS_REGION: 'us-west-2',
      CHARTERFLOW_STAGE: 'local',
      GUEST_SITE_BASE_URL: stack.endpoints.guestSite,
    });
    expect(Object.keys(stack.endpoints.standIns).sort()).toEqual(['jada-calendar', 'scc']);
    expect(stack.env.JADA_CALENDAR_URL).toBe(stack.endpoints.standIns['jada-calendar']);
  });

  it('routes the declared HTTP route to the webhook handler, and nothing else', async () => {
    const unsigned = await deliver('NOSIG01', { 'content-type': 'application/json' });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(unsigned.status).toBeLessThan(500);
    expect((await fetch(`${stack.endpoints.webhook}/webhooks/other`, { method: 'POST' })).status).toBe(404);
    const accepted = await deliver('ROUTE01');
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ bookingId: 'ROUTE01' });
  });

  it('runs the chain to the guest page, served by the local guest site', async () => {
    expect((await deliver('CHAIN01')).status).toBe(202);
    await stack.eventBridge.idle();
    const page = await fetch(`${stack.endpoints.guestSite}/g/CHAIN01`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('JADA');
  });

  it('npx charterflow tail prints the events put on the bus, then removes its rule and queue', async () => {
    const tail: ChildProcess = spawn(process.execPath, ['bin/charterflow.mjs', 'tail'], {
      cwd: root,
      env: { ...process.env, ...stack.env },
    });
    let stdout = '';
    let stderr = '';
    tail.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    tail.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => tail.on('exit', (code) => resolve(code)));
    const until = async (check: () => boolean, what: string) => {
      for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!check()) throw new Error(`tail never ${what}; stdout: ${stdout} stderr: ${stderr}`);
    };
    try {
      await until(() => stderr.includes('tailing charterflow-local'), 'started');
      expect((await deliver('TAIL001')).status).toBe(202);
      await until(() => /BookingReceived\s+TAIL001\s+charterflow\.webhook/.test(stdout), 'printed BookingReceived');
    } finally {
      tail.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/tail stopped: temporary rule charterflow-tail-\S+ and queue charterflow-tail-\S+ removed/);
    expect(stack.queues.listQueues('charterflow-tail')).toEqual([]);
    const events = new EventBridgeClient(clientConfig(stack));
    const { Rules } = await events.send(
      new ListRulesCommand({ EventBusName: 'charterflow-local', NamePrefix: 'charterflow-tail' }),
    );
    expect(Rules ?? []).toEqual([]);
    events.destroy();
  });

  it('the CLI answers --help and refuses bad arguments with a one-line reason', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, ['bin/charterflow.mjs', ...args], {
          cwd: root,
          env: { ...process.env, ...stack.env },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('exit', (code) => resolve({ code, out, err }));
      });
    const [help, bad, unknown] = await Promise.all([
      run(['tail', '--help']),
      run(['tail', '--pattern', '{not json']),
      run(['nonsense']),
    ]);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: npx charterflow tail');
    expect(bad.code).toBe(2);
    expect(
      bad.err
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('charterflow')),
    ).toEqual([expect.stringMatching(/^charterflow tail: --pattern is not valid JSON/)]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "nonsense"');
  });
});
