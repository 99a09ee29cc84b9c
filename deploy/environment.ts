import type { DiscoveredService } from './discover';
import type { DeployParams } from './params';

/**
 * The environment every function gets: the names the code reads (shared/config.ts and the services'
 * own config), never a secret: secrets are read from Secrets Manager at run time, by name. The local
 * stack sets the same variables with local values.
 */
export function environmentOf(
  service: DiscoveredService,
  stage: string,
  params: DeployParams,
): Record<string, unknown> {
  return {
    CHARTERFLOW_STAGE: stage,
    // shadow: writes to the systems we do not own are kept back and recorded (shared/shadow.ts).
    CHARTERFLOW_MODE: params.mode ?? 'live',
    CHARTERFLOW_BUS_NAME: { Ref: 'EventBus' },
    CHARTERFLOW_BOOKINGS_TABLE: { Ref: 'BookingsTable' },
    CHARTERFLOW_SCC_TABLE: params.sccTableName,
    CHARTERFLOW_LEGACY_BUCKET: params.legacyBucket,
    // The guest-site bucket is named after its domain, as S3 website buckets are.
    GUEST_SITE_BASE_URL: `https://${params.guestSiteBucket}`,
    // The guest site a function publishes to: the very parameters its role is scoped to, and given nowhere else.
    ...(service.access.guestSiteInvalidation
      ? { GUEST_SITE_BUCKET: params.guestSiteBucket, GUEST_SITE_DISTRIBUTION_ID: params.guestSiteDistributionId }
      : {}),
    JADA_CALENDAR_URL: params.jadaCalendarUrl,
    SCC_API_URL: params.sccInvokeUrl,
    ...(service.access.guestMail
      ? {
          GUEST_MAIL_FROM: params.guestMailFrom,
          ...(params.guestMailReplyTo ? { GUEST_MAIL_REPLY_TO: params.guestMailReplyTo } : {}),
          ...(params.guestMailConfigurationSet
            ? { GUEST_MAIL_CONFIGURATION_SET: params.guestMailConfigurationSet }
            : {}),
          // The mails link the public site even where GUEST_SITE_BASE_URL points elsewhere (the local stack).
          GUEST_SITE_DOMAIN: params.guestSiteBucket,
        }
      : {}),
    // Stack traces point into the TypeScript sources through the bundled source maps.
    NODE_OPTIONS: '--enable-source-maps',
  };
}
