import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { killMains, startMain, type Started } from './main-process';

/** `npm start` as a person runs it: the process, its banner, its curl line, its log lines and its errors. */

const dataDir = mkdtempSync(join(tmpdir(), 'charterflow-main-'));

afterAll(() => {
  killMains();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The banner's curl line, as fetch would send it. */
function curlOf(banner: string): { url: string; headers: Record<string, string>; body: string } {
  const url = /^curl -i -X POST (\S+)/m.exec(banner)![1]!;
  const headers = Object.fromEntries(
    [...banner.matchAll(/^ {2}-H '([^:]+): ([^']*)'/gm)].map((m) => [m[1]!, m[2]!] as [string, string]),
  );
  const body = /^ {2}--data '(.*)'$/m.exec(banner)![1]!;
  return { url, headers, body };
}

const post = async (curl: ReturnType<typeof curlOf>) => {
  const response = await fetch(curl.url, { method: 'POST', headers: curl.headers, body: curl.body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};

async function waitFor(started: Started, pattern: RegExp, what: string): Promise<void> {
  for (let i = 0; i < 300 && !pattern.test(started.output()); i++) await new Promise((r) => setTimeout(r, 100));
  if (!pattern.test(started.output())) throw new Error(`no ${what} in:\n${started.output()}`);
}

describe('npm start', () => {
  it('prints a curl line that sets off the chain after a restart on the same state, and says a resent one is a duplicate', async () => {
    const ids: string[] = [];
    for (let run = 0; run < 2; run++) {
      const stack = await startMain(['--data-dir', dataDir, '--port', '0']);
      try {
        const curl = curlOf(stack.output());
        const bookingId = (JSON.parse(curl.body) as { data: { booking_id: string } }).data.booking_id;
        ids.push(bookingId);
        expect(stack.output()).toContain(`Send the sample booking as booking ${bookingId}, signed`);
        const first = await post(curl);
        expect(first).toMatchObject({ status: 202, json: { bookingId } });
        expect(first.json.duplicate).toBeUndefined();
        const again = await post(curl);
        expect(again).toMatchObject({ status: 202, json: { bookingId, duplicate: true } });
        expect(String(again.json.message)).toContain(`was already accepted at ${again.json.acceptedAt}`);
        // Not a terminal: the JSON lines Lambda gets, as scripts and tests read them.
        await waitFor(stack, /"message":"webhook delivery duplicate"/, 'JSON line for the duplicate');
      } finally {
        expect(await stack.stop()).toBe(0);
      }
    }
    expect(ids[0]).not.toBe(ids[1]);
  }, 90_000);

  it('with readable logs, prints one line per event and per downstream call, and no JSON, email or phone', async () => {
    const stack = await startMain(['--ephemeral', '--port', '0', '--readable-logs']);
    try {
      const curl = curlOf(stack.output());
      const bookingId = (JSON.parse(curl.body) as { data: { booking_id: string } }).data.booking_id;
      expect((await post(curl)).status).toBe(202);
      await waitFor(
        stack,
        new RegExp(`${bookingId} +GuestPagePublished +charterflow\\.guest-page +\\+\\d+ ms after CrewEventCreated`),
        'GuestPagePublished line',
      );
      await waitFor(stack, /guest-mail -> SES SendEmail {2}confirmation mail sent/, 'mail line');
      const lines = stack.output().split('\n');
      const after = lines.slice(lines.findIndex((l) => l.startsWith('Ctrl-C stops the stack')) + 1);
      expect(after.filter((l) => l.startsWith('{'))).toEqual([]);
      expect(after).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            new RegExp(
              `^\\d{2}:\\d{2}:\\d{2}\\.\\d{3} +${bookingId} +webhook 202 accepted: BookingReceived, in \\d+ ms$`,
            ),
          ),
          expect.stringMatching(
            new RegExp(`${bookingId} +calendar -> jada-calendar createCalendarEntry {2}201 in \\d+ ms$`),
          ),
          expect.stringMatching(new RegExp(`${bookingId} +crew -> scc createCrewEvent {2}201 in \\d+ ms$`)),
          expect.stringMatching(
            new RegExp(`${bookingId} +CalendarEntryCreated +charterflow\\.calendar +\\+\\d+ ms after BookingReceived$`),
          ),
        ]),
      );
      const text = after.join('\n');
      for (const secret of ['dana@example.com', '+16195550100', 'whsec_']) expect(text).not.toContain(secret);
    } finally {
      expect(await stack.stop()).toBe(0);
    }
  }, 90_000);

  it('removes the bus tap a readable start left when it was killed, at the next start', async () => {
    const killedDir = mkdtempSync(join(tmpdir(), 'charterflow-main-killed-'));
    try {
      const killed = await startMain(['--data-dir', killedDir, '--port', '0', '--readable-logs']);
      killed.child.kill('SIGKILL');
      await killed.exited;
      const next = await startMain(['--data-dir', killedDir, '--port', '0']);
      try {
        await waitFor(next, /removed the bus tap a killed npm start left/, 'word of the removed tap');
        const aws = /^ {2}AWS endpoint +(\S+)/m.exec(next.output())![1]!;
        const sqs = new SQSClient({
          region: 'us-west-2',
          endpoint: aws,
          credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
        });
        const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'charterflow-start-log' }));
        sqs.destroy();
        expect(QueueUrls).toEqual([]);
      } finally {
        expect(await next.stop()).toBe(0);
      }
    } finally {
      rmSync(killedDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('names the flag that moves a port in use, and --port 0', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const stack = await startMain(['--ephemeral', '--port', '0', '--mailbox-port', String(port)], 'is in use');
      expect(await stack.exited).toBe(1);
      expect(stack.output()).toContain(
        `port ${port} (the mailbox) is in use (another stack running?): move it with --mailbox-port <port>, or give --port 0`,
      );
    } finally {
      taken.close();
    }
  }, 60_000);
});
