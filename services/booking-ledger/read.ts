import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LedgerLine } from './booking-ledger';
import { ledgerLineOfItem, ledgerTableName } from './ledger';

/**
 * Reads for the operator's tools beyond one booking's timeline (ledger.ts): every line of a time window,
 * which `charterflow replay` uses to count what a window holds (AWS has no API that lists an archive).
 * A scan: bookings are tens a day, and replays are rare.
 */
export async function ledgerLinesBetween(
  documents: DynamoDBDocumentClient,
  window: { from: Date; to: Date },
  table = ledgerTableName(),
): Promise<LedgerLine[]> {
  const lines: LedgerLine[] = [];
  const pages = paginateScan(
    { client: documents },
    {
      TableName: table,
      FilterExpression: 'begins_with(sk, :line) AND #at >= :from AND #at < :to',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: {
        ':line': 'LINE#',
        ':from': window.from.toISOString(),
        ':to': window.to.toISOString(),
      },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) lines.push(...(page.Items ?? []).map(ledgerLineOfItem));
  return lines;
}
