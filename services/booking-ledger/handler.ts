import { consumer } from '../../shared/consumer';
import { documentClient } from '../../shared/aws';
import { declaration } from './declaration';
import { ledgerLineOf } from './booking-ledger';
import { BookingLedger } from './ledger';

const ledger = new BookingLedger(documentClient());

export const handler = consumer(declaration, async (event, { logger }) => {
  const line = ledgerLineOf(event);
  const outcome = await ledger.record(line);
  logger.info('timeline line', { step: line.step, outcome: outcome === 'recorded' ? 'acted' : 'skipped', at: line.at });
});
