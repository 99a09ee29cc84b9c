/**
 * What bookings cost in AWS, from what the bench measured: each function's invocations and durations, and the
 * AWS calls each one made (counted on the SDK's HTTP requests, bench/harness.ts).
 *
 * Public on-demand prices, US West (Oregon), us-west-2, as listed on the AWS pricing pages on 2026-11-29 (the
 * date of the run they were checked for). Change them here, with the date, when they change. The per-1,000
 * figures leave the free tiers out (the marginal cost); monthlyCost() puts them in, for an operator's month.
 */
export const prices = {
  checked: '2026-11-29',
  region: 'us-west-2',
  /** aws.amazon.com/lambda/pricing: Arm, first 7.5 billion GB-s a month. */
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  /** aws.amazon.com/eventbridge/pricing: custom events, per 64 KB chunk; deliveries to Lambda targets are free. */
  eventBridgePerEvent: 1.0 / 1e6,
  /**
   * aws.amazon.com/dynamodb/pricing/on-demand: per request unit (items under 1 KB written, 4 KB read); a
   * transactional write or read takes two units per item.
   */
  dynamoDbPerWriteUnit: 0.625 / 1e6,
  dynamoDbPerReadUnit: 0.125 / 1e6,
  /** aws.amazon.com/s3/pricing: S3 Standard requests. */
  s3PerWrite: 0.005 / 1000,
  s3PerRead: 0.0004 / 1000,
  /** aws.amazon.com/cloudfront/pricing: per path invalidated beyond the first 1,000 paths of the month. */
  cloudFrontPerInvalidationPath: 0.005,
  /** aws.amazon.com/ses/pricing: outbound email, $0.10 per 1,000. */
  sesPerEmail: 0.1 / 1000,
  /** aws.amazon.com/secrets-manager/pricing: API calls (the $0.40 per secret-month does not grow with bookings). */
  secretsManagerPerCall: 0.05 / 10_000,
  /** aws.amazon.com/sqs/pricing: standard queue requests, per 64 KB chunk. */
  sqsPerRequest: 0.4 / 1e6,
} as const;

/**
 * The allowances of every month that do not expire after a first year, as the pricing pages list them:
 * docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html (Lambda: 1M requests and 400,000
 * GB-s), aws.amazon.com/cloudfront/pricing (the first 1,000 invalidation paths), aws.amazon.com/sqs/pricing (1M
 * requests). DynamoDB's always-free capacity is provisioned, not on-demand; S3's is for a first year only;
 * EventBridge custom events, SES mail and Secrets Manager calls have none: none of those is counted free here.
 */
export const freeTier = {
  lambdaRequests: 1_000_000,
  lambdaGbSeconds: 400_000,
  cloudFrontInvalidationPaths: 1_000,
  sqsRequests: 1_000_000,
} as const;

