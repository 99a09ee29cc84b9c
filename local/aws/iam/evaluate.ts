import { runSimulation, type RunSimulationResults, type SimulationErrors } from '@cloud-copilot/iam-simulate';
import { createLogger } from '../../../shared/logger';
import type { Authorization, Decision, Iam, PolicyDocument, PolicyStatement, Principal } from './model';
import { type FunctionPrincipal, governingArn } from './principals';

/**
 * The local stack's IAM: AWS's policy evaluation logic by @cloud-copilot/iam-simulate (a development dependency,
 * loaded only here), over the policies the template gives each function's role and each resource.
 * What it cannot evaluate (an action or resource type it does not know, a policy it cannot read) is refused with
 * a message saying so, never allowed.
 */

export const iamLogger = createLogger('local.iam');

/** One call the stack refused, as the operator's log line and `stack.iam.refusals()` show it. */
export interface Refusal {
  at: string;
  /** The function whose role made the call, when a function's did. */
  functionName?: string;
  /** The principal AWS's message names: a role session's ARN, or a service ('events.amazonaws.com'). */
  principal: string;
  action: string;
  resource: string;
  /** The request's condition values (dynamodb:LeadingKeys, aws:SourceArn, ...), as evaluated. */
  context?: Record<string, string | string[]>;
  message: string;
  /** The statement that would have allowed it; absent when the stack could not tell what the call needed. */
  needed?: PolicyStatement;
}

export interface LocalIamOptions {
  accountId: string;
  /** Each function's role session, by function name. */
  functions: Map<string, FunctionPrincipal>;
  /** The access key each function's environments sign with -> the function's name. */
  accessKeys: Map<string, string>;
  /** The template's resource policies, by the ARN they govern. */
  resourcePolicies: Map<string, PolicyDocument>;
}

/** Told of each decision on a call that was evaluated (tests: which calls a role's statements allowed). */
export type DecisionListener = (principal: Principal, authorization: Authorization, decision: Decision) => void;

/** The operator's own commands, the tests, the seed, the guest site's reader: a developer's credentials. */
const ADMINISTRATOR: Principal = { kind: 'administrator', arn: 'arn:aws:iam::000000000000:root' };
/** Decisions kept: a long run names many bookings' keys; past this the oldest half is dropped. */
const CACHE_LIMIT = 20_000;

export class LocalIam implements Iam {
  private readonly functions: Map<string, FunctionPrincipal>;
  private readonly decisions = new Map<string, Promise<Decision>>();
  private readonly seen: Refusal[] = [];
  private readonly logged = new Set<string>();
  private readonly listeners = new Set<DecisionListener>();
  /** A stable text per policy set, so a decision is reused only under the same policies. */
  private readonly policyKeys = new WeakMap<object, string>();

  constructor(private readonly options: LocalIamOptions) {
    this.functions = new Map(options.functions);
  }

  principalOf(accessKeyId: string | undefined): Principal {
    const functionName = accessKeyId === undefined ? undefined : this.options.accessKeys.get(accessKeyId);
    return (functionName && this.functions.get(functionName)) || ADMINISTRATOR;
  }

  functionPrincipal(functionName: string): Principal | undefined {
    return this.functions.get(functionName);
  }

  resourcePolicyOf(arn: string): PolicyDocument | undefined {
    return this.options.resourcePolicies.get(arn) ?? this.options.resourcePolicies.get(governingArn(arn));
  }

  /**
   * Replaces a function's policies from now on (tests: a role without one permission); the role's session, its
   * access key and the resource policies stay. Answers the policies it had.
   */
  replacePolicies(functionName: string, policies: FunctionPrincipal['policies']): FunctionPrincipal['policies'] {
    const principal = this.functions.get(functionName);
    if (!principal) throw new Error(`no function ${functionName} in the template`);
    this.functions.set(functionName, { ...principal, policies });
    return principal.policies;
  }

  /** Every call refused since the stack started, oldest first. */
  refusals(): readonly Refusal[] {
    return this.seen;
  }

