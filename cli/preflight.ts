import { Logger } from '@aws-lambda-powertools/logger';
import { GetDistributionConfigCommand, GetResponseHeadersPolicyCommand } from '@aws-sdk/client-cloudfront';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { DeployParams } from '../deploy/params';
import { sourceTemplate, stageParams } from '../deploy/source-template';
import { jadaCalendarApi } from '../services/calendar/jada-calendar-api';
import { sccApi } from '../services/crew/scc-api';
import { GUEST_PAGE_PATH_PATTERN } from '../services/guest-page/security-headers';
import { cloudFrontClient, dynamoDbClient, s3Client, secretsManagerClient } from '../shared/aws';
import { region, secretNames, stage } from '../shared/config';
import { DownstreamError, type CredentialSource } from '../shared/http-client';
import { applyTarget, isLoopback, parseCommandArgs, processIo, targetHelp, targetOptions, type Io } from './args';
import {
  bucketCheck,
  formatCheck,
  functionAttachedCheck,
  guestSiteSecretCheck,
  headersPolicyCheck,
  LEFTOVER_GUEST_SITE_SECRET,
  probeCheck,
  sccTableCheck,
  secretCheck,
  sesIdentityCheck,
  skip,
  summaryOf,
  type CheckResult,
} from './operator/preflight';
import { UsageError } from './usage-error';

export const preflightHelp = `Usage: npx charterflow preflight [--param NAME=VALUE ...] [--json]

Checks, read-only, every prerequisite of a deployed stage that the deploy does not create (docs/deploy.md):
each secret charterflow reads exists and parses; the distribution id the stage deploys with is the one a
leftover charterflow/guest-site secret names, if there is one; the guest-site and legacy buckets exist; the
${GUEST_PAGE_PATH_PATTERN} behaviour of the guest-site distribution runs the stage's CloudFront Function on viewer
request and has its response headers policy; the SES identity guest-mail sends as is verified (the account's sandbox status beside it); SCC's table
has the key crew and scrub read; JADA and SCC answer the authenticated probe with the stage's credentials.
One line per check, pass or FAIL, and under a failure the command or console step that fixes it. Exits 1
when a check fails. It writes nothing anywhere.
  --param NAME=VALUE  a deploy parameter, as given to npx serverless deploy (--param=guestSiteDistributionId=E2...);
                      the others come from serverless.yml's params for the stage, as the deploy reads them
  --json              the checks as one JSON list for scripts
${targetHelp}
On the local stack, SES is the mailbox (http://127.0.0.1:8005, or AWS_ENDPOINT_URL_SESV2).`;

/** How preflight's own calls to JADA and SCC are attempted: once each, a refusal is the answer. */
const PROBE_RETRY = { maxAttempts: 1, timeoutMs: 5_000 };

export async function runPreflight(argv: string[], io: Io = processIo()): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    ...targetOptions,
    param: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  });
  const overrides: Record<string, string> = {};
  for (const text of values.param ?? []) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param must be NAME=VALUE, got "${text}"`);
    overrides[text.slice(0, eq)] = text.slice(eq + 1);
  }
  io.err(applyTarget(values));
  const local = isLoopback(process.env.AWS_ENDPOINT_URL);
  // The mailbox is SES on the local stack, on a port of its own (npm start's default unless told).
  if (local) process.env.AWS_ENDPOINT_URL_SESV2 ??= 'http://127.0.0.1:8005';
  const stageName = stage();
  let params: DeployParams;
  try {
    params = stageParams(stageName, overrides);
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (as npx serverless deploy --stage ${stageName} would need)`);
  }
  const results = await preflightChecks(stageName, params, local);
  if (values.json) io.out(JSON.stringify(results));
  else {
    for (const result of results) for (const line of formatCheck(result)) io.out(line);
    io.out(summaryOf(results));
  }
  return results.some((r) => r.status === 'FAIL') ? 1 : 0;
}

