import { secretNames } from '../../shared/config';

/**
 * The pure part of `charterflow preflight`: what each answer AWS, JADA or SCC gave means for the deploy's
 * prerequisites (docs/deploy.md), and the one line each check prints. The command (cli/preflight.ts) makes
 * the read-only calls and hands the answers here.
 */

export type CheckStatus = 'pass' | 'FAIL' | 'skip';

export interface CheckResult {
  /** Stable, for scripts and tests: "secret charterflow/jada/dashboard-token", "scc-table", "jada-probe". */
  id: string;
  status: CheckStatus;
  /** What was checked and what was found, in one line; never a secret's value. */
  detail: string;
  /** When failing: the exact command or console step that fixes it. */
  fix?: string;
}

export const pass = (id: string, detail: string): CheckResult => ({ id, status: 'pass', detail });
export const fail = (id: string, detail: string, fix: string): CheckResult => ({ id, status: 'FAIL', detail, fix });
export const skip = (id: string, detail: string): CheckResult => ({ id, status: 'skip', detail });

/** "pass  ...", "FAIL  ..." and its fix on the next line, indented under the text. */
export function formatCheck(result: CheckResult): string[] {
  const lines = [`${result.status.padEnd(4)}  ${result.detail}`];
  if (result.fix) lines.push(`      fix: ${result.fix}`);
  return lines;
}

/** The closing line: every check passed, or how many failed. */
export function summaryOf(results: readonly CheckResult[]): string {
  const failed = results.filter((r) => r.status === 'FAIL').length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const tail = skipped ? `, ${skipped} skipped` : '';
  return failed === 0
    ? `preflight: all ${results.length - skipped} checks passed${tail}`
    : `preflight: ${failed} of ${results.length} checks failed${tail}`;
}

/** What each secret holds, for the placeholder in its fix. */
const SECRET_PLACEHOLDERS: Record<string, string> = {
  [secretNames.webhookSecret]: '<the whsec_ signing secret Boatsetter gives you>',
  [secretNames.jadaDashboardToken]: '<JADA dashboard token>',
  [secretNames.sccServiceKey]: '<SCC service key>',
};
const placeholderOf = (name: string) => SECRET_PLACEHOLDERS[name] ?? '<its value>';

/** The webhook secret: one whsec_ secret, or several separated by spaces while a rotation is under way. */
const WHSEC = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/**
 * Why a secret's value cannot be used, or undefined when it parses. A value with spaces or a newline around it
 * is refused: a token pasted from a file with its newline is sent as is in a header, and refused there.
 */
export function secretValueProblem(name: string, value: string): string | undefined {
  if (value.trim() === '') return 'its value is empty';
  if (name === secretNames.webhookSecret) {
    const parts = value.trim().split(/\s+/);
    const bad = parts.findIndex((part) => !WHSEC.test(part));
    if (bad >= 0)
      return parts.length === 1
        ? 'its value is not a whsec_ signing secret (whsec_ then base64)'
        : `its value's secret number ${bad + 1} of ${parts.length} is not a whsec_ signing secret`;
    return undefined;
  }
  if (value !== value.trim()) return 'its value has spaces or a newline around it';
  if (/\s/.test(value)) return 'its value holds spaces or a newline (one token is expected)';
  return undefined;
}

/**
 * One secret's check, from GetSecretValue's answer (its value) or its error. `deployCreates` is how to deploy the
 * stage when the stack itself creates the secret (a generated value): then that is the fix for a missing one.
 */
