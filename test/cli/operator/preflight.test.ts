import { describe, expect, it } from 'vitest';
import {
  formatCheck,
  functionAttachedCheck,
  guestSiteSecretCheck,
  secretCheck,
  secretValueProblem,
  sesIdentityCheck,
  summaryOf,
} from '../../../cli/operator/preflight';
import { secretNames } from '../../../shared/config';

/** What each answer means for the deploy's prerequisites: the cases the local stack cannot make. */

const aws = (command: string) => command;
const FUNCTION_ARN = 'arn:aws:cloudfront::123456789012:function/charterflow-prod-guest-page';
const params = { guestSiteDistributionId: 'E2GUESTSITE01', guestSiteBucket: 'queenofsandiego.com' };

describe('a secret', () => {
  it('the webhook secret parses as one whsec_ secret, or two while a rotation is under way', () => {
    expect(secretValueProblem(secretNames.webhookSecret, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBeUndefined();
    const rotating = secretCheck(
      secretNames.webhookSecret,
      { value: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_bmV3IHNlY3JldA==' },
      aws,
    );
    expect(rotating).toMatchObject({ status: 'pass', detail: expect.stringContaining('a rotation is under way') });
    expect(secretValueProblem(secretNames.webhookSecret, 'whsec_MfKQ9r8 hunter2')).toBe(
      "its value's secret number 2 of 2 is not a whsec_ signing secret",
    );
  });

  it('a token holding spaces is refused, and an empty value', () => {
    expect(secretValueProblem(secretNames.sccServiceKey, 'two words')).toMatch(/one token is expected/);
    expect(secretValueProblem(secretNames.sccServiceKey, '  ')).toBe('its value is empty');
  });

  it('scheduled for deletion: the fix restores it', () => {
    const result = secretCheck(
      secretNames.jadaDashboardToken,
      {
        errorName: 'InvalidRequestException',
        message: 'You can’t perform this operation on the secret because it was marked for deletion.',
      },
      aws,
    );
    expect(result).toMatchObject({
      status: 'FAIL',
      detail: 'secret charterflow/jada/dashboard-token: scheduled for deletion',
      fix: 'aws secretsmanager restore-secret --secret-id charterflow/jada/dashboard-token',
    });
  });

  it('refused to the credentials: the fix is the permission, not the secret', () => {
    const result = secretCheck(secretNames.sccServiceKey, { errorName: 'AccessDeniedException', message: 'no' }, aws);
    expect(result.fix).toMatch(/^allow secretsmanager:GetSecretValue on charterflow\/scc\/service-key/);
  });
});

describe('the leftover guest-site secret', () => {
  it('agreeing with the parameters passes, and says to delete it', () => {
    const result = guestSiteSecretCheck(
      JSON.stringify({ distributionId: 'E2GUESTSITE01', bucket: 'queenofsandiego.com' }),
      params,
      'deploy',
      aws,
    );
    expect(result.status).toBe('pass');
    expect(result.detail).toContain('aws secretsmanager delete-secret --secret-id charterflow/guest-site');
  });

  it('naming another bucket fails, naming both', () => {
    const result = guestSiteSecretCheck(
      JSON.stringify({ distributionId: 'E2GUESTSITE01', bucket: 'old-site.example.com' }),
      params,
      'deploy',
      aws,
    );
    expect(result).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('bucket "old-site.example.com"') });
  });

  it('that is not JSON names no distribution, so it differs', () => {
    expect(guestSiteSecretCheck('E2GUESTSITE01', params, 'deploy', aws).status).toBe('FAIL');
  });
});

describe('the function on the guest pages', () => {
  const association = (FunctionARN: string, EventType = 'viewer-request') => ({ Items: [{ FunctionARN, EventType }] });

  it('on the default behaviour counts when the distribution has no /g/* behaviour', () => {
    const result = functionAttachedCheck(
      'E2GUESTSITE01',
      { DefaultCacheBehavior: { FunctionAssociations: association(FUNCTION_ARN) } },
      '/g/*',
      'charterflow-prod-guest-page',
    );
    expect(result).toMatchObject({ status: 'pass', detail: expect.stringContaining('the default behaviour') });
  });

  it('another stage’s function, or ours on viewer response, fails', () => {
    const other = functionAttachedCheck(
      'E2GUESTSITE01',
      {
        CacheBehaviors: {
          Items: [
            {
              PathPattern: '/g/*',
              FunctionAssociations: association(FUNCTION_ARN.replace('-prod-', '-staging-')),
            },
          ],
        },
      },
      '/g/*',
      'charterflow-prod-guest-page',
    );
    expect(other).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('charterflow-staging-guest-page') });
    const response = functionAttachedCheck(
      'E2GUESTSITE01',
      {
        CacheBehaviors: {
          Items: [{ PathPattern: '/g/*', FunctionAssociations: association(FUNCTION_ARN, 'viewer-response') }],
        },
      },
      '/g/*',
      'charterflow-prod-guest-page',
    );
    expect(response.status).toBe('FAIL');
  });
});

describe('the SES identity', () => {
  it('verified in an account still in the sandbox passes, and says the sandbox out loud', () => {
    const result = sesIdentityCheck('queenofsandiego.com', { verified: true }, false);
    expect(result.status).toBe('pass');
    expect(result.detail).toContain('account IN THE SANDBOX');
    expect(result.detail).toContain('Request production access');
  });

  it('not there at all fails, with the step that verifies it', () => {
    const result = sesIdentityCheck(
      'charters@queenofsandiego.com',
      { errorName: 'NotFoundException', message: '' },
      true,
    );
    expect(result.status).toBe('FAIL');
    expect(result.fix).toContain('aws sesv2 create-email-identity --email-identity charters@queenofsandiego.com');
  });
});

describe('the report', () => {
  it('prints a failure with its fix under it, and counts failures and skips', () => {
    const failing = { id: 'x', status: 'FAIL' as const, detail: 'SCC table scc-events: not found', fix: 'name it' };
    expect(formatCheck(failing)).toEqual(['FAIL  SCC table scc-events: not found', '      fix: name it']);
    expect(summaryOf([failing, { id: 'y', status: 'skip', detail: '' }, { id: 'z', status: 'pass', detail: '' }])).toBe(
      'preflight: 1 of 3 checks failed, 1 skipped',
    );
  });
});
