import type { LocalIam } from './evaluate';
import type { ArnContext, AwsRequest, Authorizations } from './model';

/**
 * IAM at the edge: who signed a request, what AWS would authorise for it, and whether the signer's policies
 * (and the resource's policy) allow every part of it. The edge asks before the request reaches its service.
 */

export { LocalIam, type Refusal, iamLogger } from './evaluate';
export { functionPrincipals, resourcePolicies, MANAGED_POLICIES, type FunctionPrincipal } from './principals';
export type * from './model';

/** Refusal message for a request its signer may not make; undefined when every authorization it needs is allowed. */
export type Authorize = (accessKeyId: string | undefined, request: AwsRequest) => Promise<string | undefined>;

/** What a request needs authorised (the per-service mappers, local/aws/iam/requests). */
export type AuthorizationsOf = (request: AwsRequest, arns: ArnContext) => Authorizations;

export function authorizeWith(iam: LocalIam, arns: ArnContext, authorizationsOf: AuthorizationsOf): Authorize {
  return async (accessKeyId, request) => {
    const principal = iam.principalOf(accessKeyId);
    // An administrator may make any call: what the mappers know or not does not matter to it.
    if (principal.kind === 'administrator') return undefined;
    const needed = authorizationsOf(request, arns);
    if ('unknown' in needed) {
      return iam.refuseUnknown(principal, request.service, operationOf(request), needed.unknown);
    }
    // As AWS does, the first refused authorization answers for the request.
    for (const authorization of needed.authorizations) {
      const decision = await iam.decide(principal, authorization, iam.resourcePolicyOf(authorization.resource));
      if (!decision.allowed) return decision.message;
    }
    return undefined;
  };
}

function operationOf(request: AwsRequest): string {
  return request.protocol === 'json' ? request.operation : `${request.method} ${request.url.split('?')[0]}`;
}
