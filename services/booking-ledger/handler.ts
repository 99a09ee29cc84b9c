import { consumer } from '../../shared/consumer';
import { documentClient, dynamoDbClient } from '../../shared/aws';
import { timeDownstreamCalls } from '../../shared/metrics';
import { declaration } from './declaration';
import { ledgerLinesOf } from './booking-ledger';
import { BookingLedger } from './ledger';

const ledger = new BookingLedger(documentClient(timeDownstreamCalls(dynamoDbClient())));

export const handler = consumer(declaration, async (event, { logger }) => {
  const [own, ...partners] = ledgerLinesOf(event);
  // A replay is most likely of a line already in: one read settles it, and writes nothing.
  const outcome =
    event.replayName !== undefined && (await ledger.holds(own!)) ? 'already-recorded' : await ledger.record(own!);
  // A line on another booking's timeline does not make it that booking's latest step.
  for (const line of partners) await ledger.record(line, { recent: false });
  logger.info('timeline line', { step: own!.step, outcome: outcome === 'recorded' ? 'acted' : 'skipped', at: own!.at });
  return { outcome: outcome === 'recorded' ? 'acted' : 'duplicate' };
});
