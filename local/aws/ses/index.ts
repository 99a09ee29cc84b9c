import { createRequire } from 'node:module';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { accessKeyIdOf, readBody, restRequestOf } from '../edge';
import { sendSesAccessDenied } from '../iam/answers';
import type { Authorize } from '../iam/index';
import { listenOnLoopback } from '../../listen';

/**
 * Amazon SES v2 on this laptop: aws-ses-v2-local (npm) keeps every mail, shows them in its web viewer at `/`
 * and lists them at `GET /store`. The SDK reaches it through AWS_ENDPOINT_URL_SESV2 (the SDK's per-service
 * endpoint variable), so the rest of AWS stays on the one edge port.
 *
 * In front of it, what SES has and the library has not: a malformed recipient is refused with
 * BadRequestException "Illegal address", as SES v2 answers, so the bad-address path runs locally too;
 * GetAccount answers as for an account out of the sandbox (the library wants one set in its environment);
 * the sending identities: the ones given at start are verified, CreateEmailIdentity adds one that is not (in
 * AWS it waits for its DNS records or the link mailed to it, which never come here), GetEmailIdentity and
 * DeleteEmailIdentity answer as SES does; they live in memory, given again at each start. An operation the
 * library lacks is refused with the one clear message naming it.
 * With a data directory, every mail sent is also appended to mailbox.jsonl there before SES answers, and read
 * back at start, so a stack restarted (or killed) on its state shows every mail it sent; without one the
 * mailbox lives in memory. With IAM on, a call is authorised for the access key that signed it (ses:SendEmail on
 * the sending identity) before the mailbox sees it.
 */

const require = createRequire(import.meta.url);
// CommonJS with a default export: required, so tsx and vitest load it alike.
const { default: startSesServer } = require('aws-ses-v2-local') as typeof import('aws-ses-v2-local');
const { default: isEmailValid } = require('aws-ses-v2-local/dist/isEmailValid.js') as {
  default: (address: string) => boolean;
};
const { clearStore, getStoreReadonly } = require('aws-ses-v2-local/dist/store.js') as {
  clearStore: () => void;
  getStoreReadonly: () => { emails: { at?: number }[] };
};

export interface Mailbox {
  /** The viewer, the SES endpoint and `GET /store`, all on one port. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const SEND_EMAIL_PATH = '/v2/email/outbound-emails';
const ACCOUNT_PATH = '/v2/email/account';
const IDENTITIES_PATH = '/v2/email/identities';
/**
 * The mailbox's own route (not SES): `{"identity": "..."}` verifies an identity created unverified, as its
 * owner publishing the DKIM records or following the mailed link would in AWS.
 */
const VERIFY_PATH = '/__verify-identity';
/** The SES v2 routes aws-ses-v2-local answers: SendEmail, SendBulkEmail and the email-template operations. */
const LIBRARY_ROUTES = /^\/v2\/email\/(outbound-emails|outbound-bulk-emails|templates(\/[^/]+(\/render)?)?)$/;
/** SES's default quota for an account out of the sandbox, in its first days of production. */
const SEND_QUOTA = { Max24HourSend: 50_000, MaxSendRate: 14 };

/**
 * Port 0 picks a free port; dataDir keeps the mails across restarts; authorize is IAM, as at the AWS edge;
 * identities are the sending identities (domains or addresses) verified already, as the operator's are in SES.
 */
export async function startMailbox(options: {
  port: number;
  dataDir?: string;
  authorize?: Authorize;
  identities?: readonly string[];
}): Promise<Mailbox> {
  // One store per process: a new stack starts with the mails kept on disk, or with an empty mailbox.
  clearStore();
  const kept = options.dataDir ? keptMails(join(options.dataDir, 'mailbox.jsonl')) : undefined;
  const inner: Server = await startSesServer({ host: '127.0.0.1', port: 0 });
  const innerPort = (inner.address() as AddressInfo).port;

  const identities = new Map((options.identities ?? []).map((name) => [name, { verified: true }]));
  const front = createServer((req, res) => {
    void handle(req, res, innerPort, kept, options.authorize, identities).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`local SES: ${(error as Error).message}`);
    });
  });
  const listening = await listenOnLoopback(front, options.port).catch(async (error: unknown) => {
    await closeServer(inner);
    throw error;
  });
  return {
    url: listening.url,
    port: listening.port,
    stop: async () => {
      await listening.close();
      await closeServer(inner);
    },
  };
}

