import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { bookingsTableDefinition, BOOKINGS_TTL_ATTRIBUTE } from '../../shared/tables';
import { busName } from '../../shared/config';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  archiveName,
  deployedNames,
  ownTableDefinition,
  type ConsumerDeclaration,
  type HttpRouteDeclaration,
} from '../../shared/declaration';
import { LOCAL_ACCOUNT_ID } from '../aws/service';
import { LocalCloudFront } from '../aws/cloudfront';
import { discoverServices, subscribeConsumers } from './consumers';
import { startDynamoDb, type LocalDynamoDb } from '../aws/dynamodb';
import { startEdge } from '../aws/edge';
import { createEventBridge, type EventBridgeEvent, type LocalEventBridge } from '../aws/eventbridge/index';
import { startGuestSite } from './guest-site';
import { handlerLoader, LocalLambda } from '../lambda';
import { startS3 } from '../aws/s3';
import { startMailbox } from '../aws/ses';
import { LocalSecretsManager } from '../aws/secrets-manager';
import { GUEST_SITE_BUCKET, GUEST_SITE_DISTRIBUTION_ID, seed } from './seed';
import { LocalQueues } from '../aws/sqs/queues';
import { standIns as registeredStandIns } from '../stand-ins/index';
import { startHttpRoutes, type HttpResult } from './webhook-route';

/**
 * The whole system on one laptop: one AWS endpoint (DynamoDB, S3, EventBridge, SQS, Secrets Manager,
 * CloudFront), the HTTP API for the webhook, the guest site behind its CloudFront Function, the stand-ins
 * for JADA and SCC, and every declared consumer subscribed to the bus as the deployment subscribes it.
 */

export interface StackOptions {
  /** Nothing on disk: DynamoDB in memory, S3 in a temp dir, no persisted bus, queues or secrets. */
  ephemeral?: boolean;
  /** Where state lives unless ephemeral; default .charterflow/ under the working directory. */
  dataDir?: string;
  /** Port 0 picks a free port (tests). Defaults: aws 4566, webhook 3000, guest site 8080, mailbox 8005, stand-ins 4010/4020. */
  ports?: { aws?: number; webhook?: number; guestSite?: number; mailbox?: number; standIns?: Record<string, number> };
  /** Which consumers to subscribe: all (default), none, or these names. */
  consumers?: boolean | string[];
  standIns?: boolean;
  /** Let handlers' Powertools logs through (default: silent unless POWERTOOLS_LOG_LEVEL is set). */
  log?: boolean;
  /** EventBridge retry backoff; tests shrink it. */
  backoff?: { baseMs: number; maxMs: number };
  /**
   * The function timeout Lambda enforces on every function (default 30 s). Crash tests shorten it, with a backoff
   * whose first Lambda retry comes after it, as in AWS: a lease held by an invocation ends with it.
   */
  functionTimeoutMs?: number;
}

export interface LocalStack {
  /** mailbox: local SES (SendEmail) and its viewer of every mail sent; `GET /store` lists them as JSON. */
  endpoints: { aws: string; webhook: string; guestSite: string; mailbox: string; standIns: Record<string, string> };
  /** The variables set for service code; pass them to child processes (npx charterflow ...). */
  env: Record<string, string>;
  queues: LocalQueues;
  eventBridge: LocalEventBridge;
  lambda: LocalLambda;
  cloudFront: LocalCloudFront;
  secrets: LocalSecretsManager;
  dynamodb: Pick<LocalDynamoDb, 'sweepExpired'>;
  /** Milliseconds from startStack() to ready. */
  startupMs: number;
  stop(): Promise<void>;
}

export const DEFAULT_PORTS = { aws: 4566, webhook: 3000, guestSite: 8080, mailbox: 8005 } as const;

/** Our events name their booking: an operator reading a dead-letter line at 3 a.m. needs it first. */
const bookingOf = (event: EventBridgeEvent) => ({
  bookingId: (event.detail as { metadata?: { bookingId?: unknown } } | null)?.metadata?.bookingId,
});