export function secretCheck(
  name: string,
  read: { value: string } | { errorName: string; message: string },
  aws: (command: string) => string,
  deployCreates?: string,
): CheckResult {
  const id = `secret ${name}`;
  if (deployCreates !== undefined && !('value' in read) && read.errorName === 'ResourceNotFoundException')
    return fail(id, `secret ${name}: not found (the stack creates it)`, `deploy the stage: ${deployCreates}`);
  if (deployCreates !== undefined && 'value' in read && secretValueProblem(name, read.value))
    return fail(
      id,
      `secret ${name}: ${secretValueProblem(name, read.value)}`,
      aws(
        `aws secretsmanager put-secret-value --secret-id ${name} --secret-string "$(aws secretsmanager get-random-password --password-length 64 --exclude-punctuation --query RandomPassword --output text)"`,
      ),
    );
  if ('value' in read) {
    const problem = secretValueProblem(name, read.value);
    if (!problem) {
      const rotating = name === secretNames.webhookSecret && read.value.trim().split(/\s+/).length > 1;
      return pass(id, `secret ${name} exists and parses${rotating ? ' (two secrets: a rotation is under way)' : ''}`);
    }
    return fail(
      id,
      `secret ${name}: ${problem}`,
      aws(`aws secretsmanager put-secret-value --secret-id ${name} --secret-string '${placeholderOf(name)}'`),
    );
  }
  if (read.errorName === 'ResourceNotFoundException')
    return fail(
      id,
      `secret ${name}: not found`,
      aws(`aws secretsmanager create-secret --name ${name} --secret-string '${placeholderOf(name)}'`),
    );
  if (read.errorName === 'InvalidRequestException' && /deletion/i.test(read.message))
    return fail(
      id,
      `secret ${name}: scheduled for deletion`,
      aws(`aws secretsmanager restore-secret --secret-id ${name}`),
    );
  return fail(
    id,
    `secret ${name}: cannot be read (${read.errorName}: ${read.message})`,
    `allow secretsmanager:GetSecretValue on ${name} to the credentials preflight runs with, then run it again`,
  );
}

/** The secret guest-page read before 2026-12-05: `{"distributionId", "bucket"}`. No longer read, maybe still there. */
export const LEFTOVER_GUEST_SITE_SECRET = 'charterflow/guest-site';

/**
 * The distribution id the stage deploys with against the leftover guest-site secret, if there is one: the
 * secret is no longer read, but a different id in it means one of the two does not name the guest site.
 */
export function guestSiteSecretCheck(
  leftover: string | undefined,
  params: { guestSiteDistributionId: string; guestSiteBucket: string },
  deployHint: string,
  aws: (command: string) => string,
): CheckResult {
  const id = 'guest-site distribution id';
  const deleteIt = aws(`aws secretsmanager delete-secret --secret-id ${LEFTOVER_GUEST_SITE_SECRET}`);
  if (leftover === undefined)
    return pass(
      id,
      `guest-site distribution ${params.guestSiteDistributionId} is named by the deploy parameters alone (no leftover ${LEFTOVER_GUEST_SITE_SECRET} secret)`,
    );
  let held: { distributionId?: unknown; bucket?: unknown } = {};
  try {
    held = JSON.parse(leftover) as typeof held;
  } catch {
    // Not JSON: it names nothing, and it is not read any more; it differs all the same.
  }
  const differs: string[] = [];
  if (held.distributionId !== params.guestSiteDistributionId)
    differs.push(
      `distribution ${JSON.stringify(held.distributionId ?? null)} where the deploy parameters say ${params.guestSiteDistributionId}`,
    );
  if (held.bucket !== undefined && held.bucket !== params.guestSiteBucket)
    differs.push(`bucket ${JSON.stringify(held.bucket)} where the deploy parameters say ${params.guestSiteBucket}`);
  if (differs.length === 0)
    return pass(
      id,
      `guest-site distribution ${params.guestSiteDistributionId}: the deploy parameters and the leftover ${LEFTOVER_GUEST_SITE_SECRET} secret agree (no longer read: delete it with ${deleteIt})`,
    );
  return fail(
    id,
    `guest-site distribution: the leftover ${LEFTOVER_GUEST_SITE_SECRET} secret names ${differs.join(' and ')}`,
    `find which is the guest site's distribution (aws cloudfront get-distribution --id <id>); if it is not ${params.guestSiteDistributionId}, ${deployHint}; then ${deleteIt}`,
  );
}

/** The parts of GetDistributionConfig's answer the function check reads. */
export interface BehaviourConfig {
  PathPattern?: string;
  ResponseHeadersPolicyId?: string;
  FunctionAssociations?: { Items?: { FunctionARN?: string; EventType?: string }[] };
}
export interface DistributionConfigView {
  DefaultCacheBehavior?: BehaviourConfig;
  CacheBehaviors?: { Items?: BehaviourConfig[] };
}

/**
 * Whether the behaviour serving `pathPattern` runs the named function on viewer request: the behaviour with that
 * path pattern, or the default one when the distribution has none for it (docs/deploy.md allows either).
 */
