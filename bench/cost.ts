/**
 * What bookings cost in AWS, from what the bench measured: each function's invocations and durations, and the
 * AWS calls each one made (counted on the SDK's HTTP requests, bench/harness.ts).
 *
 * Public on-demand prices, US West (Oregon), us-west-2, no free tier, as listed on the AWS pricing pages on
 * 2026-11-29 (the date of the run they were checked for). Change them here, with the date, when they change.
 */
export const prices = {
  checked: '2026-11-29',
  region: 'us-west-2',
  /** aws.amazon.com/lambda/pricing: Arm, first 7.5 billion GB-s a month. */
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  /** aws.amazon.com/eventbridge/pricing: custom events, per 64 KB chunk; deliveries to Lambda targets are free. */
  eventBridgePerEvent: 1.0 / 1e6,
  /** aws.amazon.com/dynamodb/pricing/on-demand: per request unit (items under 1 KB written, 4 KB read). */
  dynamoDbPerWriteUnit: 0.625 / 1e6,
  dynamoDbPerReadUnit: 0.125 / 1e6,
  /** aws.amazon.com/s3/pricing: S3 Standard requests. */
  s3PerWrite: 0.005 / 1000,
  s3PerRead: 0.0004 / 1000,
  /** aws.amazon.com/cloudfront/pricing: per path invalidated beyond the first 1,000 paths of the month. */
  cloudFrontPerInvalidationPath: 0.005,
  /** aws.amazon.com/ses/pricing: outbound email. */
  sesPerEmail: 0.1 / 1000,
  /** aws.amazon.com/secrets-manager/pricing: API calls (the $0.40 per secret-month does not grow with bookings). */
  secretsManagerPerCall: 0.05 / 10_000,
} as const;

export interface AwsCall {
  service: 'DynamoDB' | 'EventBridge' | 'S3' | 'CloudFront' | 'SES' | 'SecretsManager' | 'SQS';
  operation: string;
}

/**
 * Which AWS call an SDK HTTP request is: JSON protocols name it in X-Amz-Target; S3, CloudFront and SES v2 are
 * REST (CloudFront's paths start with its API version, SES v2's with /v2/email). Undefined: not an AWS call.
 */
export function awsCallOf(request: {
  method: string;
  path: string;
  target?: string;
  copySource?: boolean;
}): AwsCall | undefined {
  const { method, path, target } = request;
  if (target) {
    const [prefix = '', operation = ''] = target.split('.');
    if (prefix.startsWith('DynamoDB_')) return { service: 'DynamoDB', operation };
    if (prefix === 'AWSEvents') return { service: 'EventBridge', operation };
    if (prefix === 'secretsmanager') return { service: 'SecretsManager', operation };
    if (prefix === 'AmazonSQS') return { service: 'SQS', operation };
    return undefined;
  }
  if (path.startsWith('/2020-05-31/')) {
    return {
      service: 'CloudFront',
      operation: path.includes('/invalidation') ? 'CreateInvalidation' : `${method} ${path}`,
    };
  }
  if (path.startsWith('/v2/email/'))
    return { service: 'SES', operation: path.startsWith('/v2/email/outbound-emails') ? 'SendEmail' : path };
  if (method === 'PUT') return { service: 'S3', operation: request.copySource ? 'CopyObject' : 'PutObject' };
  if (method === 'HEAD') return { service: 'S3', operation: 'HeadObject' };
  if (method === 'GET') return { service: 'S3', operation: 'GetObject' };
  if (method === 'DELETE') return { service: 'S3', operation: 'DeleteObject' };
  return undefined;
}

const DYNAMODB_READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const S3_READS = new Set(['GetObject', 'HeadObject']);

/** One function's share of a booking: how often it ran, for how long, and the AWS calls it made, per booking. */
export interface FunctionUse {
  name: string;
  invocationsPerBooking: number;
  /** Mean billed duration of one invocation (Lambda bills by the millisecond, rounded up). */
  meanMs: number;
  callsPerBooking: Record<string, number>;
}

export interface CostModel {
  memoryMb: number;
  /** Paths in one invalidation (the guest page's). */
  pathsPerInvalidation: number;
}

export interface CostBreakdown {
  total: number;
  byService: Record<string, number>;
}