/** What the local stack's guest-mail sends as (the deploy parameters guestMailFrom and guestMailReplyTo). */
const LOCAL_MAIL_SETTINGS = {
  GUEST_MAIL_FROM: 'Queen of San Diego <charters@queenofsandiego.com>',
  GUEST_MAIL_REPLY_TO: 'charters@queenofsandiego.com',
} as const;
export const DEFAULT_STAND_IN_PORTS: Record<string, number> = { 'jada-calendar': 4010, scc: 4020 };
const REGION = 'us-west-2';

// Handlers are imported once per process and build their SDK clients then, from AWS_ENDPOINT_URL: a stack
// restarted in the same process (a test of persistence) takes the previous AWS port again when it can.
let previousAwsPort: number | undefined;

export async function startStack(options: StackOptions = {}): Promise<LocalStack> {
  const started = Date.now();
  const dataDir = options.ephemeral ? undefined : resolve(options.dataDir ?? '.charterflow');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // Asking for a free AWS port (tests) means free ports everywhere not given explicitly.
  const free = options.ports?.aws === 0;
  const portOf = (given: number | undefined, fallback: number) => given ?? (free ? 0 : fallback);
  const stoppers: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne();
  };

  try {
    const queues = new LocalQueues({ region: REGION, accountId: LOCAL_ACCOUNT_ID, dataDir });
    stoppers.push(() => queues.stop());
    const secrets = new LocalSecretsManager({ region: REGION, accountId: LOCAL_ACCOUNT_ID, dataDir });
    const cloudFront = new LocalCloudFront({ dataDir });
    cloudFront.addDistribution(GUEST_SITE_DISTRIBUTION_ID, {
      originDomainName: `${GUEST_SITE_BUCKET}.s3.${REGION}.amazonaws.com`,
      comment: 'charterflow guest pages',
    });
    const lambda = new LocalLambda({
      region: REGION,
      accountId: LOCAL_ACCOUNT_ID,
      invokeStore: Boolean(options.log),
      timeoutMs: options.functionTimeoutMs,
    });
    const eventBridge = await createEventBridge({
      dataDir: dataDir && join(dataDir, 'eventbridge'),
      region: REGION,
      accountId: LOCAL_ACCOUNT_ID,
      queues,
      invokeLambda: (functionArn, event, invocation) => lambda.invoke(functionArn, event, invocation),
      functionConfig: (functionArn) => lambda.asyncConfigOf(functionArn),
      backoff: options.backoff,
      eventLabels: bookingOf,
    });
    stoppers.push(() => eventBridge.stop());
    const dynamodb = startDynamoDb({ dataDir, region: REGION });
    stoppers.push(() => dynamodb.stop());
    const s3 = await startS3({ dataDir });
    stoppers.push(() => s3.stop());

    const edgeOptions = {
      region: REGION,
      accountId: LOCAL_ACCOUNT_ID,
      services: [eventBridge, queues, secrets],
      dynamodb: dynamodb.handle,
      s3: s3.handle,
      cloudfront: cloudFront.handle,
    };
    const wantedPort = options.ports?.aws ?? DEFAULT_PORTS.aws;
    const edge = await startEdge({ ...edgeOptions, port: wantedPort || previousAwsPort || 0 }).catch(
      (err: NodeJS.ErrnoException) => {
        if (wantedPort === 0 && err.code === 'EADDRINUSE') return startEdge({ ...edgeOptions, port: 0 });
        throw err;
      },
    );
    previousAwsPort = edge.port;
    stoppers.push(() => edge.stop());
    queues.setBaseUrl(edge.url);
    const mailbox = await startMailbox({ port: portOf(options.ports?.mailbox, DEFAULT_PORTS.mailbox), dataDir });
    stoppers.push(() => mailbox.stop());

    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: edge.url,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'charterflow-local',
      AWS_SECRET_ACCESS_KEY: 'charterflow-local',
      CHARTERFLOW_STAGE: 'local',
      // SES alone goes to the mailbox; every other service stays on the edge.
      AWS_ENDPOINT_URL_SESV2: mailbox.url,
      ...LOCAL_MAIL_SETTINGS,
      POWERTOOLS_LOG_LEVEL: options.log ? (process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO') : 'SILENT',
      // The EMF metric lines are log lines too: written when the logs are, and then never a cost.
      POWERTOOLS_METRICS_DISABLED: options.log ? 'false' : 'true',
    };
    // Before any handler is imported: handlers read their config and build their clients at module scope.
    Object.assign(process.env, env);

    const services = await discoverServices();
    const consumerTables = services.flatMap(({ name, declaration }) =>
      declaration.kind === 'consumer'
        ? ((declaration as ConsumerDeclaration).tables ?? []).map((t) => ownTableDefinition(name, t))
        : [],
    );
    // Time to live where the deployment enables it (deploy/template.ts), so expired items go locally too.
    const timeToLive = [
      { table: bookingsTableDefinition().TableName!, attribute: BOOKINGS_TTL_ATTRIBUTE },
      ...services.flatMap(({ name, declaration }) =>
        declaration.kind === 'consumer'
          ? ((declaration as ConsumerDeclaration).tables ?? []).flatMap((t) =>
              t.ttlAttribute ? [{ table: ownTableDefinition(name, t).TableName!, attribute: t.ttlAttribute }] : [],
            )
          : [],
      ),
    ];
    const standIns = options.standIns === false ? [] : registeredStandIns;
    const tables: CreateTableCommandInput[] = [
      bookingsTableDefinition(),
      ...consumerTables,
      ...standIns.flatMap((s) => s.tables),
    ];
    await seed({ endpoint: edge.url, region: REGION, tables, secrets, eventBridge, busName: busName() });
    for (const { table, attribute } of timeToLive) await dynamodb.enableTimeToLive(table, attribute);
    await createArchive(eventBridge);

    const standInUrls: Record<string, string> = {};
    for (const standIn of standIns) {
      const port = portOf(options.ports?.standIns?.[standIn.name], DEFAULT_STAND_IN_PORTS[standIn.name] ?? 0);
      const running = await standIn.start({ port });
      stoppers.push(() => running.stop());
      standInUrls[standIn.name] = running.url;
      env[standIn.envVar] = running.url;
    }

    const guestSite = await startGuestSite({
      port: portOf(options.ports?.guestSite, DEFAULT_PORTS.guestSite),
      awsEndpoint: edge.url,
      region: REGION,
      bucket: GUEST_SITE_BUCKET,
      distributionId: GUEST_SITE_DISTRIBUTION_ID,
      cloudFront,
    });
    stoppers.push(() => guestSite.stop());
    env.GUEST_SITE_BASE_URL = guestSite.url;

    const routes = services
      .filter((s) => s.declaration.kind === 'http')
      .map(({ dir, declaration }) => {
        // Loaded on first request: handlers read config at module scope, after the stack has set the env.
        const { functionName } = deployedNames(declaration.name);
        lambda.register(functionName, handlerLoader(dir));
        return {
          declaration: declaration as HttpRouteDeclaration,
          invoke: (event: APIGatewayProxyEventV2) =>
            lambda.invokeWithResult(functionName, event) as Promise<HttpResult>,
        };
      });
    const webhook = await startHttpRoutes({ port: portOf(options.ports?.webhook, DEFAULT_PORTS.webhook), routes });
    stoppers.push(() => webhook.stop());
    Object.assign(process.env, env);

    const consumers = options.consumers ?? true;
    if (consumers !== false) await subscribeConsumers({ lambda, names: consumers === true ? undefined : consumers });

    return {
      endpoints: {
        aws: edge.url,
        webhook: webhook.url,
        guestSite: guestSite.url,
        mailbox: mailbox.url,
        standIns: standInUrls,
      },
      env,
      queues,
      eventBridge,
      lambda,
      cloudFront,
      secrets,
      dynamodb,
      startupMs: Date.now() - started,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** The archive the deployment creates (shared/declaration archiveName), so replay and redrive work locally. */
async function createArchive(eventBridge: LocalEventBridge): Promise<void> {
  const context = { region: REGION, accountId: LOCAL_ACCOUNT_ID, headers: {} };
  const EventSourceArn = `arn:aws:events:${REGION}:${LOCAL_ACCOUNT_ID}:event-bus/${busName()}`;
  try {
    await eventBridge.handle(
      'CreateArchive',
      { ArchiveName: archiveName(), EventSourceArn, RetentionDays: 0 },
      context,
    );
  } catch (err) {
    if ((err as { code?: string }).code !== 'ResourceAlreadyExistsException') throw err;
  }
}
