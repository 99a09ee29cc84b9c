import { describe, expect } from 'vitest';
import {
  CloudFrontClient,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetResponseHeadersPolicyCommand,
  ListDistributionsCommand,
} from '@aws-sdk/client-cloudfront';
import { GUEST_SITE_BUCKET, GUEST_SITE_DISTRIBUTION_ID } from '../../../../local/charterflow/seed';
import {
  CreateEmailIdentityCommand,
  DeleteEmailIdentityCommand,
  GetAccountCommand,
  GetEmailIdentityCommand,
  ListEmailIdentitiesCommand,
  SendEmailCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { clientConfig, conformance, stack } from './support';

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

  conformance('cloudfront-distribution-behaviours', async () => {
    const cloudfront = new CloudFrontClient(clientConfig());
    const { DistributionConfig } = await cloudfront.send(
      new GetDistributionConfigCommand({ Id: GUEST_SITE_DISTRIBUTION_ID }),
    );
    expect(DistributionConfig?.CacheBehaviors?.Quantity).toBe(1);
    const [guestPages] = DistributionConfig?.CacheBehaviors?.Items ?? [];
    expect(guestPages).toMatchObject({
      PathPattern: '/g/*',
      TargetOriginId: DistributionConfig?.DefaultCacheBehavior?.TargetOriginId,
      ViewerProtocolPolicy: 'redirect-to-https',
      FunctionAssociations: {
        Quantity: 1,
        Items: [
          {
            FunctionARN: expect.stringMatching(/^arn:aws:cloudfront::\d{12}:function\/charterflow-local-guest-page$/),
            EventType: 'viewer-request',
          },
        ],
      },
    });
    expect(guestPages?.ResponseHeadersPolicyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(DistributionConfig?.DefaultCacheBehavior?.FunctionAssociations).toEqual({ Quantity: 0 });
    expect(DistributionConfig?.DefaultCacheBehavior?.ResponseHeadersPolicyId).toBeUndefined();
  });

  conformance('cloudfront-get-response-headers-policy', async () => {
    const cloudfront = new CloudFrontClient(clientConfig());
    const { DistributionConfig } = await cloudfront.send(
      new GetDistributionConfigCommand({ Id: GUEST_SITE_DISTRIBUTION_ID }),
    );
    const id = DistributionConfig?.CacheBehaviors?.Items?.[0]?.ResponseHeadersPolicyId;
    const { ResponseHeadersPolicy, ETag } = await cloudfront.send(new GetResponseHeadersPolicyCommand({ Id: id }));
    expect(ResponseHeadersPolicy?.Id).toBe(id);
    expect(ResponseHeadersPolicy?.ResponseHeadersPolicyConfig?.Name).toBe('charterflow-local-guest-page');
    expect(ETag).toMatch(/^E[0-9A-Z]+$/);
    await expect(
      cloudfront.send(new GetResponseHeadersPolicyCommand({ Id: '00000000-0000-0000-0000-000000000000' })),
    ).rejects.toMatchObject({ name: 'NoSuchResponseHeadersPolicy', $metadata: { httpStatusCode: 404 } });
  });

  conformance('cloudfront-list-distributions-refused', async () => {
    const cloudfront = new CloudFrontClient(clientConfig());
    await expect(cloudfront.send(new ListDistributionsCommand({}))).rejects.toMatchObject({
      name: 'UnsupportedOperation',
      message: 'not supported by charterflow local: cloudfront.ListDistributions (GetDistribution answers a known Id)',
      $metadata: { httpStatusCode: 501 },
    });
  });
});

describe('SES v2, as the clients people bring call it', () => {
  const ses = () => new SESv2Client({ ...clientConfig(), endpoint: stack().endpoints.mailbox });

  conformance('ses-get-account', async () => {
    const client = ses();
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'charters@queenofsandiego.invalid',
        Destination: { ToAddresses: ['guest@example.com'] },
        Content: { Simple: { Subject: { Data: 'Your charter' }, Body: { Text: { Data: 'See you at the dock.' } } } },
      }),
    );
    const account = await client.send(new GetAccountCommand({}));
    expect(account).toMatchObject({
      ProductionAccessEnabled: true,
      SendingEnabled: true,
      EnforcementStatus: 'HEALTHY',
      SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14 },
    });
    expect(account.SendQuota?.SentLast24Hours).toBeGreaterThanOrEqual(1);
  });

  conformance('ses-get-email-identity', async () => {
    const client = ses();
    const identity = await client.send(new GetEmailIdentityCommand({ EmailIdentity: 'queenofsandiego.com' }));
    expect(identity).toMatchObject({
      IdentityType: 'DOMAIN',
      VerifiedForSendingStatus: true,
      VerificationStatus: 'SUCCESS',
    });
    await expect(
      client.send(new GetEmailIdentityCommand({ EmailIdentity: 'nobody.example.com' })),
    ).rejects.toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  conformance('ses-create-email-identity', async () => {
    const client = ses();
    const created = await client.send(new CreateEmailIdentityCommand({ EmailIdentity: 'crew@example.com' }));
    expect(created).toMatchObject({ IdentityType: 'EMAIL_ADDRESS', VerifiedForSendingStatus: false });
    expect(await client.send(new GetEmailIdentityCommand({ EmailIdentity: 'crew@example.com' }))).toMatchObject({
      VerifiedForSendingStatus: false,
      VerificationStatus: 'PENDING',
    });
    await expect(
      client.send(new CreateEmailIdentityCommand({ EmailIdentity: 'crew@example.com' })),
    ).rejects.toMatchObject({ name: 'AlreadyExistsException', $metadata: { httpStatusCode: 400 } });
    await client.send(new DeleteEmailIdentityCommand({ EmailIdentity: 'crew@example.com' }));
    await expect(client.send(new GetEmailIdentityCommand({ EmailIdentity: 'crew@example.com' }))).rejects.toMatchObject(
      { name: 'NotFoundException' },
    );
  });

  conformance('ses-unsupported-refused', async () => {
    await expect(ses().send(new ListEmailIdentitiesCommand({}))).rejects.toMatchObject({
      name: 'UnsupportedOperation',
      message: expect.stringContaining('not supported by charterflow local: sesv2.POST /v2/email/list-identities'),
      $metadata: { httpStatusCode: 501 },
    });
  });
});