export interface AwsCall {
  service: 'DynamoDB' | 'EventBridge' | 'S3' | 'CloudFront' | 'SES' | 'SecretsManager' | 'SQS';
  operation: string;
  /** Items a DynamoDB transaction or batch acted on: one call, but each item is billed. */
  items?: number;
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

const DYNAMODB_READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
/** DynamoDB operations that act on several items in one call, and the request units each item takes. */
const DYNAMODB_PER_ITEM: Record<string, number> = {
  TransactWriteItems: 2,
  TransactGetItems: 2,
  BatchWriteItem: 1,
  BatchGetItem: 1,
};
const S3_READS = new Set(['GetObject', 'HeadObject']);

/** One function's share of a booking: how often it ran, for how long, and the AWS calls it made, per booking. */
export interface FunctionUse {
  name: string;
  invocationsPerBooking: number;
  /** Mean billed duration of one invocation (Lambda bills by the millisecond, rounded up). */
  meanMs: number;
  callsPerBooking: Record<string, number>;
  /** Items per booking of the calls that act on several (a transaction, a batch); a call not here is one item. */
  itemsPerBooking?: Record<string, number>;
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

/** What AWS bills, in its own units: per booking from billedUnits(), per month times the bookings. */
export interface BilledUnits {
  lambdaRequests: number;
  lambdaGbSeconds: number;
  eventBridgeEvents: number;
  dynamoDbWriteUnits: number;
  dynamoDbReadUnits: number;
  s3Writes: number;
  s3Reads: number;
  invalidationPaths: number;
  emails: number;
  secretsManagerCalls: number;
  sqsRequests: number;
}

const noUnits = (): BilledUnits => ({
  lambdaRequests: 0,
  lambdaGbSeconds: 0,
  eventBridgeEvents: 0,
  dynamoDbWriteUnits: 0,
  dynamoDbReadUnits: 0,
  s3Writes: 0,
  s3Reads: 0,
  invalidationPaths: 0,
  emails: 0,
  secretsManagerCalls: 0,
  sqsRequests: 0,
});

/** The billed units of one booking through these functions: a DynamoDB transaction is one call, twice its items' units. */
export function billedUnits(functions: readonly FunctionUse[], model: CostModel): BilledUnits {
  const units = noUnits();
  for (const f of functions) {
    units.lambdaRequests += f.invocationsPerBooking;
    units.lambdaGbSeconds += f.invocationsPerBooking * (model.memoryMb / 1024) * (Math.ceil(f.meanMs) / 1000);
    for (const [call, count] of Object.entries(f.callsPerBooking)) {
      const [service, operation = ''] = call.split('.');
      switch (service) {
        case 'DynamoDB': {
          const perItem = DYNAMODB_PER_ITEM[operation];
          const requestUnits = perItem === undefined ? count : perItem * (f.itemsPerBooking?.[call] ?? count);
          if (DYNAMODB_READS.has(operation)) units.dynamoDbReadUnits += requestUnits;
          else units.dynamoDbWriteUnits += requestUnits;
          break;
        }
        case 'EventBridge':
          // One entry per PutEvents: every publisher of the chain sends its events one at a time.
          if (operation === 'PutEvents') units.eventBridgeEvents += count;
          break;
        case 'S3':
          if (S3_READS.has(operation)) units.s3Reads += count;
          else units.s3Writes += count;
          break;
        case 'CloudFront':
          if (operation === 'CreateInvalidation') units.invalidationPaths += count * model.pathsPerInvalidation;
          break;
        case 'SES':
          if (operation === 'SendEmail') units.emails += count;
          break;
        case 'SecretsManager':
          units.secretsManagerCalls += count;
          break;
        case 'SQS':
          units.sqsRequests += count;
          break;
      }
    }
  }
  return units;
}

/** Each unit times `factor`: a booking's units for a month of bookings. */
export function scaleUnits(units: BilledUnits, factor: number): BilledUnits {
  return Object.fromEntries(Object.entries(units).map(([k, v]) => [k, v * factor])) as unknown as BilledUnits;
}

type Allowance = { [K in keyof typeof freeTier]: number };
const NO_ALLOWANCE: Allowance = {
  lambdaRequests: 0,
  lambdaGbSeconds: 0,
  cloudFrontInvalidationPaths: 0,
  sqsRequests: 0,
};

/** US dollars for these units, by service, after the allowance (none: the marginal cost). */
export function priceUnits(units: BilledUnits, allowance: Allowance = NO_ALLOWANCE): CostBreakdown {
  const beyond = (used: number, free: number) => Math.max(0, used - free);
  const byService: Record<string, number> = {
    Lambda:
      beyond(units.lambdaRequests, allowance.lambdaRequests) * prices.lambdaPerRequest +
      beyond(units.lambdaGbSeconds, allowance.lambdaGbSeconds) * prices.lambdaPerGbSecond,
    EventBridge: units.eventBridgeEvents * prices.eventBridgePerEvent,
    DynamoDB:
      units.dynamoDbWriteUnits * prices.dynamoDbPerWriteUnit + units.dynamoDbReadUnits * prices.dynamoDbPerReadUnit,
    S3: units.s3Writes * prices.s3PerWrite + units.s3Reads * prices.s3PerRead,
    CloudFront:
      beyond(units.invalidationPaths, allowance.cloudFrontInvalidationPaths) * prices.cloudFrontPerInvalidationPath,
    SES: units.emails * prices.sesPerEmail,
    SecretsManager: units.secretsManagerCalls * prices.secretsManagerPerCall,
    SQS: beyond(units.sqsRequests, allowance.sqsRequests) * prices.sqsPerRequest,
  };
  return { total: Object.values(byService).reduce((a, b) => a + b, 0), byService };
}

/** US dollars per 1,000 bookings, by service, no free tier. Every item is rounded to no unit: rounding is the reader's. */
export function costPerThousandBookings(functions: FunctionUse[], model: CostModel): CostBreakdown {
  return priceUnits(scaleUnits(billedUnits(functions, model), 1000));
}

/** An operator's month of `bookings` bookings, each billed as `perBooking`, with the free tiers taken off first. */
export function monthlyCost(perBooking: BilledUnits, bookings: number): CostBreakdown {
  return priceUnits(scaleUnits(perBooking, bookings), freeTier);
}

/** The operator's months the bench prices: a small, a middling and a busy charter business. */
export const BOOKINGS_PER_MONTH: readonly number[] = [100, 1_000, 10_000];

export interface MonthlyCosts {
  bookingsPerMonth: number;
  choreography: CostBreakdown;
  direct: CostBreakdown;
}

/** The choreography and the direct orchestration priced for a month at each of `levels` bookings. */
export function monthlyCosts(
  choreography: BilledUnits,
  direct: BilledUnits,
  levels: readonly number[] = BOOKINGS_PER_MONTH,
): MonthlyCosts[] {
  return levels.map((bookingsPerMonth) => ({
    bookingsPerMonth,
    choreography: monthlyCost(choreography, bookingsPerMonth),
    direct: monthlyCost(direct, bookingsPerMonth),
  }));
}

/** One consumer's calls beside its dollars: a saved call must not be paid for in request units. */
export interface ConsumerCallsAndDollars {
  name: string;
  invocationsPerBooking: number;
  /** AWS calls per booking: a transaction is one. */
  callsPerBooking: number;
  dynamoDbWriteUnitsPerBooking: number;
  dynamoDbReadUnitsPerBooking: number;
  /** No free tier: what one more booking costs. */
  dollarsPerThousandBookings: number;
  /** The same without the CloudFront invalidation, which a small operator's free 1,000 paths cover. */
  dollarsPerThousandWithoutInvalidations: number;
}

export function callsAndDollars(uses: readonly FunctionUse[], model: CostModel): ConsumerCallsAndDollars[] {
  return uses.map((use) => {
    const units = billedUnits([use], model);
    const cost = priceUnits(scaleUnits(units, 1000));
    return {
      name: use.name,
      invocationsPerBooking: use.invocationsPerBooking,
      callsPerBooking: Object.values(use.callsPerBooking).reduce((a, b) => a + b, 0),
      dynamoDbWriteUnitsPerBooking: units.dynamoDbWriteUnits,
      dynamoDbReadUnitsPerBooking: units.dynamoDbReadUnits,
      dollarsPerThousandBookings: cost.total,
      dollarsPerThousandWithoutInvalidations: cost.total - (cost.byService.CloudFront ?? 0),
    };
  });
}

/** Per-function use from measured invocations of `bookings` bookings. */
export function functionUses(
  invocations: readonly { consumer: string; totalMs: number; calls: readonly AwsCall[] }[],
  bookings: number,
): FunctionUse[] {
  type Entry = { count: number; ms: number; calls: Record<string, number>; items: Record<string, number> };
  const byName = new Map<string, Entry>();
  for (const i of invocations) {
    const entry = byName.get(i.consumer) ?? { count: 0, ms: 0, calls: {}, items: {} };
    entry.count++;
    entry.ms += Math.ceil(i.totalMs);
    for (const call of i.calls) {
      const key = `${call.service}.${call.operation}`;
      entry.calls[key] = (entry.calls[key] ?? 0) + 1;
      if (call.items !== undefined) entry.items[key] = (entry.items[key] ?? 0) + call.items;
    }
    byName.set(i.consumer, entry);
  }
  const perBooking = (counts: Record<string, number>) =>
    Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / bookings]));
  return [...byName].map(([name, { count, ms, calls, items }]) => ({
    name,
    invocationsPerBooking: count / bookings,
    meanMs: ms / count,
    callsPerBooking: perBooking(calls),
    ...(Object.keys(items).length > 0 ? { itemsPerBooking: perBooking(items) } : {}),
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
  /** Each consumer's AWS calls beside its dollars, per booking and per 1,000 bookings. */
  perConsumer: ConsumerCallsAndDollars[];
  /** A month of bookings at each of BOOKINGS_PER_MONTH, free tiers taken off: the choreography and the direct. */
  monthly: MonthlyCosts[];
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
    perConsumer: callsAndDollars(uses, model),
    monthly: monthlyCosts(billedUnits(uses, model), billedUnits(directUses, model)),
  };
}
