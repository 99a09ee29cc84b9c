import type { ArnContext, Authorization, Authorizations } from '../model';

/**
 * SES v2's authorizations. SendEmail (POST /v2/email/outbound-emails) and SendBulkEmail: ses:SendEmail on the
 * sending identity and, when the mail names one, on its configuration set. The identity is the one SES sends
 * as: FromEmailAddressIdentityArn when given; else the From address's own identity when it is verified, which
 * takes precedence over its domain's; else the domain's. With ses:FromAddress, ses:FromDisplayName and
 * ses:ApiVersion. ses:Recipients is left out: it would carry the renter's address into what the stack logs of
 * a refusal, and no policy of ours conditions on it.
 */

interface SesRequest {
  method: string;
  url: string;
  body: Buffer;
}

export function sesAuthorizations(request: SesRequest, arns: ArnContext): Authorizations {
  const path = request.url.split('?')[0]!;
  const base = `arn:aws:ses:${arns.region}:${arns.accountId}`;
  const unknown = { unknown: `ses.${request.method} ${path} is not known to the local IAM` };
  if (request.method === 'GET' && path === '/v2/email/account') {
    return { authorizations: [{ action: 'ses:GetAccount', resource: '*' }] };
  }
  if (
    request.method === 'POST' &&
    (path === '/v2/email/outbound-emails' || path === '/v2/email/outbound-bulk-emails')
  ) {
    const input = bodyOf(request.body);
    if (!input) return unknown;
    const action = path.endsWith('bulk-emails') ? 'ses:SendBulkEmail' : 'ses:SendEmail';
    return { authorizations: sendAuthorizations(action, input, base, arns) };
  }
  const template = /^\/v2\/email\/templates(?:\/([^/]+))?(\/render)?$/.exec(path);
  if (template) {
    const name = template[1] ? decodeURIComponent(template[1]) : undefined;
    const operation = templateOperation(request.method, name !== undefined, template[2] !== undefined);
    if (!operation) return unknown;
    const named =
      name ?? (operation === 'CreateEmailTemplate' ? String(bodyOf(request.body)?.TemplateName ?? '') : undefined);
    return {
      authorizations: [
        { action: `ses:${operation}`, resource: named === undefined ? '*' : `${base}:template/${named}` },
      ],
    };
  }
  return unknown;
}

function sendAuthorizations(
  action: string,
  input: Record<string, unknown>,
  base: string,
  arns: ArnContext,
): Authorization[] {
  const from = typeof input.FromEmailAddress === 'string' ? input.FromEmailAddress : '';
  const { address, displayName } = parseFrom(from);
  const context: Record<string, string> = { 'ses:ApiVersion': '2' };
  if (address) context['ses:FromAddress'] = address;
  if (displayName) context['ses:FromDisplayName'] = displayName;
  const identityArn =
    typeof input.FromEmailAddressIdentityArn === 'string'
      ? input.FromEmailAddressIdentityArn
      : `${base}:identity/${identityOf(address, arns)}`;
  const authorizations: Authorization[] = [{ action, resource: identityArn, context }];
  if (typeof input.ConfigurationSetName === 'string') {
    authorizations.push({ action, resource: `${base}:configuration-set/${input.ConfigurationSetName}`, context });
  }
  return authorizations;
}

/** The address's own identity when verified (it takes precedence), else its domain's. */
function identityOf(address: string, arns: ArnContext): string {
  const verified = arns.sesIdentities ?? [];
  if (verified.some((identity) => identity.toLowerCase() === address.toLowerCase())) return address;
  return address.slice(address.lastIndexOf('@') + 1);
}

/** "Charter Desk <desk@example.com>" or "desk@example.com". */
function parseFrom(from: string): { address: string; displayName?: string } {
  const angled = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(from);
  if (angled) return { address: angled[2]!.trim(), displayName: angled[1]!.trim() || undefined };
  return { address: from.trim() };
}

function templateOperation(method: string, named: boolean, render: boolean): string | undefined {
  if (render) return method === 'POST' ? 'TestRenderEmailTemplate' : undefined;
  if (!named) return method === 'GET' ? 'ListEmailTemplates' : method === 'POST' ? 'CreateEmailTemplate' : undefined;
  return { GET: 'GetEmailTemplate', PUT: 'UpdateEmailTemplate', DELETE: 'DeleteEmailTemplate' }[method];
}

function bodyOf(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
