import { afterAll, beforeAll } from 'vitest';
import { startStack } from '../../../local/stack';
import { stack, useStack } from './support';
import './s3.cases';
import './dynamodb.cases';
import './sqs.cases';

/** One local stack for every case: the cases are registered by the imports above. */
beforeAll(async () => {
  useStack(await startStack({ ephemeral: true, ports: { aws: 0 }, consumers: false, standIns: false }));
}, 60_000);
afterAll(async () => {
  await stack().stop();
  useStack(undefined);
});
