import type { DiscoveredService } from './discover';
import type { DeployParams } from './params';

/**
 * The environment every function gets: the names shared/config.ts reads (never a secret; secrets are read
 * from Secrets Manager at run time by name). Same variables the local stack sets, different values.
 */
export function environmentOf(_service: DiscoveredService, stage: string, params: DeployParams): Record<string, unknown> {
  return {
    CHARTERFLOW_STAGE: stage,
    CHARTERFLOW_BUS_NAME: { Ref: 'EventBus' },
    CHARTERFLOW_BOOKINGS_TABLE: { Ref: 'BookingsTable' },
    CHARTERFLOW_SCC_TABLE: params.sccTableName,
    CHARTERFLOW_GUEST_SITE_BUCKET: params.guestSiteBucket,
    CHARTERFLOW_LEGACY_BUCKET: params.legacyBucket,
    CHARTERFLOW_JADA_CALENDAR_URL: params.jadaCalendarUrl,
    CHARTERFLOW_SCC_URL: params.sccInvokeUrl,
    // Stack traces point into the TypeScript sources through the bundled source maps.
    NODE_OPTIONS: '--enable-source-maps',
  };
}
