import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { secretNames } from '../shared/config';
import { signedSample } from './charterflow/seed';
import { packageStage } from './charterflow/package';
import { LOCAL_STAGE } from './charterflow/stack-model';
import { runDemo } from './charterflow/demo';
import { crashTestingFromEnv } from './charterflow/crash-testing';
import { notEmulated, startStack, type LocalStack } from './charterflow/stack';

/**
 * `npm start`: the whole system on this laptop until Ctrl-C. Flags: --ephemeral (nothing kept on disk),
 * --port <aws port> (or CHARTERFLOW_AWS_PORT), --data-dir <dir> (default .charterflow/), --demo,
 * --packaged (package the local stage and run what deploys), --package-dir <dir> (run that package output as it is).
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

function modeLines(stack: LocalStack, packageDir: string | undefined): string[] {
  if (stack.mode === 'source')
    return ['  mode                   source (the TypeScript, all functions in this process)', ''];
  const functions = stack.wiring.model.functions;
  return [
    `  mode                   packaged: ${packageDir} (each function alone, on its runtime's Node)`,
    ...functions.map((fn) => `    ${fn.name.padEnd(36)} ${fn.runtime}, ${fn.memoryMb} MB, ${fn.timeoutSeconds} s`),
    '  not emulated (in the template, not run here):',
    ...notEmulated(stack.wiring.model).map((line) => `    ${line}`),
    '',
  ];
}

function banner(stack: LocalStack, dataDir: string | undefined, packageDir: string | undefined): string {
  const { endpoints } = stack;
  const { guestSiteBucket, guestSiteDistributionId, legacyBucket } = stack.wiring.params;
  const lines = [
    `charterflow local stack ready in ${stack.startupMs} ms${dataDir ? ` (state in ${dataDir})` : ' (ephemeral: nothing kept)'}`,
    '',
    ...modeLines(stack, packageDir),
    `  AWS endpoint           ${endpoints.aws}   (DynamoDB, S3, EventBridge, SQS, Secrets Manager, CloudFront)`,
    `  webhook                ${endpoints.webhook}/webhooks/boatsetter`,
    `  guest site             ${endpoints.guestSite}/g/XHQGMDH   (CloudFront ${guestSiteDistributionId}, bucket ${guestSiteBucket})`,
    `  mailbox                ${endpoints.mailbox}   (SES v2 for guest-mail: every mail sent, GET /store as JSON)`,
    ...Object.entries(endpoints.standIns).map(([name, url]) => `  ${`${name} stand-in`.padEnd(22)} ${url}`),
    `  legacy bucket          ${legacyBucket}`,
    '',
    'Use it from another shell:',
    `  export AWS_ENDPOINT_URL=${endpoints.aws} AWS_REGION=us-west-2 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local${stack.wiring.stage === LOCAL_STAGE ? '' : ` CHARTERFLOW_STAGE=${stack.wiring.stage}`}`,
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
      packaged: { type: 'boolean', default: false },
      'package-dir': { type: 'string' },
    },
  });
  if (values.packaged && values['package-dir']) {
    throw new Error('--packaged packages the local stage; --package-dir runs a package already made: give one of them');
  }
  const portText = values.port ?? process.env.CHARTERFLOW_AWS_PORT;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`--port must be a port number, got "${portText}"`);
  }
  const dataDir = values.ephemeral ? undefined : (values['data-dir'] ?? '.charterflow');
  let packageDir = values['package-dir'] && resolve(values['package-dir']);
  if (values.packaged) {
    packageDir = join(dataDir ?? mkdtempSync(join(tmpdir(), 'charterflow-')), 'package');
    console.log(`packaging the ${LOCAL_STAGE} stage (serverless package) into ${packageDir} ...`);
    const { ms } = await packageStage(LOCAL_STAGE, packageDir);
    console.log(`packaged in ${(ms / 1000).toFixed(1)} s`);
  }
  const stack = await startStack({
    ephemeral: values.ephemeral,
    dataDir,
    ...(packageDir ? { packageDir } : {}),
    ports: { aws: port },
    log: !values.demo,
    ...crashTestingFromEnv(),
  });
  console.log(banner(stack, dataDir, packageDir));

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
