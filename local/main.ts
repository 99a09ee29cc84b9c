import '../shared/node-support';
import { parseArgs } from 'node:util';
import { secretNames } from '../shared/config';
import { GUEST_SITE_BUCKET, GUEST_SITE_DISTRIBUTION_ID, LEGACY_BUCKET, signedSample } from './charterflow/seed';
import { runDemo } from './charterflow/demo';
import { crashTestingFromEnv } from './charterflow/crash-testing';
import { startStack, type LocalStack } from './charterflow/stack';

/**
 * `npm start`: the whole system on this laptop until Ctrl-C. Flags: --ephemeral (nothing kept on disk),
 * --port <aws port> (or CHARTERFLOW_AWS_PORT), --data-dir <dir> (default .charterflow/), --demo.
 */

function curlLine(webhookUrl: string): string {
  const { headers, body } = signedSample();
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  return [
    `curl -i -X POST ${webhookUrl}/webhooks/boatsetter`,
    ...Object.entries(headers).map(([name, value]) => `  -H ${quote(`${name}: ${value}`)}`),
    `  --data ${quote(body)}`,
  ].join(' \\\n');
}

function banner(stack: LocalStack, dataDir: string | undefined): string {
  const { endpoints } = stack;
  const lines = [
    `charterflow local stack ready in ${stack.startupMs} ms${dataDir ? ` (state in ${dataDir})` : ' (ephemeral: nothing kept)'}`,
    '',
    `  AWS endpoint           ${endpoints.aws}   (DynamoDB, S3, EventBridge, SQS, Secrets Manager, CloudFront)`,
    `  webhook                ${endpoints.webhook}/webhooks/boatsetter`,
    `  guest site             ${endpoints.guestSite}/g/XHQGMDH   (CloudFront ${GUEST_SITE_DISTRIBUTION_ID}, bucket ${GUEST_SITE_BUCKET})`,
    `  mailbox                ${endpoints.mailbox}   (SES v2 for guest-mail: every mail sent, GET /store as JSON)`,
    ...Object.entries(endpoints.standIns).map(([name, url]) => `  ${`${name} stand-in`.padEnd(22)} ${url}`),
    `  legacy bucket          ${LEGACY_BUCKET}`,
    '',
    'Use it from another shell:',
    `  export AWS_ENDPOINT_URL=${endpoints.aws} AWS_REGION=us-west-2 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
    '  npx charterflow tail          # every event crossing the bus',
    '',
    'Dev secrets (Secrets Manager, local values only):',
    ...Object.values(secretNames).map((name) => `  ${name}`),
    '',
    'Send the sample booking, signed (the signature is valid for 5 minutes: after that, run',
    '`npx charterflow send-sample` or restart to print a fresh line):',
    curlLine(endpoints.webhook),
    '',
    'Ctrl-C stops the stack.',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ephemeral: { type: 'boolean', default: false },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      demo: { type: 'boolean', default: false },
    },
  });
  const portText = values.port ?? process.env.CHARTERFLOW_AWS_PORT;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`--port must be a port number, got "${portText}"`);
  }
  const dataDir = values.ephemeral ? undefined : (values['data-dir'] ?? '.charterflow');
  const stack = await startStack({
    ephemeral: values.ephemeral,
    dataDir,
    ports: { aws: port },
    log: !values.demo,
    ...crashTestingFromEnv(),
  });
  console.log(banner(stack, dataDir));

  let stopping = false;
  const shutdown = async () => {
    // A second Ctrl-C does not wait for a stop that hangs.
    if (stopping) process.exit(130);
    stopping = true;
    console.log('\nstopping the local stack...');
    await stack.stop();
    console.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());

  if (values.demo) {
    console.log('');
    await runDemo(stack);
    console.log('\nThe stack stays up. Ctrl-C stops it.');
  }
}

main().catch((error: unknown) => {
  const { code, port } = error as NodeJS.ErrnoException & { port?: number };
  if (code === 'EADDRINUSE') {
    console.error(
      `charterflow start: port ${port} is in use (another stack running?); pick others with --port or CHARTERFLOW_AWS_PORT`,
    );
    process.exit(1);
  }
  console.error(`charterflow start: ${(error as Error).message ?? String(error)}`);
  process.exit(1);
});
