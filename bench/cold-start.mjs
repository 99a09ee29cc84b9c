// One cold start, in a fresh Node process: import a Lambda bundle and serve it one event, as Lambda's init
// and first invoke do. Prints {importMs, firstEventMs} as JSON. Usage: node cold-start.mjs <bundle.mjs> <event.json>
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const deadline = Date.now() + 29_000;
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'charterflow-bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-west-2:000000000000:function:charterflow-bench',
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: '/aws/lambda/charterflow-bench',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};

const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const imported = performance.now();
const result = await handler(event, context);
const served = performance.now();
if (result && typeof result === 'object' && 'statusCode' in result && result.statusCode >= 300) {
  console.error(`first event answered ${result.statusCode}: ${result.body}`);
  process.exit(1);
}
console.log(JSON.stringify({ importMs: imported - started, firstEventMs: served - imported }));
process.exit(0);
