import { consumer } from '../../shared/consumer';
import { documentClient, dynamoDbClient } from '../../shared/aws';
import { timeDownstreamCalls } from '../../shared/metrics';
import { declaration } from './declaration';
import { ledgerLineOf } from './booking-ledger';
import { BookingLedger } from './ledger';

const ledger = new BookingLedger(documentClient(timeDownstreamCalls(dynamoDbClient())));

export const handler = consumer(declaration, async (event, { logger }) => {
  const line = ledgerLineOf(event);
  const outcome = await ledger.record(line);
  logger.info('timeline line', { step: line.step, outcome: outcome === 'recorded' ? 'acted' : 'skipped', at: line.at });
  return { outcome: outcome === 'recorded' ? 'acted' : 'duplicate' };
});