/** US dollars per 1,000 bookings, by service. Every item is rounded to no unit: rounding is the reader's. */
export function costPerThousandBookings(functions: FunctionUse[], model: CostModel): CostBreakdown {
  const byService: Record<string, number> = {
    Lambda: 0,
    EventBridge: 0,
    DynamoDB: 0,
    S3: 0,
    CloudFront: 0,
    SES: 0,
    SecretsManager: 0,
  };
  const add = (service: string, dollars: number) => (byService[service] = (byService[service] ?? 0) + dollars * 1000);
  for (const f of functions) {
    const gbSeconds = (model.memoryMb / 1024) * (Math.ceil(f.meanMs) / 1000);
    add('Lambda', f.invocationsPerBooking * (prices.lambdaPerRequest + gbSeconds * prices.lambdaPerGbSecond));
    for (const [call, count] of Object.entries(f.callsPerBooking)) {
      const [service, operation = ''] = call.split('.');
      switch (service) {
        case 'DynamoDB':
          add(
            service,
            count * (DYNAMODB_READS.has(operation) ? prices.dynamoDbPerReadUnit : prices.dynamoDbPerWriteUnit),
          );
          break;
        case 'EventBridge':
          // One entry per PutEvents: every publisher of the chain sends its events one at a time.
          if (operation === 'PutEvents') add(service, count * prices.eventBridgePerEvent);
          break;
        case 'S3':
          add(service, count * (S3_READS.has(operation) ? prices.s3PerRead : prices.s3PerWrite));
          break;
        case 'CloudFront':
          if (operation === 'CreateInvalidation')
            add(service, count * model.pathsPerInvalidation * prices.cloudFrontPerInvalidationPath);
          break;
        case 'SES':
          if (operation === 'SendEmail') add(service, count * prices.sesPerEmail);
          break;
        case 'SecretsManager':
          add(service, count * prices.secretsManagerPerCall);
          break;
      }
    }
  }
  return { total: Object.values(byService).reduce((a, b) => a + b, 0), byService };
}

/** Per-function use from measured invocations of `bookings` bookings. */
export function functionUses(
  invocations: readonly { consumer: string; totalMs: number; calls: readonly AwsCall[] }[],
  bookings: number,
): FunctionUse[] {
  const byName = new Map<string, { count: number; ms: number; calls: Record<string, number> }>();
  for (const i of invocations) {
    const entry = byName.get(i.consumer) ?? { count: 0, ms: 0, calls: {} };
    entry.count++;
    entry.ms += Math.ceil(i.totalMs);
    for (const call of i.calls) {
      const key = `${call.service}.${call.operation}`;
      entry.calls[key] = (entry.calls[key] ?? 0) + 1;
    }
    byName.set(i.consumer, entry);
  }
  return [...byName].map(([name, { count, ms, calls }]) => ({
    name,
    invocationsPerBooking: count / bookings,
    meanMs: ms / count,
    callsPerBooking: Object.fromEntries(Object.entries(calls).map(([k, n]) => [k, n / bookings])),
  }));
}

/** The steps the direct baseline also makes: the choreography priced on these alone compares like with like. */
export const BASELINE_STEPS: readonly string[] = ['calendar', 'crew', 'scrub', 'guest-page'];

export interface CostComparison {
  prices: typeof prices;
  memoryMb: number;
  choreography: CostBreakdown;
  /** The choreography's functions that make the baseline's steps (no webhook, ledger or mail). */
  sameScope: CostBreakdown;
  direct: CostBreakdown;
  uses: FunctionUse[];
  directUses: FunctionUse[];
}

type MeasuredRun = {
  invocations: readonly { consumer: string; totalMs: number; calls: readonly AwsCall[] }[];
  bookings: number;
};

/** The choreography, its steps the baseline also makes, and the direct baseline, each per 1,000 bookings. */
export function compareCosts(choreography: MeasuredRun, direct: MeasuredRun, model: CostModel): CostComparison {
  const uses = functionUses(choreography.invocations, choreography.bookings);
  const directUses = functionUses(direct.invocations, direct.bookings);
  return {
    prices,
    memoryMb: model.memoryMb,
    choreography: costPerThousandBookings(uses, model),
    sameScope: costPerThousandBookings(
      uses.filter((u) => BASELINE_STEPS.includes(u.name)),
      model,
    ),
    direct: costPerThousandBookings(directUses, model),
    uses,
    directUses,
  };
}
