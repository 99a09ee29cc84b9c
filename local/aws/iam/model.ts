/**
 * The seam of IAM in the local stack: who made a call (a principal), what AWS authorises for it (one or more
 * authorizations: an action, the resource ARN AWS checks, the request's condition values), and the answer.
 * The per-service request mappers produce authorizations; the evaluator decides them against the template's
 * policies. An action or resource the mappers do not know is refused, never allowed by default.
 */

export interface Authorization {
  /** As IAM names it: 'dynamodb:GetItem', 's3:PutObject'. */
  action: string;
  /** The ARN AWS checks the action against: a table, an index, an object, a queue, a secret, a bus. */
  resource: string;
  /** The request's values of the condition keys AWS sets for this action ('dynamodb:LeadingKeys': [...]). */
  context?: Record<string, string | string[]>;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export type Principal =
  /** The operator's own commands and the tests: any access key the stack did not issue to a function. */
  | { kind: 'administrator'; arn: string }
  /** A function's role session: the access key the stack gave that function's environments. */
  | {
      kind: 'function';
      functionName: string;
      roleArn: string;
      /** arn:aws:sts::<account>:assumed-role/<role name>/<function name>, the principal AWS's messages name. */
      sessionArn: string;
      policies: { name: string; document: PolicyDocument }[];
    }
  /** An AWS service acting on a resource policy's grant (EventBridge sending to a rule's dead-letter queue). */
  | { kind: 'service'; service: string };

export type Decision =
  | { allowed: true }
  | {
      allowed: false;
      /** AWS's message: "User: <principal> is not authorized to perform: <action> on resource: <arn> because ..." */
      message: string;
      /** The statement that would have allowed it, for the stack's log and `charterflow status`. */
      needed: PolicyStatement;
    };

/** A request as it reached the edge, before any service handled it. */
export type AwsRequest =
  /** X-Amz-Target services: DynamoDB, SQS, EventBridge, Secrets Manager. */
  | { protocol: 'json'; service: string; operation: string; input: Record<string, unknown> }
  /** REST services: S3 (path-style), CloudFront, SES v2. */
  | {
      protocol: 'rest';
      service: 's3' | 'cloudfront' | 'ses';
      method: string;
      /** Path and query as sent, e.g. '/bucket/g/ABC.html?tagging'. */
      url: string;
      headers: Record<string, string | string[] | undefined>;
      body: Buffer;
    };

/** What the mappers need of the stack to name a resource's ARN as AWS would. */
export interface ArnContext {
  region: string;
  accountId: string;
  /** The full ARN of a secret by name or ARN (with its six random characters), if it exists. */
  secretArn(secretId: string): string | undefined;
  /**
   * A table's key attributes, for dynamodb:LeadingKeys (the partition key values a request names); undefined for
   * a table the stack does not know. requests/dynamodb.ts's keySchemaOfTable reads them from a CreateTable input.
   */
  keySchemaOf(tableName: string): TableKeySchema | undefined;
  /**
   * The SES identities (addresses or domains) the stack treats as verified. SES sends as an address's own
   * identity when it is verified, else as its domain's; absent, the domain's.
   */
  sesIdentities?: readonly string[];
}

export interface KeyAttributes {
  partitionKey: string;
  sortKey?: string;
}

/** A table's keys and, by index name, each secondary index's. */
export interface TableKeySchema extends KeyAttributes {
  indexes: Record<string, KeyAttributes>;
}

/** The authorizations a request needs, or why the stack cannot tell (an action or resource it does not know). */
export type Authorizations = { authorizations: Authorization[] } | { unknown: string };

/** The stack's IAM: who signed a call, and whether their policies (and a resource's policy) allow it. */
export interface Iam {
  /** Who signed with this access key: a function's role session, or an administrator for any other key. */
  principalOf(accessKeyId: string | undefined): Principal;
  /** A function's role session by function name (Lambda's own calls with the function's role, e.g. its DLQ). */
  functionPrincipal(functionName: string): Principal | undefined;
  /** The template's resource policy on this ARN (a queue policy, a bus policy, a key policy), if any. */
  resourcePolicyOf(arn: string): PolicyDocument | undefined;
  /** Decides one authorization as AWS's policy evaluation logic does (same account: identity or resource policy). */
  decide(principal: Principal, authorization: Authorization, resourcePolicy?: PolicyDocument): Promise<Decision>;
}
