import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { AwsError } from '../service';
import type { ReadWriteLock } from '../read-write-lock';
import type { Call } from './transactions';

/**
 * Time to live, which dynalite lacks: each table's setting (kept in a file beside the tables when they persist),
 * UpdateTimeToLive and DescribeTimeToLive, and the sweep that deletes expired items.
 */

interface TimeToLive {
  AttributeName: string;
  Enabled: boolean;
}

export class TimeToLiveTables {
  private readonly settings: Map<string, TimeToLive>;

  constructor(
    private readonly call: Call,
    private readonly lock: ReadWriteLock,
    private readonly file: string | undefined,
  ) {
    this.settings = new Map<string, TimeToLive>(
      file && existsSync(file)
        ? (Object.entries(JSON.parse(readFileSync(file, 'utf8'))) as [string, TimeToLive][])
        : [],
    );
  }

  /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html */
  async update(input: Record<string, unknown>) {
    const spec = input.TimeToLiveSpecification as Partial<TimeToLive> | undefined;
    if (!spec || typeof spec.AttributeName !== 'string' || typeof spec.Enabled !== 'boolean')
      throw new AwsError('ValidationException', 'TimeToLiveSpecification needs AttributeName and Enabled');
    await this.describeTable(input.TableName);
    const tableName = String(input.TableName); // a string: describeTable refuses anything else
    const current = this.settings.get(tableName);
    if (current?.Enabled === spec.Enabled)
      throw new AwsError('ValidationException', `TimeToLive is already ${spec.Enabled ? 'enabled' : 'disabled'}`);
    this.settings.set(tableName, { AttributeName: spec.AttributeName, Enabled: spec.Enabled });
    await this.save();
    return { TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled } };
  }

  async describe(input: Record<string, unknown>) {
    await this.describeTable(input.TableName);
    const current = this.settings.get(String(input.TableName));
    return {
      TimeToLiveDescription: current?.Enabled
        ? { TimeToLiveStatus: 'ENABLED', AttributeName: current.AttributeName }
        : { TimeToLiveStatus: 'DISABLED' },
    };
  }

  /** Enables time to live on a table unless it already is (safe at every start). */
  async enable(tableName: string, attributeName: string): Promise<void> {
    if (this.settings.get(tableName)?.Enabled) return;
    this.settings.set(tableName, { AttributeName: attributeName, Enabled: true });
    await this.save();
  }

  /** Deletes every item whose time-to-live attribute is past (epoch seconds), as DynamoDB's TTL does. */
  async sweepExpired(now = new Date()): Promise<number> {
    const nowSeconds = now.getTime() / 1000;
    let deleted = 0;
    for (const [TableName, ttl] of this.settings) {
      if (!ttl.Enabled) continue;
      const table = await this.describeTable(TableName).catch(() => undefined);
      if (!table) continue;
      const keyNames = (table.KeySchema as { AttributeName: string }[]).map((k) => k.AttributeName);
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const { output } = await this.call('Scan', {
          TableName,
          FilterExpression: '#ttl < :now',
          ExpressionAttributeNames: { '#ttl': ttl.AttributeName },
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        });
        for (const item of (output.Items ?? []) as Record<string, unknown>[]) {
          const Key = Object.fromEntries(keyNames.map((name) => [name, item[name]]));
          // Only if it is still expired: a writer may have extended it since the scan.
          const { status } = await this.lock.shared(() =>
            this.call('DeleteItem', {
              TableName,
              Key,
              ConditionExpression: '#ttl < :now',
              ExpressionAttributeNames: { '#ttl': ttl.AttributeName },
              ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
            }),
          );
          if (status === 200) deleted++;
        }
        ExclusiveStartKey = output.LastEvaluatedKey as Record<string, unknown> | undefined;
      } while (ExclusiveStartKey);
    }
    return deleted;
  }

  private save(): Promise<void> {
    return this.file ? writeFile(this.file, JSON.stringify(Object.fromEntries(this.settings))) : Promise.resolve();
  }

  private async describeTable(tableName: unknown) {
    if (typeof tableName !== 'string' || !tableName) throw new AwsError('ValidationException', 'TableName is required');
    const { status, output } = await this.call('DescribeTable', { TableName: tableName });
    if (status !== 200)
      throw new AwsError('ResourceNotFoundException', `Requested resource not found: Table: ${tableName} not found`);
    return output.Table as Record<string, unknown>;
  }
}