export function functionAttachedCheck(
  distributionId: string,
  config: DistributionConfigView,
  pathPattern: string,
  functionName: string,
): CheckResult {
  const id = 'guest-page function';
  const own = config.CacheBehaviors?.Items?.find((b) => b.PathPattern === pathPattern);
  const behaviour = own ?? config.DefaultCacheBehavior;
  const where = own ? `the ${pathPattern} behaviour` : `the default behaviour (no ${pathPattern} behaviour)`;
  const associations = behaviour?.FunctionAssociations?.Items ?? [];
  const ours = associations.find((a) => a.EventType === 'viewer-request' && arnNames(a.FunctionARN, functionName));
  if (ours) return pass(id, `distribution ${distributionId}: ${where} runs ${functionName} on viewer request`);
  const found = associations.find((a) => a.EventType === 'viewer-request');
  return fail(
    id,
    `distribution ${distributionId}: ${where} runs ${found ? `${found.FunctionARN} on viewer request, not ${functionName}` : `no function on viewer request (expected ${functionName})`}`,
    `attach GuestPageCloudFrontFunctionArn (npx serverless info --stage <stage> --verbose) to ${where} as Viewer request -> CloudFront Functions: in the console, the behaviour's Function associations; or add {"FunctionARN": "<arn>", "EventType": "viewer-request"} to its FunctionAssociations in aws cloudfront get-distribution-config --id ${distributionId} and send it back with aws cloudfront update-distribution --id ${distributionId} --if-match <ETag> --distribution-config file://config.json (docs/deploy.md)`,
  );
}

/**
 * Whether the behaviour for `pathPattern` has the stage's response headers policy. Only that behaviour: the policy
 * allows no script, which would break the rest of the site (docs/deploy.md), so the default one does not count.
 */
export function headersPolicyCheck(
  distributionId: string,
  config: DistributionConfigView,
  pathPattern: string,
  policyName: string,
  attachedPolicyName: string | undefined,
): CheckResult {
  const id = 'guest-page headers policy';
  const attach = `attach GuestPageResponseHeadersPolicyId (npx serverless info --stage <stage> --verbose) to the ${pathPattern} behaviour: in the console, the behaviour -> Response headers policy -> ${policyName}; or set "ResponseHeadersPolicyId" on it in aws cloudfront get-distribution-config --id ${distributionId} and send it back with aws cloudfront update-distribution --id ${distributionId} --if-match <ETag> --distribution-config file://config.json (docs/deploy.md)`;
  const behaviour = config.CacheBehaviors?.Items?.find((b) => b.PathPattern === pathPattern);
  if (!behaviour)
    return fail(
      id,
      `distribution ${distributionId} has no ${pathPattern} behaviour for the guest pages' security headers`,
      `add a ${pathPattern} behaviour with the default behaviour's origin and settings, then ${attach}`,
    );
  if (!behaviour.ResponseHeadersPolicyId)
    return fail(
      id,
      `distribution ${distributionId}: the ${pathPattern} behaviour has no response headers policy`,
      attach,
    );
  if (attachedPolicyName !== policyName)
    return fail(
      id,
      `distribution ${distributionId}: the ${pathPattern} behaviour has response headers policy ${attachedPolicyName ?? behaviour.ResponseHeadersPolicyId}, not ${policyName}`,
      attach,
    );
  return pass(
    id,
    `distribution ${distributionId}: the ${pathPattern} behaviour has response headers policy ${policyName}`,
  );
}

const arnNames = (arn: string | undefined, functionName: string) =>
  typeof arn === 'string' &&
  /^arn:aws[a-z-]*:cloudfront::\d{12}:function\//.test(arn) &&
  arn.endsWith(`:function/${functionName}`);

/** The SES identity guest-mail sends as, verified; the account's sandbox status shown beside it. */
export function sesIdentityCheck(
  identity: string,
  read: { verified: boolean; status?: string } | { errorName: string; message: string },
  productionAccess: boolean | undefined,
): CheckResult {
  const id = 'ses-identity';
  const sandbox =
    productionAccess === undefined
      ? 'sandbox status unknown'
      : productionAccess
        ? 'account out of the sandbox (production access)'
        : 'account IN THE SANDBOX: mail goes to verified addresses only, renters are refused until production access is granted (console: SES -> Account dashboard -> Request production access)';
  const verifyStep = `verify ${identity} in SES (console: SES -> Identities -> ${identity}: publish its DKIM records${identity.includes('@') ? ', or follow the link mailed to it' : ''}; or create it with aws sesv2 create-email-identity --email-identity ${identity})`;
  if ('errorName' in read) {
    if (read.errorName === 'NotFoundException')
      return fail(id, `SES identity ${identity}: not found; ${sandbox}`, verifyStep);
    return fail(
      id,
      `SES identity ${identity}: cannot be read (${read.errorName}: ${read.message}); ${sandbox}`,
      `allow ses:GetEmailIdentity and ses:GetAccount to the credentials preflight runs with, then run it again`,
    );
  }
  if (read.verified) return pass(id, `SES identity ${identity} is verified for sending; ${sandbox}`);
  return fail(
    id,
    `SES identity ${identity} is not verified for sending${read.status ? ` (${read.status})` : ''}; ${sandbox}`,
    verifyStep,
  );
}

