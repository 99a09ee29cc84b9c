import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_TIMEOUT_MS } from '../../../services/guest-mail/guest-mail';
import { LEGACY_CLAIM_LEASE_MS } from '../../../services/guest-mail/mail-records';

/**
 * A mail claim ends with the invocation that took it (its Lambda deadline), so its length is the function's
 * timeout. These hold it to the deploy config and to when Lambda retries a failed asynchronous invocation.
 */

/** Lambda's first retry of a failed asynchronous invocation comes about a minute later, the second two more. */
const LAMBDA_FIRST_ASYNC_RETRY_MS = 60_000;

describe('how long a mail claim lasts', () => {
  it("is the function's timeout as serverless.yml deploys it", () => {
    const yml = readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8');
    const provider = /^provider:\n((?: {2}.*\n|\n)*)/m.exec(yml)?.[1] ?? '';
    const timeout = /^ {2}timeout: (\d+)$/m.exec(provider)?.[1];
    expect(Number(timeout) * 1000).toBe(FUNCTION_TIMEOUT_MS);
  });

  it("ends before Lambda's first retry of the invocation that took it, so a retry never meets it live", () => {
    expect(FUNCTION_TIMEOUT_MS).toBeLessThan(LAMBDA_FIRST_ASYNC_RETRY_MS);
  });

  it('was longer than the timeout for a claim written before claims kept their deadline', () => {
    expect(LEGACY_CLAIM_LEASE_MS).toBeGreaterThan(FUNCTION_TIMEOUT_MS);
  });
});
