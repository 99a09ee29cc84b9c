import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { GUEST_PAGE_PATH_PATTERN } from '../../services/guest-page/security-headers';
import type { FunctionModel, StackModel } from '../aws/cloudformation/model';
import { unzipFunction } from '../aws/cloudformation/package-dir';
import { LOCAL_ACCOUNT_ID } from '../aws/service';
import { LocalCloudFront } from '../aws/cloudfront';
import { startDynamoDb, type LocalDynamoDb } from '../aws/dynamodb';
import { startEdge } from '../aws/edge';
import { type Authorize, authorizeWith, functionPrincipals, LocalIam, resourcePolicies } from '../aws/iam/index';
import { authorizationsOf, keySchemaOfTable } from '../aws/iam/requests/index';
import { createEventBridge, type EventBridgeEvent, type LocalEventBridge } from '../aws/eventbridge/index';
import { startGuestSite } from './guest-site';
import { handlerLoader, LocalLambda } from '../lambda';
import { IsolatedLambda, type IsolatedLambdaOptions } from '../lambda/isolated';
import type { LambdaRuntime } from '../lambda/runtime';
import { startS3 } from '../aws/s3';
import { startMailbox } from '../aws/ses';
import { LocalSecretsManager } from '../aws/secrets-manager';
import { seed } from './seed';
import { LocalQueues } from '../aws/sqs/queues';
import { standIns as registeredStandIns } from '../stand-ins/index';
import { startHttpRoutes, type HttpResult } from './webhook-route';
import { packagedModel, sourceModel, type ModelOfStack, type StackMode } from './stack-model';
import {
  asyncConfigOf,
  createBusesAndArchives,
  createQueues,
  functionsToRun,
  putRules,
  rulesToWire,
  type WiringClients,
} from './wiring';

/**
 * The whole system on one laptop: one AWS endpoint (DynamoDB, S3, EventBridge, SQS, Secrets Manager,
 * CloudFront), the HTTP API for the webhook, the guest site behind its CloudFront Function, the stand-ins
 * for JADA and SCC, and every function of the template subscribed to the bus as the deployment subscribes it.
 *
 * One wiring for two modes: both read a CloudFormation template (local/charterflow/stack-model.ts). Source mode
 * (the default, the edit loop) makes the template in-process and runs the functions' TypeScript in this process.
 * Packaged mode runs a `serverless package` output as it is: its template, and each function's bundle alone in
 * processes of its own on the Node of its runtime (local/lambda/isolated.ts).
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
   * The function timeout Lambda enforces on every function (default: the template's in packaged mode, 30 s in
   * source mode). Crash tests shorten it, with a backoff whose first Lambda retry comes after it, as in AWS: a
   * lease held by an invocation ends with it.
   */
  functionTimeoutMs?: number;
  /** Run this `serverless package` output (its template and bundles) instead of the sources. */
  packageDir?: string;
  /**
   * Variables added to every function's environment, as `update-function-configuration` would (tests tune
   * timeouts and retries). In source mode the functions share this process's environment, so they go there.
   */
  functionEnvironment?: Record<string, string>;
  /** Packaged mode: each execution environment's cold start, as it measured it (the bench reports them). */
  onColdStart?: IsolatedLambdaOptions['onColdStart'];
  /**
   * Refuse every AWS call a function's role would not allow, as AWS does. On by default in packaged mode; source
   * mode cannot have it (every function runs in this process, with one set of credentials).
   */
  iam?: boolean;
}

export interface LocalStack {
  mode: StackMode;
  /** mailbox: local SES (SendEmail) and its viewer of every mail sent; `GET /store` lists them as JSON. */
  endpoints: { aws: string; webhook: string; guestSite: string; mailbox: string; standIns: Record<string, string> };
  /** The variables set for service code; pass them to child processes (npx charterflow ...). */
  env: Record<string, string>;
  /** What the stack was wired from: the stage, its deploy parameters and the template's model. */
  wiring: ModelOfStack;
  queues: LocalQueues;
  eventBridge: LocalEventBridge;
  /** Source mode's in-process Lambda (tests swap handlers in it); packaged mode has none: use `functions`. */
  lambda: LocalLambda;
  /** The functions as the bus and the HTTP API invoke them, in either mode. */
  functions: LambdaRuntime;
  cloudFront: LocalCloudFront;
  secrets: LocalSecretsManager;
  dynamodb: Pick<LocalDynamoDb, 'sweepExpired'>;
  /** The stack's IAM when it is on (packaged mode): `refusals()` lists the calls it refused. */
  iam: LocalIam | undefined;
  /** Milliseconds from startStack() to ready. */
  startupMs: number;
  stop(): Promise<void>;
}

