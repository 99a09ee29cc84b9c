import type { StageMode } from '../shared/shadow';

/**
 * What the template needs to know about the world it deploys into: names of things that exist already
 * (not ours to create) and a few knobs. serverless.yml fills them from `params` (per stage, overridable
 * with --param=name=value). None of them is a secret: secrets stay in Secrets Manager and are read at run time.
 */
export interface DeployParams {
  archiveRetentionDays: number;
  /**
   * live (the default) or shadow: a shadow stage runs the whole chain but keeps every write to JADA, SCC, the
   * guest site and SES back, recording what it would have sent (shared/shadow.ts, docs/shadow-and-smoke.md).
   */
  mode?: StageMode;
  /** ShipCaptainCrew's DynamoDB table that scrub edits. */
  sccTableName: string;
  /**
   * The guest-site bucket. Given here only: the guest-page function gets it in its environment
   * (deploy/environment.ts), and its role is scoped to it.
   */
  guestSiteBucket: string;
  legacyBucket: string;
  /** The existing CloudFront distribution in front of the guest-site bucket; given here only, as the bucket is. */
  guestSiteDistributionId: string;
  jadaCalendarUrl: string;
  sccInvokeUrl: string;
  /** Optional e-mail subscribed to the dead-letter alarms. */
  alarmEmail?: string;
  /** The From of the renter's mails: "Queen of San Diego <charters@queenofsandiego.com>", verified in SES. */
  guestMailFrom: string;
  /** The SES identity guest-mail sends as: the From's domain unless given (an address identity). */
  guestMailIdentity: string;
  guestMailReplyTo?: string;
  /** An existing SES configuration set the mails go through (event destinations, suppression options). */
  guestMailConfigurationSet?: string;
  /** Executions of the webhook function at once, at most: the public endpoint cannot take the account's whole concurrency. */
  webhookReservedConcurrency: number;
  /** Steady requests per second the HTTP API stage lets through, and the burst above it. */
  webhookRateLimit: number;
  webhookBurstLimit: number;
  /** The booking-to-page p99 (over 5 minutes) above which the latency alarm fires, in seconds. */
  bookingToPageAlarmSeconds: number;
  /** The share of webhook requests answered 4xx (over 5 minutes, at least 5 requests) above which the alarm fires, in percent. */
  webhook4xxAlarmPercent: number;
}

/** The bare address of a From such as "Queen of San Diego <charters@queenofsandiego.com>". */
export function addressOf(from: string): string | undefined {
  const address = (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from).trim();
  return /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(address) ? address : undefined;
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
  const positive = (name: keyof DeployParams, whole: boolean) => {
    const value = Number(text(name));
    if (!(value > 0) || (whole && !Number.isInteger(value))) {
      throw new Error(`deploy parameter ${name} must be a positive ${whole ? 'whole ' : ''}number, got ${raw[name]}`);
    }
    return value;
  };
  const alarmEmail = typeof raw.alarmEmail === 'string' && raw.alarmEmail !== '' ? raw.alarmEmail : undefined;
  const optional = (name: keyof DeployParams) =>
    typeof raw[name] === 'string' && raw[name] !== '' ? (raw[name] as string) : undefined;
  const guestMailFrom = text('guestMailFrom');
  const fromAddress = addressOf(guestMailFrom);
  if (!fromAddress) {
    throw new Error(
      `deploy parameter guestMailFrom must be an address, or a name and <address>; got "${guestMailFrom}"`,
    );
  }
  const guestMailReplyTo = optional('guestMailReplyTo');
  const guestMailConfigurationSet = optional('guestMailConfigurationSet');
  const mode = raw.mode === undefined || raw.mode === '' ? 'live' : raw.mode;
  if (mode !== 'live' && mode !== 'shadow') {
    throw new Error(`deploy parameter mode must be live or shadow, got ${String(raw.mode)}`);
  }
  return {
    archiveRetentionDays: retention,
    mode,
    sccTableName: text('sccTableName'),
    guestSiteBucket: text('guestSiteBucket'),
    legacyBucket: text('legacyBucket'),
    guestSiteDistributionId: text('guestSiteDistributionId'),
    jadaCalendarUrl: text('jadaCalendarUrl'),
    sccInvokeUrl: text('sccInvokeUrl'),
    webhookReservedConcurrency: positive('webhookReservedConcurrency', true),
    webhookRateLimit: positive('webhookRateLimit', false),
    webhookBurstLimit: positive('webhookBurstLimit', true),
    bookingToPageAlarmSeconds: positive('bookingToPageAlarmSeconds', false),
    webhook4xxAlarmPercent: positive('webhook4xxAlarmPercent', false),
    ...(alarmEmail ? { alarmEmail } : {}),
    guestMailFrom,
    guestMailIdentity: optional('guestMailIdentity') ?? fromAddress.split('@')[1]!,
    ...(guestMailReplyTo ? { guestMailReplyTo } : {}),
    ...(guestMailConfigurationSet ? { guestMailConfigurationSet } : {}),
  };
}