/** The SCC events table as crew and scrub read it: one item per event, keyed by its id (a string). */
export const SCC_EVENT_KEY = 'eventId';

export interface TableView {
  KeySchema?: { AttributeName?: string; KeyType?: string }[];
  AttributeDefinitions?: { AttributeName?: string; AttributeType?: string }[];
}

export function sccTableCheck(
  tableName: string,
  read: { table: TableView } | { errorName: string; message: string },
  deployHint: string,
): CheckResult {
  const id = 'scc-table';
  const fixName = `name SCC's events table: ${deployHint}`;
  if ('errorName' in read) {
    if (read.errorName === 'ResourceNotFoundException')
      return fail(id, `SCC table ${tableName}: not found in this account and region`, fixName);
    return fail(
      id,
      `SCC table ${tableName}: cannot be described (${read.errorName}: ${read.message})`,
      `allow dynamodb:DescribeTable on ${tableName} to the credentials preflight runs with, then run it again`,
    );
  }
  const keys = (read.table.KeySchema ?? []).map((k) => `${k.AttributeName} ${k.KeyType}`);
  const type = read.table.AttributeDefinitions?.find((a) => a.AttributeName === SCC_EVENT_KEY)?.AttributeType;
  if (keys.length === 1 && keys[0] === `${SCC_EVENT_KEY} HASH` && type === 'S')
    return pass(id, `SCC table ${tableName} is keyed by ${SCC_EVENT_KEY} (string), as crew and scrub read it`);
  return fail(
    id,
    `SCC table ${tableName} is keyed by ${keys.join(', ') || 'nothing'}${type && type !== 'S' ? ` (${SCC_EVENT_KEY} of type ${type})` : ''}, not ${SCC_EVENT_KEY} (string) alone: it is not SCC's events table`,
    fixName,
  );
}

/** JADA's or SCC's answer to the authenticated probe. */
export function probeCheck(
  system: { id: string; label: string; secret: string; urlParam: string; url: string },
  outcome: { ok: true } | { skipped: string } | { status?: number; message: string },
  aws: (command: string) => string,
): CheckResult {
  if ('ok' in outcome) return pass(system.id, `${system.label} at ${system.url} answers the authenticated probe`);
  if ('skipped' in outcome) return skip(system.id, `${system.label} probe not run: ${outcome.skipped}`);
  if (outcome.status === 401 || outcome.status === 403)
    return fail(
      system.id,
      `${system.label} at ${system.url} refuses the credential in ${system.secret} (HTTP ${outcome.status})`,
      aws(
        `aws secretsmanager put-secret-value --secret-id ${system.secret} --secret-string '${placeholderOf(system.secret)}'`,
      ),
    );
  return fail(
    system.id,
    `${system.label} at ${system.url} does not answer the probe: ${outcome.message}`,
    `check ${system.label}'s base URL, deploy parameter ${system.urlParam} (--param=${system.urlParam}=<URL>), and that ${system.label} is up`,
  );
}

/** The guest site's or the legacy bucket, by HeadBucket's answer. */
export function bucketCheck(
  which: { id: string; label: string; param: string },
  bucket: string,
  read: { ok: true } | { errorName: string; status?: number },
  deployHint: string,
): CheckResult {
  if ('ok' in read) return pass(which.id, `${which.label} bucket ${bucket} exists`);
  if (read.status === 404 || read.errorName === 'NotFound' || read.errorName === 'NoSuchBucket')
    return fail(
      which.id,
      `${which.label} bucket ${bucket}: not found`,
      `name the ${which.label} bucket: ${deployHint}`,
    );
  return fail(
    which.id,
    `${which.label} bucket ${bucket}: cannot be read (${read.errorName}${read.status ? `, HTTP ${read.status}` : ''})`,
    `allow s3:ListBucket on ${bucket} to the credentials preflight runs with, then run it again`,
  );
}
