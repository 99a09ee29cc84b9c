import { describe, expect } from 'vitest';
import { CloudFrontClient, GetDistributionCommand, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { GUEST_SITE_BUCKET, GUEST_SITE_DISTRIBUTION_ID } from '../../../../local/charterflow/seed';
import { clientConfig, conformance } from './support';

describe('CloudFront and SES, as the deploy preflight and the clients people bring call them', () => {
  conformance('cloudfront-get-distribution', async () => {
    const cloudfront = new CloudFrontClient(clientConfig());
    const { Distribution, ETag } = await cloudfront.send(
      new GetDistributionCommand({ Id: GUEST_SITE_DISTRIBUTION_ID }),
    );
    expect(Distribution).toMatchObject({ Id: GUEST_SITE_DISTRIBUTION_ID, Status: 'Deployed' });
    expect(Distribution?.DistributionConfig?.Origins?.Items?.[0]?.DomainName).toBe(
      `${GUEST_SITE_BUCKET}.s3.us-west-2.amazonaws.com`,
    );
    expect(Distribution?.DistributionConfig?.Enabled).toBe(true);
    expect(ETag).toMatch(/^E[0-9A-Z]+$/);
    const config = await cloudfront.send(new GetDistributionConfigCommand({ Id: GUEST_SITE_DISTRIBUTION_ID }));
    expect(config.ETag).toBe(ETag);
    expect(config.DistributionConfig).toEqual(Distribution?.DistributionConfig);
    await expect(cloudfront.send(new GetDistributionCommand({ Id: 'E0NOSUCHDIST' }))).rejects.toMatchObject({
      name: 'NoSuchDistribution',
      $metadata: { httpStatusCode: 404 },
    });
  });
});
