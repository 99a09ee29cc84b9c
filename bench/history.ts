import { createHash } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { discoverServices } from '../deploy/discover';
import { busName, region } from '../shared/config';
import { deployedNames } from '../shared/declaration';
import type { BenchStack } from './harness';
import { inPool } from './stats';

/**
 * History for the growth and replay figures: one real booking goes through the chain, then its every table
 * item and every event is cloned under other ids (booking, calendar entry, crew event, invitation, webhook
 * ids), items written to the same tables and events put on the bus with the consumers' rules disabled, so
 * they land in the archive as if they had happened, without spending an hour running 10,000 bookings.
 */

interface BusEventRecord {
  source: string;
  'detail-type': string;
  detail: unknown;
}

export interface History {
  /** Bookings in the archive and tables so far (the template and the clones). */
  bookings: number;
  /** Adds clones until `total` bookings are in history; returns the seconds it took. */
  growTo(total: number): Promise<number>;
  /** Counts bookings that went through the chain meanwhile (measured ones are history too). */
  add(bookings: number): void;
  /** The events of clone n as the bus would redeliver them (a replay): every one already done. */
  eventsOf(n: number): { 'detail-type': string; source: string; detail: unknown }[];
  close(): void;
}

const ID_TOKEN = /\b(?:cal|scc|inv|msg)_[A-Za-z0-9_-]+/g;

/** The clone number n of a text: every id of the template replaced by one derived from n (same shape). */
export function cloneText(text: string, templateBookingId: string, n: number): string {
  const bookingId = `H${String(n).padStart(7, '0')}`;
  return text
    .replace(ID_TOKEN, (token) => {
      const [prefix] = token.split('_', 1);
      const rest = token.slice(prefix!.length + 1);
      const digest = createHash('sha256').update(`${token}#${n}`).digest('base64url').replace(/[-_]/g, 'x');
      return `${prefix}_${digest.slice(0, rest.length)}`;
    })
    .replaceAll(templateBookingId, bookingId);
}

export async function startHistory(bench: BenchStack): Promise<History> {
  const config = { region: region(), endpoint: bench.stack.endpoints.aws };
  const dynamodb = new DynamoDBClient(config);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const events = new EventBridgeClient(config);
  const sqs = new SQSClient(config);
  const bus = busName();

  // The template: one booking through the real chain, its events seen by a rule of its own.
  const template = bench.nextBookingId();
  const tapName = 'bench-history-template';
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: tapName }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await events.send(
    new PutRuleCommand({
      Name: tapName,
      EventBusName: bus,
      EventPattern: JSON.stringify({ detail: { metadata: { bookingId: [template] } } }),
    }),
  );
  await events.send(
    new PutTargetsCommand({ Rule: tapName, EventBusName: bus, Targets: [{ Id: 'tap', Arn: Attributes!.QueueArn! }] }),
  );
  await bench.send(template);
  await bench.published(template);
  await bench.stack.eventBridge.idle();
  const templateEvents: BusEventRecord[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) break;
    templateEvents.push(...Messages.map((m) => JSON.parse(m.Body!) as BusEventRecord));
  }
  await events.send(new DisableRuleCommand({ Name: tapName, EventBusName: bus }));

  const templateItems: { table: string; text: string }[] = [];
  const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
  // Invitations name the crew event, not the booking: an item belongs to the template if it names either.
  const templateIds = new Set(templateEvents.flatMap((e) => JSON.stringify(e).match(ID_TOKEN) ?? []));
  const namesTemplate = (text: string) =>
    text.includes(template) || (text.match(ID_TOKEN) ?? []).some((id) => templateIds.has(id));
  for (const table of TableNames) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
    const keys = (Table?.KeySchema ?? []).map((k) => k.AttributeName!);
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: table }));
    for (const item of Items) {
      const text = JSON.stringify(item);
      // An item whose key names no booking (a boat's day on the schedule) is one for all clones: not cloned.
      const key = JSON.stringify(keys.map((k) => item[k]));
      if (namesTemplate(text) && namesTemplate(key)) templateItems.push({ table, text });
    }
  }

  const rules = [...(await discoverServices())]
    .filter((s) => s.declaration.kind === 'consumer')
    .map((s) => deployedNames(s.name).ruleName)
    .concat('bench-tap-guest-page-published');

  let bookings = 1;
  let clones = 0;
  return {
    get bookings() {
      return bookings;
    },
    add(measured) {
      bookings += measured;
    },
    eventsOf(n) {
      return templateEvents.map((e) => ({
        'detail-type': e['detail-type'],
        source: e.source,
        detail: JSON.parse(cloneText(JSON.stringify(e.detail), template, n)),
      }));
    },
    close() {
      dynamodb.destroy();
      events.destroy();
      sqs.destroy();
    },
    async growTo(total) {
      const started = performance.now();
      const numbers = Array.from({ length: Math.max(0, total - bookings) }, () => ++clones);
      if (numbers.length === 0) return 0;
      for (const name of rules) await events.send(new DisableRuleCommand({ Name: name, EventBusName: bus }));
      try {
        const writes = numbers.flatMap((n) =>
          templateItems.map(({ table, text }) => ({ table, item: JSON.parse(cloneText(text, template, n)) })),
        );
        const batches: (typeof writes)[] = [];
        for (let i = 0; i < writes.length; i += 25) batches.push(writes.slice(i, i + 25));
        await inPool(batches, 8, async (batch) => {
          const byTable: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {};
          for (const { table, item } of batch) {
            byTable[table] ??= [];
            byTable[table]!.push({ PutRequest: { Item: item } });
          }
          let unprocessed: typeof byTable | undefined = byTable;
          while (unprocessed && Object.keys(unprocessed).length > 0) {
            const result = await documents.send(new BatchWriteCommand({ RequestItems: unprocessed }));
            unprocessed = result.UnprocessedItems as typeof byTable | undefined;
          }
        });
        const entries = numbers.flatMap((n) =>
          templateEvents.map((e) => ({
            EventBusName: bus,
            Source: e.source,
            DetailType: e['detail-type'],
            Detail: cloneText(JSON.stringify(e.detail), template, n),
          })),
        );
        const puts: (typeof entries)[] = [];
        for (let i = 0; i < entries.length; i += 10) puts.push(entries.slice(i, i + 10));
        await inPool(puts, 8, async (Entries) => {
          const result = await events.send(new PutEventsCommand({ Entries }));
          if (result.FailedEntryCount) throw new Error(`history: PutEvents failed ${result.FailedEntryCount} entries`);
        });
      } finally {
        for (const name of rules) await events.send(new EnableRuleCommand({ Name: name, EventBusName: bus }));
      }
      bookings = total;
      return (performance.now() - started) / 1000;
    },
  };
}
