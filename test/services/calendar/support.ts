import { randomBytes } from 'node:crypto';
import { PutEventsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { openBusTap } from '../../../cli/bus-tap';
import { busName, region } from '../../../shared/config';
import { deployedNames } from '../../../shared/declaration';
import { Publisher } from '../../../shared/publisher';
import type { BookingDetails } from '../../../shared/contract/booking-details';
import { PrivateRecords } from '../../../shared/private-records';
import { bookingDetails } from '../../../samples';
import { startStack, type StackOptions } from '../../../local/charterflow/stack';
import { stackMode } from '../../stack-mode';
import { callsAt, setFaultsAt, type Faults } from '../../../local/stand-ins/http-kit';
import { JADA_CALENDAR_TABLE, type CalendarEntry } from '../../../local/stand-ins/jada-calendar';
import {
  SCC_EVENTS_TABLE,
  SCC_INVITATIONS_TABLE,
  SCC_NOTICES_TABLE,
  type CrewInvitation,
  type CrewNoticeSent,
  type SccEvent,
} from '../../../local/stand-ins/scc';

/**
 * The local stack with the calendar and/or crew consumers, both stand-ins, and a tap on the bus (a catch-all
 * rule with an SQS target) so a test sees what really crossed the bus. Shared by the calendar, crew and
 * chain tests.
 */

export interface BusEvent {
  id: string;
  'detail-type': string;
  source: string;
  detail: {
    metadata: Record<string, string>;
    data: Record<string, any> & { booking: { bookingId: string; revision: number } };
  };
}

export const uniqueBookingId = (prefix = 'C') =>
  (prefix + randomBytes(8).toString('hex').toUpperCase()).replace(/[^A-Z0-9]/g, '').slice(0, 12);

/**
 * Short backoffs: the retry rules are the same, the waits are test-sized. The timeout stays well above what
 * a stand-in takes on a loaded two-core machine, so only injected hangs time out.
 */
const testHttpSettings = {
  CHARTERFLOW_HTTP_TIMEOUT_MS: '2500',
  CHARTERFLOW_HTTP_BASE_DELAY_MS: '10',
  CHARTERFLOW_HTTP_MAX_DELAY_MS: '100',
  CHARTERFLOW_HTTP_MAX_ATTEMPTS: '3',
};

/** options: a test that crashes invocations shortens the function timeout, so a crashed one's lease ends soon. */
export async function startCalendarCrewStack(
  consumers: string[],
  options: Pick<StackOptions, 'functionTimeoutMs' | 'functionEnvironment'> = {},
) {
  const stack = await startStack({
    ...stackMode(),
    ephemeral: true,
    ports: { aws: 0, webhook: 0, guestSite: 0, standIns: {} },
    consumers,
    standIns: true,
    log: true,
    backoff: { baseMs: 20, maxMs: 200 },
    ...options,
    functionEnvironment: { ...testHttpSettings, ...options.functionEnvironment },
  });
  const clientConfig = { region: region(), endpoint: stack.endpoints.aws };
  const sqs = new SQSClient(clientConfig);
  const eventBridge = new EventBridgeClient(clientConfig);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig));
  const publisher = new Publisher(eventBridge);

  const tap = await openBusTap(eventBridge, sqs, { name: `calendar-crew-tap-${randomBytes(4).toString('hex')}` });

  async function drain(queueUrl: string): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) return all;
      all.push(...Messages);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }

  const seen: BusEvent[] = [];
  /** Every event that crossed the bus so far (after the bus has delivered everything pending). */
  async function busEvents(): Promise<BusEvent[]> {
    await stack.eventBridge.idle();
    seen.push(...((await tap.drain()) as unknown as BusEvent[]));
    return [...seen];
  }

  const scan = async <T>(table: string): Promise<T[]> => {
    const items: T[] = [];
    for await (const page of paginateScan({ client: documents }, { TableName: table, ConsistentRead: true })) {
      items.push(...((page.Items ?? []) as T[]));
    }
    return items;
  };

  return {
    stack,
    publisher,
    busEvents,
    eventsOf: async (bookingId: string, detailType?: string) =>
      (await busEvents()).filter(
        (e) => e.detail.metadata.bookingId === bookingId && (!detailType || e['detail-type'] === detailType),
      ),
    /** Messages dead-lettered for a consumer so far (received and deleted). */
    deadLetters: async (consumer: string) => {
      await stack.eventBridge.idle();
      const { QueueUrl } = await sqs.send(
        new GetQueueUrlCommand({ QueueName: deployedNames(consumer).deadLetterQueueName }),
      );
      return drain(QueueUrl!);
    },
    /** Sends events again as EventBridge would redeliver them: same source, detail-type and detail, new id. */
    redeliver: async (events: BusEvent[]) => {
      for (let i = 0; i < events.length; i += 10) {
        const batch = events.slice(i, i + 10);
        const result = await eventBridge.send(
          new PutEventsCommand({
            Entries: batch.map((e) => ({
              EventBusName: busName(),
              Source: e.source,
              DetailType: e['detail-type'],
              Detail: JSON.stringify(e.detail),
            })),
          }),
        );
        if (result.FailedEntryCount) throw new Error(`redelivery failed: ${JSON.stringify(result.Entries)}`);
      }
    },
    /** Writes the booking's private record for these revisions, as the webhook does before the event goes out. */
    rememberRenter: async (
      bookingId: string,
      revisions: number[] = [1],
      details: BookingDetails = bookingDetails(),
    ) => {
      const records = new PrivateRecords(documents);
      for (const revision of revisions) await records.write(bookingId, revision, details);
    },
    /** Every item of a table of the stack. */
    scanTable: (table: string) => scan<Record<string, unknown>>(table),
    tables: {
      calendarEntries: () => scan<CalendarEntry>(JADA_CALENDAR_TABLE),
      sccEvents: () => scan<SccEvent>(SCC_EVENTS_TABLE),
      invitations: () => scan<CrewInvitation>(SCC_INVITATIONS_TABLE),
      notices: () => scan<CrewNoticeSent>(SCC_NOTICES_TABLE),
    },
    /** The calls each stand-in has served so far, by route ("PUT /entries/:entryId"). */
    calls: async () => ({
      jada: await callsAt(stack.endpoints.standIns['jada-calendar']!),
      scc: await callsAt(stack.endpoints.standIns.scc!),
    }),
    standInUrl: (name: 'jada-calendar' | 'scc') => stack.endpoints.standIns[name]!,
    setFaults: (name: 'jada-calendar' | 'scc', faults: Partial<Faults> | 'reset') =>
      setFaultsAt(stack.endpoints.standIns[name]!, faults),
    stop: async () => {
      sqs.destroy();
      eventBridge.destroy();
      documents.destroy();
      await stack.stop();
    },
  };
}

export type CalendarCrewStack = Awaited<ReturnType<typeof startCalendarCrewStack>>;

/** Handler logs (Powertools: INFO on stdout, WARN/ERROR on stderr) as parsed lines, kept out of the test output. */
export function captureLogs(): { lines: Record<string, unknown>[]; restore(): void } {
  const lines: Record<string, unknown>[] = [];
  const restorers = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = String(chunk);
      const parsed = text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            return undefined;
          }
        });
      if (parsed.length > 0 && parsed.every(Boolean)) {
        lines.push(...(parsed as Record<string, unknown>[]));
        return true;
      }
      return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
    return () => {
      stream.write = original;
    };
  });
  return {
    lines,
    restore: () => {
      for (const restore of restorers) restore();
    },
  };
}
