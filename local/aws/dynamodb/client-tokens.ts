import { AwsError } from '../service';

/**
 * A ClientRequestToken makes a TransactWriteItems idempotent for 10 minutes: the same request again is not
 * run again; another request under the same token is refused.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 */
export class ClientTokens {
  private readonly tokens = new Map<string, { request: string; at: number }>();

  async once(input: Record<string, unknown>, run: () => Promise<Record<string, unknown>>) {
    const token = input.ClientRequestToken;
    if (typeof token !== 'string') return run();
    const now = Date.now();
    for (const [key, seen] of this.tokens) if (now - seen.at > 600_000) this.tokens.delete(key);
    const {
      ClientRequestToken: _token,
      ReturnConsumedCapacity: _capacity,
      ReturnItemCollectionMetrics: _metrics,
      ...request
    } = input;
    const text = JSON.stringify(request);
    const seen = this.tokens.get(token);
    if (seen) {
      if (seen.request !== text)
        throw new AwsError(
          'IdempotentParameterMismatchException',
          'The request uses the same client token as a previous, but non-identical request.',
        );
      return {};
    }
    const output = await run();
    this.tokens.set(token, { request: text, at: now });
    return output;
  }
}