export const DEFAULT_PORTS = { aws: 4566, webhook: 3000, guestSite: 8080, mailbox: 8005 } as const;

/** Our events name their booking: an operator reading a dead-letter line at 3 a.m. needs it first. */
const bookingOf = (event: EventBridgeEvent) => ({
  bookingId: (event.detail as { metadata?: { bookingId?: unknown } } | null)?.metadata?.bookingId,
});

export const DEFAULT_STAND_IN_PORTS: Record<string, number> = { 'jada-calendar': 4010, scc: 4020 };
const REGION = 'us-west-2';
/** What the operator's commands and the tests sign with: a developer's own (administrator) credentials. */
const OPERATOR_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'charterflow-local', AWS_SECRET_ACCESS_KEY: 'charterflow-local' };

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
    const packaged = options.packageDir !== undefined;
    if (options.iam && !packaged) {
      throw new Error('IAM needs packaged mode: in source mode every function runs in this process, as one caller');
    }
    // Read from the template once the edge is up (a queue's ARN needs the edge's URL); until then only the stack
    // itself calls, as an administrator.
    let iam: LocalIam | undefined;
    let authorizeCall: Authorize | undefined;
    const authorize: Authorize | undefined =
      (options.iam ?? packaged)
        ? (key, request) => authorizeCall?.(key, request) ?? Promise.resolve(undefined)
        : undefined;
    const localLambda = packaged
      ? undefined
      : new LocalLambda({
          region: REGION,
          accountId: LOCAL_ACCOUNT_ID,
          invokeStore: Boolean(options.log),
          timeoutMs: options.functionTimeoutMs,
        });
    const isolated = packaged
      ? new IsolatedLambda({ region: REGION, log: Boolean(options.log), onColdStart: options.onColdStart })
      : undefined;
    if (isolated) stoppers.push(() => isolated.stop());
    const functions: LambdaRuntime = (localLambda ?? isolated)!;
    const eventBridge = await createEventBridge({
      dataDir: dataDir && join(dataDir, 'eventbridge'),
      region: REGION,
      accountId: LOCAL_ACCOUNT_ID,
      queues,
      invokeLambda: (functionArn, event, invocation) => functions.invoke(functionArn, event, invocation),
      functionConfig: (functionArn) => functions.asyncConfigOf(functionArn),
      backoff: options.backoff,
      eventLabels: bookingOf,
      // Read at each dead-letter send: the stack's IAM is read from the template once the edge is up.
      iam: () => iam,
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
      ...(authorize && { authorize }),
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
    const modelOptions = { region: REGION, accountId: LOCAL_ACCOUNT_ID, queueUrlBase: edge.url };
    const wiring = options.packageDir
      ? packagedModel(options.packageDir, modelOptions)
      : await sourceModel(modelOptions);
    const { model, params, stage } = wiring;
    const mailbox = await startMailbox({
      port: portOf(options.ports?.mailbox, DEFAULT_PORTS.mailbox),
      dataDir,
      ...(authorize && { authorize }),
      // The stage's sending identity is verified, as the operator's is in SES before a deploy.
      identities: [params.guestMailIdentity],
    });
    stoppers.push(() => mailbox.stop());
    const standIns = options.standIns === false ? [] : registeredStandIns;
    const tables: CreateTableCommandInput[] = [
      ...model.tables.map((table) => table.definition),
      ...standIns.flatMap((s) => s.tables),
    ];
    if (authorize) {
      iam = new LocalIam({
        accountId: LOCAL_ACCOUNT_ID,
        functions: functionPrincipals(model),
        accessKeys: new Map(model.functions.map((fn) => [functionCredentials(fn.name).accessKeyId, fn.name])),
        resourcePolicies: resourcePolicies(model),
      });
      const keySchemas = new Map(tables.map((table) => [table.TableName, keySchemaOfTable(table)]));
      authorizeCall = authorizeWith(
        iam,
        {
          region: REGION,
          accountId: LOCAL_ACCOUNT_ID,
          secretArn: (secretId) => secrets.arnOf(secretId),
          keySchemaOf: (tableName) => keySchemas.get(tableName),
          sesIdentities: [params.guestMailIdentity],
        },
        authorizationsOf,
      );
    }
    // The guest pages' behaviour runs the stack's viewer-request function and has its response headers policy, as
    // the operator attaches them in AWS.
    const guestPageFunction = model.cloudFrontFunctions[0];
    for (const policy of model.responseHeadersPolicies)
      cloudFront.addResponseHeadersPolicy(policy.id, policy.name, policy.comment);
    const guestPageHeaders = model.responseHeadersPolicies[0];
    cloudFront.addDistribution(params.guestSiteDistributionId, {
      originDomainName: `${params.guestSiteBucket}.s3.${REGION}.amazonaws.com`,
      comment: 'charterflow guest pages',
      cacheBehaviors: [
        {
          pathPattern: GUEST_PAGE_PATH_PATTERN,
          functionAssociations: guestPageFunction
            ? [
                {
                  functionArn: `arn:aws:cloudfront::${LOCAL_ACCOUNT_ID}:function/${guestPageFunction.name}`,
                  eventType: 'viewer-request',
                },
              ]
            : [],
          ...(guestPageHeaders ? { responseHeadersPolicyId: guestPageHeaders.id } : {}),
        },
      ],
    });

    // What the operator's commands, the tests and (in source mode) the functions use to reach the stack.
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: edge.url,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      ...OPERATOR_CREDENTIALS,
      CHARTERFLOW_STAGE: stage,
      // SES alone goes to the mailbox; every other service stays on the edge.
      AWS_ENDPOINT_URL_SESV2: mailbox.url,
    };
    // The local network, where Lambda has AWS's: each function reaches the local AWS, SES the mailbox.
    const network = { AWS_ENDPOINT_URL: edge.url, AWS_ENDPOINT_URL_SESV2: mailbox.url };
    const logging = {
      POWERTOOLS_LOG_LEVEL: options.log ? (process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO') : 'SILENT',
      // The EMF metric lines are log lines too: written when the logs are, and then never a cost.
      POWERTOOLS_METRICS_DISABLED: options.log ? 'false' : 'true',
    };

    const clients: WiringClients = {
      events: new EventBridgeClient(clientConfig(edge.url)),
      sqs: new SQSClient(clientConfig(edge.url)),
    };
    stoppers.push(() => {
      clients.events.destroy();
      clients.sqs.destroy();
    });

    await seed({ endpoint: edge.url, region: REGION, tables, secrets, site: params });
    for (const table of model.tables) {
      if (table.timeToLiveAttribute) {
        await dynamodb.enableTimeToLive(table.definition.TableName!, table.timeToLiveAttribute);
      }
    }
    await createBusesAndArchives(model, clients);

    // JADA and SCC are the stand-ins here: the URL the template gives each (the operator's) is pointed at it.
    const endpointsOfOthers: Record<string, string> = {};
    const standInUrls: Record<string, string> = {};
    for (const standIn of standIns) {
      const port = portOf(options.ports?.standIns?.[standIn.name], DEFAULT_STAND_IN_PORTS[standIn.name] ?? 0);
      const running = await standIn.start({ port });
      stoppers.push(() => running.stop());
      standInUrls[standIn.name] = running.url;
      endpointsOfOthers[standIn.envVar] = running.url;
    }

    const viewerRequest = model.cloudFrontFunctions[0];
    const guestSite = await startGuestSite({
      port: portOf(options.ports?.guestSite, DEFAULT_PORTS.guestSite),
      awsEndpoint: edge.url,
      region: REGION,
      bucket: params.guestSiteBucket,
      distributionId: params.guestSiteDistributionId,
      cloudFront,
      ...(viewerRequest ? { functionCode: { name: viewerRequest.name, code: viewerRequest.code } } : {}),
    });
    stoppers.push(() => guestSite.stop());
    endpointsOfOthers.GUEST_SITE_BASE_URL = guestSite.url;

    const environmentOf = (fn: FunctionModel): Record<string, string> => ({
      ...fn.environment,
      // Only variables the template sets are pointed elsewhere: one it lost stays lost, as it would in AWS.
      ...Object.fromEntries(Object.entries(endpointsOfOthers).filter(([name]) => name in fn.environment)),
      ...network,
      ...logging,
      ...options.functionEnvironment,
    });

    const running = functionsToRun(model, options.consumers ?? true);
    if (localLambda) {
      // One process: the functions share its environment (they differ only in variables the others ignore).
      const shared = Object.assign({}, ...running.map(environmentOf)) as Record<string, string>;
      delete shared.NODE_OPTIONS;
      Object.assign(process.env, shared, env);
      for (const fn of running) {
        if (!('sourceRoot' in fn.code)) throw new Error(`${fn.name}: source mode needs its source directory`);
        localLambda.register(fn.name, handlerLoader(fn.code.sourceRoot), asyncConfigOf(fn));
      }
    } else if (isolated) {
      const workDir = dataDir ? join(dataDir, 'packaged') : mkdtempSync(join(tmpdir(), 'charterflow-packaged-'));
      rmSync(workDir, { recursive: true, force: true });
      stoppers.push(() => rmSync(workDir, { recursive: true, force: true }));
      Object.assign(process.env, env);
      for (const fn of running) {
        if (!('zipFile' in fn.code)) throw new Error(`${fn.name}: packaged mode needs the function's zip`);
        const codeDir = join(workDir, fn.name);
        await unzipFunction(fn.code.zipFile, codeDir);
        isolated.register({
          name: fn.name,
          codeDir,
          handler: fn.handler,
          runtime: fn.runtime,
          environment: environmentOf(fn),
          timeoutMs: options.functionTimeoutMs ?? fn.timeoutSeconds * 1000,
          memoryMb: fn.memoryMb,
          ...(fn.reservedConcurrency !== undefined ? { reservedConcurrency: fn.reservedConcurrency } : {}),
          asyncConfig: asyncConfigOf(fn),
          credentials: functionCredentials(fn.name),
        });
      }
    }

    const routes = model.httpRoutes
      .filter((route) => running.some((fn) => fn.name === route.functionName))
      .map((route) => ({
        declaration: { route: { method: route.method, path: route.path } },
        invoke: (event: APIGatewayProxyEventV2) =>
          functions.invokeWithResult(route.functionName, event) as Promise<HttpResult>,
      }));
    const webhook = await startHttpRoutes({ port: portOf(options.ports?.webhook, DEFAULT_PORTS.webhook), routes });
    stoppers.push(() => webhook.stop());

    const rules = rulesToWire(model, running);
    await createQueues(model, running, rules, clients);
    await putRules(rules, clients);

    return {
      mode: wiring.mode,
      endpoints: {
        aws: edge.url,
        webhook: webhook.url,
        guestSite: guestSite.url,
        mailbox: mailbox.url,
        standIns: standInUrls,
      },
      env: { ...env, ...endpointsOfOthers },
      wiring,
      queues,
      eventBridge,
      lambda: localLambda ?? packagedHasNoLocalLambda(),
      functions,
      cloudFront,
      secrets,
      dynamodb,
      iam,
      startupMs: Date.now() - started,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

const clientConfig = (endpoint: string) => ({
  region: REGION,
  endpoint,
  credentials: {
    accessKeyId: OPERATOR_CREDENTIALS.AWS_ACCESS_KEY_ID,
    secretAccessKey: OPERATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
  },
});

/**
 * Each function signs with credentials of its own, as its role's session does in AWS, so the stack can tell
 * which function made a call. Derived from the name: the same across restarts.
 */
export function functionCredentials(functionName: string): { accessKeyId: string; secretAccessKey: string } {
  const digest = createHash('sha256').update(`charterflow local function ${functionName}`).digest('hex');
  return { accessKeyId: `ASIA${digest.slice(0, 16).toUpperCase()}`, secretAccessKey: digest.slice(16, 56) };
}

/** What the template holds that the local stack does not run, once, for the banner. */
export function notEmulated(model: StackModel): string[] {
  const byType = new Map<string, string[]>();
  for (const { type, logicalId } of model.unemulated) byType.set(type, [...(byType.get(type) ?? []), logicalId]);
  return [...byType].map(([type, ids]) => `${type} ×${ids.length} (${ids.join(', ')})`);
}

function packagedHasNoLocalLambda(): LocalLambda {
  return new Proxy({} as LocalLambda, {
    get(_, property) {
      throw new Error(
        `stack.lambda.${String(property)}: packaged mode runs each function in processes of its own; use stack.functions`,
      );
    },
  });
}