/** Every check, in the order the deploy docs list the prerequisites. */
export async function preflightChecks(stageName: string, params: DeployParams, local: boolean): Promise<CheckResult[]> {
  // A fix is an AWS CLI command; on the local stack it names the local endpoint, so it can be pasted as is.
  const aws = (command: string) => {
    const endpoint = /^aws sesv2 /.test(command) ? process.env.AWS_ENDPOINT_URL_SESV2 : process.env.AWS_ENDPOINT_URL;
    return local && endpoint ? `${command} --endpoint-url ${endpoint}` : command;
  };
  const deployHint = (param: keyof DeployParams) =>
    local
      ? `set ${param} in serverless.yml's params.local and restart npm start`
      : `deploy with npx serverless deploy --stage ${stageName} --param=${param}=<value> (and the stage's other --param flags)`;
  const results: CheckResult[] = [];

  const secrets = secretsManagerClient();
  const s3 = s3Client();
  const cloudFront = cloudFrontClient();
  const dynamodb = dynamoDbClient();
  const ses = new SESv2Client({ region: region() });
  try {
    // 1. The secrets: whatever shared/config.ts names, so a secret added there is checked with no change here.
    const { template } = await sourceTemplate(stageName, params);
    const createdByStack = new Set(namesOf(template.Resources, 'AWS::SecretsManager::Secret'));
    const values = new Map<string, string>();
    for (const name of Object.values(secretNames)) {
      const read = await readSecret(secrets, name);
      const deployCreates = createdByStack.has(name)
        ? local
          ? 'restart npm start (the local stack seeds it)'
          : `npx serverless deploy --stage ${stageName} (with the stage's --param flags)`
        : undefined;
      const result = secretCheck(name, read, aws, deployCreates);
      if ('value' in read && result.status === 'pass') values.set(name, read.value);
      results.push(result);
    }

    // 2. The distribution id: the deploy parameter, against a leftover guest-site secret if one is there.
    const leftover = await readSecret(secrets, LEFTOVER_GUEST_SITE_SECRET);
    // A secret scheduled for deletion is gone as far as any reader is concerned.
    const gone =
      'errorName' in leftover &&
      (leftover.errorName === 'ResourceNotFoundException' ||
        (leftover.errorName === 'InvalidRequestException' && /deletion/i.test(leftover.message)));
    if ('value' in leftover || gone)
      results.push(
        guestSiteSecretCheck(
          'value' in leftover ? leftover.value : undefined,
          params,
          deployHint('guestSiteDistributionId'),
          aws,
        ),
      );
    else
      results.push({
        id: 'guest-site distribution id',
        status: 'FAIL',
        detail: `guest-site distribution: the leftover ${LEFTOVER_GUEST_SITE_SECRET} secret cannot be read (${leftover.errorName}: ${leftover.message})`,
        fix: `allow secretsmanager:GetSecretValue on ${LEFTOVER_GUEST_SITE_SECRET} to the credentials preflight runs with, then run it again`,
      });

    // 3. The buckets the stage names and does not create.
    results.push(
      bucketCheck(
        { id: 'guest-site bucket', label: 'guest-site', param: 'guestSiteBucket' },
        params.guestSiteBucket,
        await headBucket(s3, params.guestSiteBucket),
        deployHint('guestSiteBucket'),
      ),
      bucketCheck(
        { id: 'legacy bucket', label: 'legacy', param: 'legacyBucket' },
        params.legacyBucket,
        await headBucket(s3, params.legacyBucket),
        deployHint('legacyBucket'),
      ),
    );

    // 4. The guest pages' behaviour runs the stage's CloudFront Function, named as the deploy names it.
    const [functionName] = namesOf(template.Resources, 'AWS::CloudFront::Function');
    if (!functionName) throw new Error('the template has no CloudFront Function: nothing to check on the distribution');
    const [headersPolicyName] = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::CloudFront::ResponseHeadersPolicy')
      .map(
        (r) => (r.Properties as { ResponseHeadersPolicyConfig?: { Name?: string } }).ResponseHeadersPolicyConfig?.Name,
      )
      .filter((name): name is string => typeof name === 'string');
    if (!headersPolicyName) throw new Error('the template has no response headers policy: nothing to check on /g/*');
    try {
      const { DistributionConfig } = await cloudFront.send(
        new GetDistributionConfigCommand({ Id: params.guestSiteDistributionId }),
      );
      results.push(
        functionAttachedCheck(
          params.guestSiteDistributionId,
          DistributionConfig ?? {},
          GUEST_PAGE_PATH_PATTERN,
          functionName,
        ),
      );
      const policyId = DistributionConfig?.CacheBehaviors?.Items?.find(
        (b) => b.PathPattern === GUEST_PAGE_PATH_PATTERN,
      )?.ResponseHeadersPolicyId;
      let attachedPolicyName: string | undefined;
      if (policyId) {
        try {
          const { ResponseHeadersPolicy } = await cloudFront.send(
            new GetResponseHeadersPolicyCommand({ Id: policyId }),
          );
          attachedPolicyName = ResponseHeadersPolicy?.ResponseHeadersPolicyConfig?.Name;
        } catch {
          // A policy that cannot be read is named by its id in the check's line.
        }
      }
      results.push(
        headersPolicyCheck(
          params.guestSiteDistributionId,
          DistributionConfig ?? {},
          GUEST_PAGE_PATH_PATTERN,
          headersPolicyName,
          attachedPolicyName,
        ),
      );
    } catch (error) {
      const e = error as Error;
      results.push({
        id: 'guest-page function',
        status: 'FAIL',
        detail:
          e.name === 'NoSuchDistribution'
            ? `distribution ${params.guestSiteDistributionId}: not found`
            : `distribution ${params.guestSiteDistributionId}: cannot be read (${e.name}: ${e.message})`,
        fix:
          e.name === 'NoSuchDistribution'
            ? `name the guest site's distribution: ${deployHint('guestSiteDistributionId')}`
            : 'allow cloudfront:GetDistributionConfig to the credentials preflight runs with, then run it again',
      });
      results.push(
        skip('guest-page headers policy', 'response headers policy not checked: the distribution cannot be read'),
      );
    }

    // 5. SES: the identity guest-mail may send as, and whether the account is out of the sandbox.
    let productionAccess: boolean | undefined;
    try {
      productionAccess = (await ses.send(new GetAccountCommand({}))).ProductionAccessEnabled;
    } catch {
      // Shown as unknown; the identity's own read says what is wrong with the credentials.
    }
    let identity: Parameters<typeof sesIdentityCheck>[1];
    try {
      const answer = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: params.guestMailIdentity }));
      identity = {
        verified: answer.VerifiedForSendingStatus === true,
        ...(answer.VerificationStatus ? { status: answer.VerificationStatus } : {}),
      };
    } catch (error) {
      identity = { errorName: (error as Error).name, message: (error as Error).message };
    }
    results.push(sesIdentityCheck(params.guestMailIdentity, identity, productionAccess));

    // 6. SCC's table, keyed as crew and scrub read it.
    let table: Parameters<typeof sccTableCheck>[1];
    try {
      table = {
        table: (await dynamodb.send(new DescribeTableCommand({ TableName: params.sccTableName }))).Table ?? {},
      };
    } catch (error) {
      table = { errorName: (error as Error).name, message: (error as Error).message };
    }
    results.push(sccTableCheck(params.sccTableName, table, deployHint('sccTableName')));

    // 7. JADA and SCC, through our own clients, with the credentials read above (never printed).
    const credentials: CredentialSource = {
      get: (name) => {
        const value = values.get(name);
        return value === undefined
          ? Promise.reject(new Error(`secret ${name} did not pass its check`))
          : Promise.resolve(value);
      },
      invalidate: () => undefined,
    };
    const http = {
      retry: PROBE_RETRY,
      logger: new Logger({ serviceName: 'charterflow.preflight', logLevel: 'SILENT' }),
    };
    const systems = [
      {
        id: 'jada-probe',
        label: 'JADA calendar',
        secret: secretNames.jadaDashboardToken,
        urlParam: 'jadaCalendarUrl',
        url: params.jadaCalendarUrl,
        env: 'JADA_CALENDAR_URL',
        probe: () => jadaCalendarApi(credentials, http).probe({}),
      },
      {
        id: 'scc-probe',
        label: 'SCC',
        secret: secretNames.sccServiceKey,
        urlParam: 'sccInvokeUrl',
        url: params.sccInvokeUrl,
        env: 'SCC_API_URL',
        probe: () => sccApi(credentials, http).probe({}),
      },
    ];
    for (const system of systems) {
      // The clients read their base URL from the environment Lambda gets; here it is the stage's parameter.
      process.env[system.env] = system.url;
      let outcome: Parameters<typeof probeCheck>[1];
      if (!values.has(system.secret)) outcome = { skipped: `its secret ${system.secret} failed its check above` };
      else {
        try {
          await system.probe();
          outcome = { ok: true };
        } catch (error) {
          outcome =
            error instanceof DownstreamError
              ? { ...(error.status !== undefined ? { status: error.status } : {}), message: error.reason }
              : { message: (error as Error).message };
        }
      }
      results.push(probeCheck(system, outcome, aws));
    }
  } finally {
    for (const client of [secrets, s3, cloudFront, dynamodb, ses]) client.destroy();
  }
  return results;
}

async function readSecret(
  client: ReturnType<typeof secretsManagerClient>,
  name: string,
): Promise<{ value: string } | { errorName: string; message: string }> {
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: name }));
    return { value: SecretString ?? '' };
  } catch (error) {
    return { errorName: (error as Error).name, message: (error as Error).message };
  }
}

async function headBucket(
  client: ReturnType<typeof s3Client>,
  bucket: string,
): Promise<{ ok: true } | { errorName: string; status?: number }> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return { ok: true };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return { errorName: (error as Error).name, ...(status !== undefined ? { status } : {}) };
  }
}

/** The Name of each resource of a type in the stage's template, made in-process as the deploy makes it (deploy/template.ts). */
function namesOf(resources: Record<string, Record<string, unknown>>, type: string): string[] {
  return Object.values(resources)
    .filter((r) => r.Type === type)
    .map((r) => (r.Properties as { Name?: unknown } | undefined)?.Name)
    .filter((name): name is string => typeof name === 'string');
}
