/**
 * What the template needs to know about the world it deploys into: names of things that exist already
 * (not ours to create) and a few knobs. serverless.yml fills them from `params` (per stage, overridable
 * with --param=name=value). None of them is a secret: secrets stay in Secrets Manager and are read at run time.
 */
export interface DeployParams {
  archiveRetentionDays: number;
  /** ShipCaptainCrew's DynamoDB table that scrub edits. */
  sccTableName: string;
  guestSiteBucket: string;
  legacyBucket: string;
  /** The existing CloudFront distribution in front of the guest-site bucket. */
  guestSiteDistributionId: string;
  jadaCalendarUrl: string;
  sccInvokeUrl: string;
  /** Optional e-mail subscribed to the dead-letter alarms. */
  alarmEmail?: string;
}

export function parseParams(raw: Record<string, unknown>): DeployParams {
  const text = (name: keyof DeployParams) => {
    const value = raw[name];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(`deploy parameter ${name} is not set: pass --param=${name}=<value>`);
    }
    return String(value);
  };
  const retention = Number(text('archiveRetentionDays'));
  if (!Number.isInteger(retention) || retention < 0) {
    throw new Error(`deploy parameter archiveRetentionDays must be a whole number of days (0 = keep forever)`);
  }
  const alarmEmail = typeof raw.alarmEmail === 'string' && raw.alarmEmail !== '' ? raw.alarmEmail : undefined;
  return {
    archiveRetentionDays: retention,
    sccTableName: text('sccTableName'),
    guestSiteBucket: text('guestSiteBucket'),
    legacyBucket: text('legacyBucket'),
    guestSiteDistributionId: text('guestSiteDistributionId'),
    jadaCalendarUrl: text('jadaCalendarUrl'),
    sccInvokeUrl: text('sccInvokeUrl'),
    ...(alarmEmail ? { alarmEmail } : {}),
  };
}
