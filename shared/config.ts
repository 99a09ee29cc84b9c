/**
 * Every name the services share comes from here: one source of truth for the bus, tables, buckets and
 * secret names. Values are read from the environment at call time, so the local stack and tests can point
 * the same code at their own resources; serverless.yml sets the same variables in Lambda.
 */

export function stage(): string {
  return process.env.CHARTERFLOW_STAGE ?? 'local';
}

export function busName(): string {
  return process.env.CHARTERFLOW_BUS_NAME ?? `charterflow-${stage()}`;
}

export function region(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-west-2';
}

/** Our own table: one durable record per booking and step (idempotency that outlives replays, the ledger). */
export function bookingsTable(): string {
  return process.env.CHARTERFLOW_BOOKINGS_TABLE ?? `charterflow-${stage()}-bookings`;
}

/** SCC's DynamoDB table of crew events (key `eventId`, the crew-facing text in `notes`): scrub writes it, crew reads it. */
export function sccEventsTable(): string {
  return process.env.CHARTERFLOW_SCC_TABLE ?? 'scc-events';
}

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`configuration ${name} is not set`);
  return value;
}

export const secretNames = {
  webhookSecret: 'charterflow/boatsetter/webhook-secret',
  jadaDashboardToken: 'charterflow/jada/dashboard-token',
  sccServiceKey: 'charterflow/scc/service-key',
  /** Signs `charterflow smoke`'s synthetic bookings; never given to Boatsetter (the deploy generates it). */
  smokeSigningKey: 'charterflow/smoke/signing-key',
} as const;
