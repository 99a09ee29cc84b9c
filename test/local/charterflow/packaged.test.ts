import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import yazl from 'yazl';
import { readZipEntries } from '../../../local/aws/cloudformation/package-dir';
import { startStack, type LocalStack } from '../../../local/charterflow/stack';
import type { IsolatedLambda } from '../../../local/lambda/isolated';
import { parseSecrets } from '../../../services/webhook/signature';
import { secretNames } from '../../../shared/config';
import { deployedNames } from '../../../shared/declaration';
import { signedDelivery } from '../../../shared/signed-delivery';
import { bookingConfirmedAs } from '../../../samples';
import { drain } from '../aws/eventbridge/helpers';
import { clientConfig } from '../support';

/**
 * What deploys, run locally: the `serverless package` output as it is (the packaged lane's global setup made it),
 * each function alone on the Node of its runtime. And three artifacts broken as a deploy can break them, each of
 * which fails locally with the error Lambda gives, its event in the function's dead-letter queue.
 */

const packageDir = inject('packageDir');
const scratch = mkdtempSync(join(tmpdir(), 'charterflow-broken-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ports = { aws: 0, webhook: 0, guestSite: 0, standIns: {} };

async function sendBooking(stack: LocalStack, bookingId: string): Promise<void> {
  const secrets = new SecretsManagerClient(clientConfig(stack));
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretNames.webhookSecret }));
  secrets.destroy();
  const delivery = signedDelivery(bookingConfirmedAs(bookingId), parseSecrets(SecretString!)[0]!);
  const response = await fetch(new URL('/webhooks/boatsetter', stack.endpoints.webhook), {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  expect(response.status, await response.text()).toBe(202);
}

async function deadLetters(stack: LocalStack, consumer: string) {
  await stack.eventBridge.idle();
  const sqs = new SQSClient(clientConfig(stack));
  try {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: deployedNames(consumer).deadLetterQueueName }),
    );
    return await drain(sqs, QueueUrl!);
  } finally {
    sqs.destroy();
  }
}

describe('the packaged artifact, as it deploys', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startStack({ packageDir, ephemeral: true, ports, log: false });
  }, 120_000);
  afterAll(() => stack?.stop());

  it('runs the booking through the chain, every function in processes of its own on Node 22', async () => {
    await sendBooking(stack, 'PKGNODE22');
    await stack.eventBridge.idle();
    const isolated = stack.functions as IsolatedLambda;
    const ran = stack.wiring.model.functions.flatMap((fn) => isolated.environments(fn.name));
    expect(ran.length).toBeGreaterThanOrEqual(stack.wiring.model.functions.length);
    for (const environment of ran) expect(environment.nodeVersion).toMatch(/^v22\./);
    expect(new Set(ran.map((e) => e.pid)).size).toBe(ran.length);
    for (const fn of stack.wiring.model.functions.filter((f) => f.deadLetterArn))
      expect(await deadLetters(stack, serviceOf(fn.name)), fn.name).toEqual([]);
  });
});

const serviceOf = (functionName: string) => functionName.replace(/^charterflow-local-/, '');

/** A copy of the package with one thing broken, as a bad build or a bad edit of the template would break it. */
function brokenCopy(name: string, breakIt: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = join(scratch, name);
    cpSync(packageDir, dir, { recursive: true });
    await breakIt(dir);
    return dir;
  };
}

const TEMPLATE = 'cloudformation-template-update-stack.json';
function editTemplate(dir: string, edit: (resources: Record<string, any>) => void): void {
  const template = JSON.parse(readFileSync(join(dir, TEMPLATE), 'utf8'));
  edit(template.Resources);
  writeFileSync(join(dir, TEMPLATE), JSON.stringify(template));
}

/** Writes the zip again with one entry changed. */
async function editZip(zipFile: string, entry: string, edit: (text: string) => string): Promise<void> {
  const entries = await readZipEntries(zipFile);
  const zip = new yazl.ZipFile();
  for (const [name, content] of entries)
    zip.addBuffer(name === entry ? Buffer.from(edit(content.toString('utf8'))) : content, name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  writeFileSync(zipFile, Buffer.concat(chunks));
}

const broken = [
  {
    what: 'a function whose template lost a variable it reads',
    make: brokenCopy('lost-variable', (dir) =>
      editTemplate(dir, (resources) => {
        delete resources.CalendarLambdaFunction.Properties.Environment.Variables.JADA_CALENDAR_URL;
      }),
    ),
    error: /configuration JADA_CALENDAR_URL is not set/,
    errorType: 'Error',
  },
  {
    what: 'a bundle that imports a module it does not hold',
    make: brokenCopy('missing-module', (dir) =>
      editZip(
        join(dir, 'calendar.zip'),
        'services/calendar/handler.mjs',
        (code) => `import 'charterflow-not-bundled';\n${code}`,
      ),
    ),
    error: /Cannot find (package|module) 'charterflow-not-bundled'/,
    errorType: 'Runtime.ImportModuleError',
  },
  {
    what: 'a handler name the bundle does not export',
    make: brokenCopy('wrong-handler', (dir) =>
      editTemplate(dir, (resources) => {
        resources.CalendarLambdaFunction.Properties.Handler = 'services/calendar/handler.handle';
      }),
    ),
    error: /services\/calendar\/handler\.handle is undefined or not exported/,
    errorType: 'Runtime.HandlerNotFound',
  },
];

describe('a broken artifact fails locally as it would in AWS, and its event reaches the dead-letter queue', () => {
  for (const { what, make, error, errorType } of broken) {
    it(what, async () => {
      const dir = await make();
      const stack = await startStack({
        packageDir: dir,
        ephemeral: true,
        ports,
        log: false,
        consumers: ['calendar'],
        backoff: { baseMs: 20, maxMs: 100 },
      });
      const failures: string[] = [];
      try {
        await sendBooking(stack, `PKGBROKEN${broken.findIndex((b) => b.what === what)}`);
        const letters = await deadLetters(stack, 'calendar');
        expect(letters).toHaveLength(1);
        const message = letters[0]!.MessageAttributes?.ErrorMessage?.StringValue ?? '';
        failures.push(message);
        expect(message).toMatch(error);
        // The bus keeps Lambda's message; the invoke itself says which error Lambda reported.
        const calendar = stack.wiring.model.functions.find((fn) => fn.name === deployedNames('calendar').functionName)!;
        await expect(stack.functions.invoke(calendar.arn, JSON.parse(letters[0]!.Body!))).rejects.toMatchObject({
          name: errorType,
          message: expect.stringMatching(error),
        });
      } finally {
        await stack.stop();
      }
      expect(failures).toHaveLength(1);
    }, 60_000);
  }
});
