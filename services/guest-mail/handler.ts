import { consumer } from '../../shared/consumer';
import { declaration } from './declaration';
import { guestMailNote } from './guest-mail';

export const handler = consumer(declaration, async (event, { logger }) => {
  logger.info('guest-mail: event seen', { ...guestMailNote(event) });
});
