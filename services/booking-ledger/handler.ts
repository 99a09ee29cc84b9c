import { consumer } from '../../shared/consumer';
import { declaration } from './declaration';
import { bookingLedgerNote } from './booking-ledger';

export const handler = consumer(declaration, async (event, { logger }) => {
  logger.info('booking-ledger: event seen', { ...bookingLedgerNote(event) });
});
