import {
  GetCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { sccEventsTable } from '../../shared/config';
import { currentInvocation, gatedSends, isShadowId, type SentCommand, type ShadowRecords } from '../../shared/shadow';

interface TableInput {
  TableName?: string;
  Key?: { eventId?: unknown };
  UpdateExpression?: string;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * SCC's table as scrub sees it while the shadow gate is shut: a write to it is kept back and recorded; a
 * crew event the gate kept from SCC (id shadow-...) is read from, and cleaned in, the notes crew kept for it
 * (shared/shadow.ts hold), so scrub runs its rule on what SCC would have held and the chain goes on. A real
 * event (one adopted from the old Lambdas) is read from SCC's table as always. Our own table goes through.
 */
export function gatedSccTable(documents: DynamoDBDocumentClient, shadow: ShadowRecords): DynamoDBDocumentClient {
  const commands = { Get: GetCommand, Query: QueryCommand, Scan: ScanCommand, Update: UpdateCommand };
  return gatedSends(documents, shadow, commands, async (operation, command: SentCommand) => {
    const input = command.input as TableInput;
    if (input.TableName !== sccEventsTable()) return { pass: true };
    const eventId = String(input.Key?.eventId ?? '');
    const bookingId = currentInvocation()?.bookingId ?? '';
    if (operation === 'Get') {
      if (!isShadowId(eventId)) return { pass: true };
      return { pass: false, answer: { Item: await shadow.held(bookingId, eventId) } };
    }
    if (operation === 'Query' || operation === 'Scan') return { pass: true };
    if (isShadowId(eventId) && operation === 'Update') {
      // Scrub's one write is `SET notes = :value`: the kept notes become what SCC would then hold.
      const placeholder = /SET\s+notes\s*=\s*(:\w+)/i.exec(input.UpdateExpression ?? '')?.[1];
      const notes = placeholder ? input.ExpressionAttributeValues?.[placeholder] : undefined;
      if (typeof notes === 'string') await shadow.hold(bookingId, eventId, { eventId, notes });
    }
    return {
      pass: false,
      record: { target: `dynamodb:${input.TableName}/${eventId}`, request: input },
      answer: {},
    };
  });
}
