import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFrontClient, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateEmailIdentityCommand, DeleteEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { Io } from '../../cli/args';
import type { CheckResult } from '../../cli/operator/preflight';
import { runPreflight } from '../../cli/preflight';
import type { CacheBehaviorSettings } from '../../local/aws/cloudfront/index';
import { devSecrets } from '../../local/charterflow/seed';
import { startStack, type LocalStack } from '../../local/charterflow/stack';
import { sccTables } from '../../local/stand-ins/scc/model';
import { secretNames } from '../../shared/config';
import { clientConfig } from '../local/support';

/**
 * `charterflow preflight --local` on a plain local stack passes every check; each prerequisite broken in turn,
 * as an operator could get it wrong in AWS, fails exactly its own check, with its fix, and the exit code is 1.
 */

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), rewrite: () => undefined, isTTY: false };
  return { io, out, err };
}

interface Break {
  /** The prerequisite, as the operator would get it wrong. */
  prerequisite: string;
  /** The one check that must fail, and what its line and fix must say. */
  check: string;
  detail: RegExp;
  fix: RegExp;
  /** Checks that cannot run without the broken one's result, and say so. */
  skipped?: string[];
  breakIt(): Promise<void> | void;
  repair(): Promise<void> | void;
}

describe('charterflow preflight', () => {
  let stack: LocalStack;
  let secrets: SecretsManagerClient;
  let s3: S3Client;
  let dynamodb: DynamoDBClient;
  let ses: SESv2Client;
  let targetFlags: string[];
  let guestPageBehaviours: CacheBehaviorSettings[];
  const sccEvents = sccTables[0]!;

  const preflight = async (...argv: string[]) => {
    const capture = captureIo();
    const code = await runPreflight(['--local', ...targetFlags, ...argv], capture.io);
    return { code, ...capture };
  };
  const checks = async () => {
    const run = await preflight('--json');
    return { code: run.code, results: JSON.parse(run.out.at(-1)!) as CheckResult[] };
  };
  const standIn = (name: string, path: string, body: unknown) =>
    fetch(`${new URL(stack.endpoints.standIns[name]!).origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    stack = await startStack({ ephemeral: true, ports: { aws: 0 }, consumers: [] });
    Object.assign(process.env, stack.env);
    // The stand-ins listen where this stack put them: the deploy parameters say so, as --param would in AWS.
    targetFlags = [
      '--param',
      `jadaCalendarUrl=${stack.endpoints.standIns['jada-calendar']}`,
      `--param=sccInvokeUrl=${stack.endpoints.standIns.scc}`,
    ];
    const config = clientConfig(stack);
    secrets = new SecretsManagerClient(config);
    s3 = new S3Client({ ...config, forcePathStyle: true });
    dynamodb = new DynamoDBClient(config);
    ses = new SESv2Client({ ...config, endpoint: stack.endpoints.mailbox });
    const cloudFront = new CloudFrontClient(config);
    const { DistributionConfig } = await cloudFront.send(
      new GetDistributionConfigCommand({ Id: stack.wiring.params.guestSiteDistributionId }),
    );
    cloudFront.destroy();
    guestPageBehaviours = (DistributionConfig?.CacheBehaviors?.Items ?? []).map((b) => ({
      pathPattern: b.PathPattern!,
      functionAssociations: (b.FunctionAssociations?.Items ?? []).map((f) => ({
        functionArn: f.FunctionARN!,
        eventType: f.EventType as 'viewer-request',
      })),
      ...(b.ResponseHeadersPolicyId ? { responseHeadersPolicyId: b.ResponseHeadersPolicyId } : {}),
    }));
  });

  afterAll(async () => {
    for (const client of [secrets, s3, dynamodb, ses]) client?.destroy();
    await stack?.stop();
  });

  it('passes every check on the local stack as npm start makes it, and prints one line per check', async () => {
    const run = await preflight();
    expect(run.code, run.out.join('\n')).toBe(0);
    expect(run.err[0]).toMatch(/^target: local stack http:\/\/127\.0\.0\.1:\d+ \(stage local\)$/);
    expect(run.out.at(-1)).toMatch(/^preflight: all \d+ checks passed$/);
    const lines = run.out.slice(0, -1);
    expect(lines.every((line) => line.startsWith('pass  '))).toBe(true);
    for (const name of Object.values(secretNames)) expect(lines).toContain(`pass  secret ${name} exists and parses`);
    expect(lines.join('\n')).toContain('runs charterflow-local-guest-page on viewer request');
    expect(lines.join('\n')).toContain(
      'SES identity queenofsandiego.com is verified for sending; account out of the sandbox',
    );
    // No credential reaches the output.
    for (const value of Object.values(devSecrets)) expect(run.out.join('\n')).not.toContain(value);
  });

  const SMOKE_KEY = 'charterflow/smoke/signing-key';
  const smokeKeyMissing = (): Break => ({
    prerequisite: 'the smoke signing key missing, which the stack creates',
    check: 'secret charterflow/smoke/signing-key',
    detail: /^secret charterflow\/smoke\/signing-key: not found \(the stack creates it\)$/,
    fix: /^deploy the stage: restart npm start/,
    breakIt: async () => {
      await secrets.send(new DeleteSecretCommand({ SecretId: SMOKE_KEY, ForceDeleteWithoutRecovery: true }));
    },
    repair: async () => {
      await secrets.send(
        new CreateSecretCommand({
          Name: SMOKE_KEY,
          SecretString: devSecrets[SMOKE_KEY],
        }),
      );
    },
  });

  const breaks: Break[] = [
    {
      prerequisite: 'the webhook secret deleted',
      check: `secret ${secretNames.webhookSecret}`,
      detail: /^secret charterflow\/boatsetter\/webhook-secret: not found$/,
      fix: /^aws secretsmanager create-secret --name charterflow\/boatsetter\/webhook-secret --secret-string '<the whsec_ signing secret Boatsetter gives you>' --endpoint-url http:\/\/127\.0\.0\.1:\d+$/,
      breakIt: async () => {
        await secrets.send(
          new DeleteSecretCommand({ SecretId: secretNames.webhookSecret, ForceDeleteWithoutRecovery: true }),
        );
      },
      repair: async () => {
        await secrets.send(
          new CreateSecretCommand({
            Name: secretNames.webhookSecret,
            SecretString: devSecrets[secretNames.webhookSecret],
          }),
        );
      },
    },
    {
      prerequisite: 'the webhook secret garbled (not a whsec_ secret)',
      check: `secret ${secretNames.webhookSecret}`,
      detail: /: its value is not a whsec_ signing secret/,
      fix: /^aws secretsmanager put-secret-value --secret-id charterflow\/boatsetter\/webhook-secret /,
      breakIt: async () => {
        await secrets.send(
          new PutSecretValueCommand({ SecretId: secretNames.webhookSecret, SecretString: 'hunter2-not-whsec' }),
        );
      },
      repair: async () => {
        await secrets.send(
          new PutSecretValueCommand({
            SecretId: secretNames.webhookSecret,
            SecretString: devSecrets[secretNames.webhookSecret],
          }),
        );
      },
    },
    {
      prerequisite: 'the JADA token pasted with its newline',
      check: `secret ${secretNames.jadaDashboardToken}`,
      detail: /: its value has spaces or a newline around it$/,
      skipped: ['jada-probe'],
      fix: /^aws secretsmanager put-secret-value --secret-id charterflow\/jada\/dashboard-token --secret-string '<JADA dashboard token>'/,
      breakIt: async () => {
        await secrets.send(
          new PutSecretValueCommand({
            SecretId: secretNames.jadaDashboardToken,
            SecretString: `${devSecrets[secretNames.jadaDashboardToken]}\n`,
          }),
        );
      },
      repair: async () => {
        await secrets.send(
          new PutSecretValueCommand({
            SecretId: secretNames.jadaDashboardToken,
            SecretString: devSecrets[secretNames.jadaDashboardToken],
          }),
        );
      },
    },
    // The key smoke signs with, once shared/config.ts names it: the stack creates it, so a missing one is a deploy.
    ...(Object.values(secretNames).includes(SMOKE_KEY as never) ? [smokeKeyMissing()] : []),
    {
      prerequisite: 'a leftover guest-site secret naming another distribution',
      check: 'guest-site distribution id',
      detail:
        /the leftover charterflow\/guest-site secret names distribution "E2SOMEOTHER0" where the deploy parameters say E1CHARTERFLOWLOCAL/,
      fix: /then aws secretsmanager delete-secret --secret-id charterflow\/guest-site --endpoint-url /,
      breakIt: async () => {
        await secrets.send(
          new CreateSecretCommand({
            Name: 'charterflow/guest-site',
            SecretString: JSON.stringify({ distributionId: 'E2SOMEOTHER0', bucket: 'queenofsandiego.com' }),
          }),
        );
      },
      repair: async () => {
        await secrets.send(
          new DeleteSecretCommand({ SecretId: 'charterflow/guest-site', ForceDeleteWithoutRecovery: true }),
        );
      },
    },
    {
      prerequisite: 'the guest-site bucket missing',
      check: 'guest-site bucket',
      detail: /^guest-site bucket queenofsandiego\.com: not found$/,
      fix: /guestSiteBucket/,
      breakIt: async () => {
        await s3.send(new DeleteBucketCommand({ Bucket: stack.wiring.params.guestSiteBucket }));
      },
      repair: async () => {
        await s3.send(new CreateBucketCommand({ Bucket: stack.wiring.params.guestSiteBucket }));
      },
    },
    {
      prerequisite: 'the CloudFront Function taken off the /g/* behaviour',
      check: 'guest-page function',
      detail: /the \/g\/\* behaviour runs no function on viewer request \(expected charterflow-local-guest-page\)$/,
      fix: /FunctionAssociations .*aws cloudfront update-distribution --id E1CHARTERFLOWLOCAL --if-match <ETag>/,
      breakIt: () => {
        stack.cloudFront.setCacheBehaviors(
          stack.wiring.params.guestSiteDistributionId,
          guestPageBehaviours.map(({ functionAssociations: _taken, ...behaviour }) => behaviour),
        );
      },
      repair: () => {
        stack.cloudFront.setCacheBehaviors(stack.wiring.params.guestSiteDistributionId, guestPageBehaviours);
      },
    },
    {
      prerequisite: 'the response headers policy taken off the /g/* behaviour',
      check: 'guest-page headers policy',
      detail: /the \/g\/\* behaviour has no response headers policy$/,
      fix: /Response headers policy -> charterflow-local-guest-page/,
      breakIt: () => {
        stack.cloudFront.setCacheBehaviors(
          stack.wiring.params.guestSiteDistributionId,
          guestPageBehaviours.map(({ responseHeadersPolicyId: _taken, ...behaviour }) => behaviour),
        );
      },
      repair: () => {
        stack.cloudFront.setCacheBehaviors(stack.wiring.params.guestSiteDistributionId, guestPageBehaviours);
      },
    },
    {
      prerequisite: 'the SES identity not verified',
      check: 'ses-identity',
      detail: /^SES identity queenofsandiego\.com is not verified for sending \(PENDING\); account out of the sandbox/,
      fix: /^verify queenofsandiego\.com in SES \(console: SES -> Identities/,
      breakIt: async () => {
        await ses.send(new DeleteEmailIdentityCommand({ EmailIdentity: 'queenofsandiego.com' }));
        await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'queenofsandiego.com' }));
      },
      repair: async () => {
        const answer = await fetch(`${stack.endpoints.mailbox}/__verify-identity`, {
          method: 'POST',
          body: JSON.stringify({ identity: 'queenofsandiego.com' }),
        });
        expect(answer.status).toBe(200);
      },
    },
    {
      prerequisite: 'the SCC table missing',
      check: 'scc-table',
      detail: /^SCC table scc-events: not found in this account and region$/,
      fix: /sccTableName/,
      breakIt: async () => {
        await dynamodb.send(new DeleteTableCommand({ TableName: sccEvents.TableName }));
      },
      repair: async () => {
        await dynamodb.send(new CreateTableCommand(sccEvents));
      },
    },
    {
      prerequisite: 'the SCC table keyed otherwise',
      check: 'scc-table',
      detail: /^SCC table scc-events is keyed by id HASH, not eventId \(string\) alone/,
      fix: /sccTableName/,
      breakIt: async () => {
        await dynamodb.send(new DeleteTableCommand({ TableName: sccEvents.TableName }));
        await dynamodb.send(
          new CreateTableCommand({
            TableName: sccEvents.TableName,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          }),
        );
      },
      repair: async () => {
        await dynamodb.send(new DeleteTableCommand({ TableName: sccEvents.TableName }));
        await dynamodb.send(new CreateTableCommand(sccEvents));
      },
    },
    {
      prerequisite: 'JADA expecting another dashboard token than the secret holds',
      check: 'jada-probe',
      detail:
        /^JADA calendar at http:\/\/127\.0\.0\.1:\d+ refuses the credential in charterflow\/jada\/dashboard-token \(HTTP 401\)$/,
      fix: /^aws secretsmanager put-secret-value --secret-id charterflow\/jada\/dashboard-token /,
      breakIt: async () => {
        expect((await standIn('jada-calendar', '/__credential', { value: 'jada_rotated_elsewhere' })).status).toBe(204);
      },
      repair: async () => {
        const value = devSecrets[secretNames.jadaDashboardToken];
        expect((await standIn('jada-calendar', '/__credential', { value })).status).toBe(204);
      },
    },
    {
      prerequisite: 'SCC expecting another service key than the secret holds',
      check: 'scc-probe',
      detail:
        /^SCC at http:\/\/127\.0\.0\.1:\d+\/prod refuses the credential in charterflow\/scc\/service-key \(HTTP 401\)$/,
      fix: /^aws secretsmanager put-secret-value --secret-id charterflow\/scc\/service-key /,
      breakIt: async () => {
        expect((await standIn('scc', '/__credential', { value: 'scc_rotated_elsewhere' })).status).toBe(204);
      },
      repair: async () => {
        const value = devSecrets[secretNames.sccServiceKey];
        expect((await standIn('scc', '/__credential', { value })).status).toBe(204);
      },
    },
  ];

  it.each(breaks)('fails only its own check, with its fix, when $prerequisite', async (broken) => {
    expect((await checks()).code).toBe(0);
    await broken.breakIt();
    try {
      const { code, results } = await checks();
      expect(code).toBe(1);
      expect(results.filter((r) => r.status === 'skip').map((r) => r.id)).toEqual(broken.skipped ?? []);
      const failing = results.filter((r) => r.status === 'FAIL');
      expect(failing.map((r) => r.id)).toEqual([broken.check]);
      expect(failing[0]!.detail).toMatch(broken.detail);
      expect(failing[0]!.fix).toMatch(broken.fix);
      // The same failure as the operator reads it: the line, then its fix under it.
      const run = await preflight();
      expect(run.code).toBe(1);
      const at = run.out.findIndex((line) => line.startsWith('FAIL  '));
      expect(run.out[at]).toBe(`FAIL  ${failing[0]!.detail}`);
      expect(run.out[at + 1]).toBe(`      fix: ${failing[0]!.fix}`);
      expect(run.out.at(-1)).toMatch(
        broken.skipped ? /^preflight: 1 of \d+ checks failed, 1 skipped$/ : /^preflight: 1 of \d+ checks failed$/,
      );
    } finally {
      await broken.repair();
    }
    expect((await checks()).code).toBe(0);
  });

  it('skips the probe whose credential is missing rather than calling with none, and says why', async () => {
    await secrets.send(
      new DeleteSecretCommand({ SecretId: secretNames.sccServiceKey, ForceDeleteWithoutRecovery: true }),
    );
    try {
      const { code, results } = await checks();
      expect(code).toBe(1);
      expect(results.filter((r) => r.status !== 'pass').map((r) => [r.id, r.status])).toEqual([
        [`secret ${secretNames.sccServiceKey}`, 'FAIL'],
        ['scc-probe', 'skip'],
      ]);
    } finally {
      await secrets.send(
        new CreateSecretCommand({
          Name: secretNames.sccServiceKey,
          SecretString: devSecrets[secretNames.sccServiceKey],
        }),
      );
    }
  });

  it('refuses a deploy parameter that is not NAME=VALUE, and a stage whose required parameters are not given', async () => {
    await expect(runPreflight(['--local', '--param', 'jadaCalendarUrl'], captureIo().io)).rejects.toThrow(
      /--param must be NAME=VALUE, got "jadaCalendarUrl"/,
    );
    const previous = process.env.CHARTERFLOW_STAGE;
    try {
      await expect(runPreflight(['--stage', 'prod'], captureIo().io)).rejects.toThrow(
        /deploy parameter \w+ is not set: pass --param=\w+=<value> \(as npx serverless deploy --stage prod would need\)/,
      );
    } finally {
      process.env.CHARTERFLOW_STAGE = previous;
    }
  });
});
