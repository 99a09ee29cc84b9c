import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../../../local/charterflow/stack';
import { catalog, renderTable } from './catalog';
import { registered, stack, useStack } from './support';
import './s3.cases';
import './s3-clients.cases';
import './s3-integrity.cases';
import './dynamodb.cases';
import './sqs.cases';
import './sqs-fidelity.cases';
import './cloudfront-ses.cases';
import './events.cases';
import './boto3.cases';
import './secrets-manager.cases';

/** One local stack for every case: the cases are registered by the imports above. */
beforeAll(async () => {
  // Retries milliseconds apart: the cases count them, never time them.
  useStack(
    await startStack({
      ephemeral: true,
      ports: { aws: 0 },
      consumers: false,
      standIns: false,
      backoff: { baseMs: 2, maxMs: 10 },
    }),
  );
}, 60_000);
afterAll(async () => {
  await stack().stop();
  useStack(undefined);
});

describe('the conformance catalog', () => {
  it('has exactly one test for every case', () => {
    expect([...registered].sort()).toEqual(catalog.map((c) => c.id).sort());
  });

  it('is the table of what the local stack supports in docs/local-stack.md', () => {
    const readme = readFileSync(new URL('../../../../docs/local-stack.md', import.meta.url), 'utf8');
    const between = /<!-- conformance:start -->\n([\s\S]*?)\n<!-- conformance:end -->/.exec(readme)?.[1];
    // On failure, the expected text is the table to paste between the markers.
    expect(between).toBe(renderTable());
  });
});
