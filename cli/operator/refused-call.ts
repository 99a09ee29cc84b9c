/**
 * A call AWS refused, read from the message it answered with, wherever it sits in a dead letter's ErrorMessage
 * (AWS's form, which the local stack's IAM check also uses):
 *   User: arn:aws:sts::123456789012:assumed-role/<role>/<session> is not authorized to perform: <action>
 *   on resource: <arn> because no identity-based policy allows the <action> action
 * "with an explicit deny in ..." in place of "because ..." is a Deny statement, not a missing Allow. Pure.
 */

export interface RefusedCall {
  /** The caller as AWS names it (an assumed-role session, a user). */
  principal: string;
  /** The role of an assumed-role session. */
  role?: string;
  action: string;
  /** Absent when AWS did not name one. */
  resource?: string;
  /** missing: no policy allows it (a permission to add); denied: a Deny statement refuses it. */
  kind: 'missing' | 'denied';
  /** AWS's reason, as it said it ("because no identity-based policy allows ..."). */
  reason?: string;
}

const REFUSAL =
  /User: (\S+) is not authorized to perform: ([a-z0-9-]+:[A-Za-z0-9*]+)(?: on resource: "?([^"\s]+)"?)?(?: (because [^\n]*|with an explicit deny[^\n]*))?/;

export function refusedCallOf(message: string | undefined): RefusedCall | undefined {
  const match = REFUSAL.exec(message ?? '');
  if (!match) return undefined;
  const [, principal, action, resource, reason] = match;
  const role = /:assumed-role\/([^/]+)\//.exec(principal!)?.[1];
  return {
    principal: principal!,
    ...(role ? { role } : {}),
    action: action!,
    ...(resource ? { resource } : {}),
    kind: reason && /explicit deny/.test(reason) ? 'denied' : 'missing',
    ...(reason ? { reason: reason.trim() } : {}),
  };
}

/** "missing permission: dynamodb:Query on arn:aws:dynamodb:...:table/x (role charterflow-local-crew)". */
export function describeRefusal(call: RefusedCall): string {
  const what = `${call.action}${call.resource ? ` on ${call.resource}` : ''}`;
  const who = call.role ? ` (role ${call.role})` : ` (${call.principal})`;
  return call.kind === 'denied' ? `denied by an explicit Deny: ${what}${who}` : `missing permission: ${what}${who}`;
}