  /** Listens to every decision from now on, allowed or refused; answers the function that stops it. */
  onDecision(listener: DecisionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async decide(principal: Principal, authorization: Authorization, resourcePolicy?: PolicyDocument): Promise<Decision> {
    // An administrator's policy allows every action on every resource: nothing to evaluate.
    if (principal.kind === 'administrator') return { allowed: true };
    const key = this.cacheKey(principal, authorization, resourcePolicy);
    let decision = this.decisions.get(key);
    if (!decision) {
      if (this.decisions.size >= CACHE_LIMIT) {
        for (const old of [...this.decisions.keys()].slice(0, CACHE_LIMIT / 2)) this.decisions.delete(old);
      }
      decision = evaluate(principal, authorization, resourcePolicy, this.options.accountId);
      this.decisions.set(key, decision);
    }
    const answer = await decision;
    for (const listener of this.listeners) listener(principal, authorization, answer);
    if (!answer.allowed) this.record(principal, authorization, answer.message, answer.needed);
    return answer;
  }

  /** A call whose authorizations the stack cannot tell (an operation its mappers do not know): refused. */
  refuseUnknown(principal: Principal, service: string, operation: string, reason: string): string {
    const action = `${service}:${operation}`;
    const message = `User: ${nameOf(principal)} is not authorized to perform: ${action} because charterflow local cannot tell what IAM authorises for it (${reason}); it refuses what it cannot evaluate`;
    this.record(principal, { action, resource: '*' }, message, undefined);
    return message;
  }

  private record(principal: Principal, authorization: Authorization, message: string, needed?: PolicyStatement) {
    const refusal: Refusal = {
      at: new Date().toISOString(),
      ...(principal.kind === 'function' && { functionName: principal.functionName }),
      principal: nameOf(principal),
      action: authorization.action,
      resource: authorization.resource,
      ...(authorization.context && { context: authorization.context }),
      message,
      ...(needed && { needed }),
    };
    this.seen.push(refusal);
    // Once per function, action and resource: a retried event would repeat the same line many times over.
    const once = `${refusal.principal} ${refusal.action} ${refusal.resource}`;
    if (this.logged.has(once)) return;
    this.logged.add(once);
    // The context stays out of the log: a key can name a booking's private partition.
    iamLogger.warn('refused an AWS call the caller’s policies do not allow', {
      function: refusal.functionName,
      principal: refusal.principal,
      action: refusal.action,
      resource: refusal.resource,
      needed: refusal.needed,
    });
  }

  private cacheKey(principal: Principal, authorization: Authorization, resourcePolicy?: PolicyDocument): string {
    const context = Object.entries(authorization.context ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const policies = principal.kind === 'function' ? this.policyKey(principal.policies) : '';
    return JSON.stringify([
      nameOf(principal),
      authorization.action,
      authorization.resource,
      context,
      policies,
      resourcePolicy ? this.policyKey(resourcePolicy) : '',
    ]);
  }

  private policyKey(policies: object): string {
    let key = this.policyKeys.get(policies);
    if (key === undefined) {
      key = JSON.stringify(policies);
      this.policyKeys.set(policies, key);
    }
    return key;
  }
}

function nameOf(principal: Principal): string {
  switch (principal.kind) {
    case 'function':
      return principal.sessionArn;
    case 'administrator':
      return principal.arn;
    case 'service':
      return principal.service;
  }
}

async function evaluate(
  principal: Principal,
  authorization: Authorization,
  resourcePolicy: PolicyDocument | undefined,
  accountId: string,
): Promise<Decision> {
  const { action, resource } = authorization;
  const identityPolicies =
    principal.kind === 'function' ? principal.policies.map(({ name, document }) => ({ name, policy: document })) : [];
  const result = await runSimulation(
    {
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy && { resourcePolicy }),
      request: {
        principal: nameOf(principal),
        action,
        resource: { resource, accountId },
        contextVariables: { ...globalContext(principal, accountId), ...authorization.context },
      },
    },
    {},
  );
  if (result.resultType === 'error') {
    return {
      allowed: false,
      message: `${notAuthorized(principal, authorization)} because charterflow local's IAM evaluator cannot evaluate it (${describeErrors(result.errors)}); it refuses what it cannot evaluate`,
      needed: minimal(principal, authorization),
    };
  }
  if (result.overallResult === 'Allowed') return { allowed: true };
  return {
    allowed: false,
    message: `${notAuthorized(principal, authorization)} ${because(principal, action, result)}`,
    needed: neededFor(principal, authorization, result),
  };
}

/** The keys AWS sets on every request from a role session over HTTPS (the local stack is HTTP; AWS is not). */
function globalContext(principal: Principal, accountId: string): Record<string, string> {
  const context: Record<string, string> = { 'aws:SecureTransport': 'true' };
  if (principal.kind === 'function') {
    context['aws:PrincipalArn'] = principal.roleArn;
    context['aws:PrincipalAccount'] = accountId;
  }
  return context;
}

function notAuthorized(principal: Principal, { action, resource }: Authorization): string {
  return `User: ${nameOf(principal)} is not authorized to perform: ${action} on resource: ${resource}`;
}

/** The end of AWS's AccessDenied message, from which policy type decided. */
function because(principal: Principal, action: string, result: Exclude<RunSimulationResults, { resultType: 'error' }>) {
  const analysis = result.resultType === 'single' ? result.result.analysis : result.results[0]?.analysis;
  if (result.overallResult === 'ExplicitlyDenied') {
    return analysis?.resourceAnalysis?.result === 'ExplicitlyDenied'
      ? 'with an explicit deny in a resource-based policy'
      : 'with an explicit deny in an identity-based policy';
  }
  return principal.kind === 'service'
    ? `because no resource-based policy allows the ${action} action`
    : `because no identity-based policy allows the ${action} action`;
}

function minimal(principal: Principal, { action, resource }: Authorization): PolicyStatement {
  return {
    Effect: 'Allow',
    ...(principal.kind === 'service' && { Principal: { Service: principal.service } }),
    Action: [action],
    Resource: [resource],
  };
}

/**
 * The least that would have allowed the call: its action on its resource, under the condition of the policy's
 * statement that names both when that statement failed on its condition alone (a key outside LeadingKeys).
 */
function neededFor(
  principal: Principal,
  authorization: Authorization,
  result: Exclude<RunSimulationResults, { resultType: 'error' }>,
): PolicyStatement {
  const analysis = result.resultType === 'single' ? result.result.analysis : result.results[0]?.analysis;
  const statements =
    principal.kind === 'service'
      ? analysis?.resourceAnalysis?.unmatchedStatements
      : analysis?.identityAnalysis?.unmatchedStatements;
  const conditional = statements?.find(
    (s) =>
      s.statement.isAllow() &&
      s.actionMatch &&
      s.resourceMatch &&
      s.principalMatch !== 'NoMatch' &&
      s.conditionMatch === 'NoMatch',
  );
  const condition = conditional?.statement.conditionMap();
  return { ...minimal(principal, authorization), ...(condition && { Condition: condition }) };
}

function describeErrors(errors: SimulationErrors): string {
  const details = Object.entries(errors)
    .filter(([name]) => name !== 'message')
    .map(([name, value]) => `${name}: ${JSON.stringify(value)}`);
  return [errors.message, ...details].join('; ');
}
