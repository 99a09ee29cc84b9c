import { describe, expect, it } from 'vitest';
import { consumerLogicalIds, functionLogicalIdOf } from '../../deploy/names';
import { sourceTemplate, stageParams } from '../../deploy/source-template';

/**
 * The guest site (its bucket and the CloudFront distribution in front of it) is given in one place, the deploy
 * parameters: the guest-page function reads it from the environment the template sets, and the role that
 * scopes what it may write and invalidate is made from the same parameters. No secret repeats it.
 */
describe('the guest site, given once as deploy parameters', async () => {
  const params = stageParams('ci', { guestSiteDistributionId: 'E2ONEPLACE7XQ', guestSiteBucket: 'pages.example.com' });
  const { template } = await sourceTemplate('ci', params);
  const resources = template.Resources as Record<string, { Properties: Record<string, any> }>;
  const functions = Object.entries(resources).filter(
    ([, r]) => (r as { Type?: string }).Type === 'AWS::Lambda::Function',
  );
  const variablesOf = (name: string) =>
    resources[functionLogicalIdOf(name)]!.Properties.Environment.Variables as Record<string, unknown>;
  const policyText = (name: string) => JSON.stringify(resources[consumerLogicalIds(name).role]!.Properties.Policies);

  it('reaches the guest-page function in its environment, as given', () => {
    expect(variablesOf('guest-page')).toMatchObject({
      GUEST_SITE_DISTRIBUTION_ID: 'E2ONEPLACE7XQ',
      GUEST_SITE_BUCKET: 'pages.example.com',
    });
  });

  it('scopes the same function role to that distribution and bucket', () => {
    expect(policyText('guest-page')).toContain(':distribution/E2ONEPLACE7XQ');
    expect(policyText('guest-page')).toContain(':s3:::pages.example.com/g/*');
  });

  it('is read from no secret: the guest-page role reads none', () => {
    expect(policyText('guest-page')).not.toContain('secretsmanager');
  });

  it('goes only to the functions that publish to the site', () => {
    const given = functions
      .filter(([, fn]) => 'GUEST_SITE_DISTRIBUTION_ID' in (fn.Properties.Environment?.Variables ?? {}))
      .map(([id]) => id);
    expect(given).toEqual([functionLogicalIdOf('guest-page')]);
  });
});
