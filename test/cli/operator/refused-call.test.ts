import { describe, expect, it } from 'vitest';
import { describeRefusal, refusedCallOf } from '../../../cli/operator/refused-call';

const role = 'arn:aws:sts::123456789012:assumed-role/charterflow-prod-crew-role/charterflow-prod-crew';
const table = 'arn:aws:dynamodb:us-west-2:123456789012:table/charterflow-prod-bookings';

describe('a call AWS refused, read from the error message', () => {
  it.each([
    [
      'AWS form, on its own',
      `User: ${role} is not authorized to perform: dynamodb:Query on resource: ${table} because no identity-based policy allows the dynamodb:Query action`,
      { action: 'dynamodb:Query', resource: table, role: 'charterflow-prod-crew-role', kind: 'missing' },
    ],
    [
      'inside a consumer error, after the exception name',
      `DownstreamError: reading booking XHQGMDH failed: AccessDeniedException: User: ${role} is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-west-2:123456789012:key/1234abcd because no resource-based policy allows the kms:Decrypt action`,
      { action: 'kms:Decrypt', resource: 'arn:aws:kms:us-west-2:123456789012:key/1234abcd', kind: 'missing' },
    ],
    [
      'an explicit deny',
      `User: ${role} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::queenofsandiego.com/g/XHQGMDH" with an explicit deny in an identity-based policy`,
      { action: 's3:PutObject', resource: 'arn:aws:s3:::queenofsandiego.com/g/XHQGMDH', kind: 'denied' },
    ],
    [
      'without a resource',
      `User: ${role} is not authorized to perform: ses:SendEmail because no identity-based policy allows the ses:SendEmail action`,
      { action: 'ses:SendEmail', kind: 'missing' },
    ],
  ])('%s', (_name, message, expected) => {
    const call = refusedCallOf(message);
    expect(call).toMatchObject({ principal: role, ...expected });
    if (!('resource' in expected)) expect(call?.resource).toBeUndefined();
  });

  it.each([undefined, '', 'scc createCrewEvent failed for booking XHQGMDH: HTTP 503', 'AccessDenied'])(
    'finds none in %j',
    (message) => {
      expect(refusedCallOf(message)).toBeUndefined();
    },
  );

  it('says it as the permission to add, or the deny to look at', () => {
    const missing = refusedCallOf(`User: ${role} is not authorized to perform: dynamodb:Query on resource: ${table}`)!;
    expect(describeRefusal(missing)).toBe(
      `missing permission: dynamodb:Query on ${table} (role charterflow-prod-crew-role)`,
    );
    expect(describeRefusal({ ...missing, kind: 'denied' })).toMatch(/^denied by an explicit Deny: dynamodb:Query on/);
  });
});