/** The mails on disk, put back in the store (not sent again: the library's saveEmail would relay them). */
function keptMails(path: string): { keep(): void } {
  const { emails } = getStoreReadonly();
  if (existsSync(path)) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        emails.push(JSON.parse(line));
      } catch {
        // A line cut short by a kill mid-write: its mail was never answered as sent.
      }
    }
  }
  let written = emails.length;
  return {
    // Synchronous, before the answer: a mail SES said it sent is on disk whenever the process dies.
    keep: () => {
      const fresh = emails.slice(written);
      written = emails.length;
      if (fresh.length > 0) appendFileSync(path, fresh.map((mail) => `${JSON.stringify(mail)}\n`).join(''));
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  innerPort: number,
  kept: { keep(): void } | undefined,
  authorize: Authorize | undefined,
  identities: Identities,
): Promise<void> {
  const body = await readBody(req);
  const path = req.url?.split('?')[0] ?? '/';
  // The viewer and GET /store are the mailbox's own pages, not SES: only the API is authorised.
  if (authorize && path.startsWith('/v2/')) {
    const refusal = await authorize(accessKeyIdOf(req), restRequestOf(req, 'ses', body));
    if (refusal) return sendSesAccessDenied(res, refusal);
  }
  if (req.method === 'POST' && path === VERIFY_PATH) return verifyIdentity(res, body, identities);
  if (req.method === 'GET' && path === ACCOUNT_PATH) return sendJson(res, 200, account());
  if (path === IDENTITIES_PATH || path.startsWith(`${IDENTITIES_PATH}/`)) {
    const answered = identityOperation(req.method ?? 'GET', path, body, identities);
    if (answered) return sendJson(res, answered.status, answered.body, answered.errorType);
  }
  if (path.startsWith('/v2/') && !LIBRARY_ROUTES.test(path)) {
    // Named by method and route (the REST API has no operation header); SendEmail is what mail takes here.
    return sendJson(
      res,
      501,
      {
        message: `not supported by charterflow local: sesv2.${req.method} ${path} (supported: SendEmail, SendBulkEmail, GetAccount, GetEmailIdentity, CreateEmailIdentity, DeleteEmailIdentity, the email-template operations)`,
      },
      'UnsupportedOperation',
    );
  }
  if (req.method === 'POST' && path === SEND_EMAIL_PATH) {
    const illegal = recipientsOf(body).find((address) => !isEmailValid(address));
    if (illegal !== undefined) return sendJson(res, 400, { message: 'Illegal address' }, 'BadRequestException');
  }
  await forward(req, body, res, innerPort, () => kept?.keep());
}

/**
 * GetAccount as SES answers it for an account out of the sandbox, counting the mails of the last 24 hours.
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetAccount.html
 */
function account(): object {
  const since = Date.now() / 1000 - 24 * 60 * 60;
  return {
    DedicatedIpAutoWarmupEnabled: false,
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { ...SEND_QUOTA, SentLast24Hours: getStoreReadonly().emails.filter((m) => (m.at ?? 0) >= since).length },
    SuppressionAttributes: { SuppressedReasons: [] },
  };
}

type Identities = Map<string, { verified: boolean }>;

/**
 * GetEmailIdentity, CreateEmailIdentity and DeleteEmailIdentity; undefined for another route under identities/
 * (dkim, policies, ...), which is refused as unsupported.
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetEmailIdentity.html
 */
function identityOperation(
  method: string,
  path: string,
  body: Buffer,
  identities: Identities,
): { status: number; body: object; errorType?: string } | undefined {
  const rest = path.slice(IDENTITIES_PATH.length + 1);
  const notFound = (name: string) => ({
    status: 404,
    body: { message: `Email identity ${name} does not exist.` },
    errorType: 'NotFoundException',
  });
  const typeOf = (name: string) => (name.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN');
  if (method === 'POST' && path === IDENTITIES_PATH) {
    let name: unknown;
    try {
      name = (JSON.parse(body.toString('utf8')) as { EmailIdentity?: unknown }).EmailIdentity;
    } catch {
      name = undefined;
    }
    if (typeof name !== 'string' || name === '')
      return { status: 400, body: { message: 'EmailIdentity is required' }, errorType: 'BadRequestException' };
    if (identities.has(name))
      return {
        status: 400,
        body: { message: `Email identity ${name} already exist.` },
        errorType: 'AlreadyExistsException',
      };
    identities.set(name, { verified: false });
    return {
      status: 200,
      body: { IdentityType: typeOf(name), VerifiedForSendingStatus: false, DkimAttributes: dkim(false) },
    };
  }
  if (rest === '' || rest.includes('/')) return undefined;
  const name = decodeURIComponent(rest);
  const identity = identities.get(name);
  if (method === 'GET') {
    if (!identity) return notFound(name);
    return {
      status: 200,
      body: {
        IdentityType: typeOf(name),
        FeedbackForwardingStatus: true,
        VerifiedForSendingStatus: identity.verified,
        VerificationStatus: identity.verified ? 'SUCCESS' : 'PENDING',
        DkimAttributes: dkim(identity.verified),
        MailFromAttributes: { BehaviorOnMxFailure: 'USE_DEFAULT_VALUE', MailFromDomainStatus: 'PENDING' },
        Policies: {},
        Tags: [],
      },
    };
  }
  if (method === 'DELETE') {
    if (!identity) return notFound(name);
    identities.delete(name);
    return { status: 200, body: {} };
  }
  return undefined;
}

function verifyIdentity(res: ServerResponse, body: Buffer, identities: Identities): void {
  let name: unknown;
  try {
    name = (JSON.parse(body.toString('utf8')) as { identity?: unknown }).identity;
  } catch {
    name = undefined;
  }
  if (typeof name !== 'string') {
    sendJson(res, 400, { message: 'body must be {"identity": "<domain or address>"}' });
    return;
  }
  const identity = identities.get(name);
  if (!identity) {
    sendJson(res, 404, { message: `no identity ${name}: create it first (CreateEmailIdentity)` });
    return;
  }
  identity.verified = true;
  sendJson(res, 200, { identity: name, verified: true });
}

const dkim = (verified: boolean) => ({
  SigningEnabled: true,
  Status: verified ? 'SUCCESS' : 'PENDING',
  SigningAttributesOrigin: 'AWS_SES',
});

function sendJson(res: ServerResponse, status: number, value: object, errorType?: string): void {
  const payload = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(payload);
}

function recipientsOf(body: Buffer): string[] {
  try {
    const { Destination } = JSON.parse(body.toString('utf8')) as {
      Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
    };
    return [
      ...(Destination?.ToAddresses ?? []),
      ...(Destination?.CcAddresses ?? []),
      ...(Destination?.BccAddresses ?? []),
    ];
  } catch {
    // Not JSON: the library answers it.
    return [];
  }
}

function forward(
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  innerPort: number,
  beforeAnswer: () => void,
): Promise<void> {
  // The body is read whole already: it goes on with a length, never chunked.
  const { 'transfer-encoding': _chunked, ...headers } = req.headers;
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: innerPort,
        method: req.method,
        path: req.url,
        headers: { ...headers, 'content-length': body.length },
      },
      (answer) => {
        beforeAnswer();
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
