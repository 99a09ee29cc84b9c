import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { jadaCalendarStandIn } from './jada-calendar';
import { sccStandIn } from './scc';

/**
 * The local stand-ins for the services we call but do not own (JADA calendar, SCC). The stack creates each
 * one's tables, starts it and sets its envVar to its URL, so service code finds it the way it finds the
 * real one in AWS. A new stand-in is one entry in `standIns`.
 */
export interface StandIn {
  name: string;
  /** The variable the services read the base URL from, e.g. JADA_CALENDAR_URL. */
  envVar: string;
  tables: CreateTableCommandInput[];
  start(opts: { port: number }): Promise<{ url: string; stop(): Promise<void> }>;
}

export const standIns: StandIn[] = [jadaCalendarStandIn, sccStandIn];
