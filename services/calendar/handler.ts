import { documentClient, eventBridgeClient, secretsManagerClient } from '../../shared/aws';
import { consumer } from '../../shared/consumer';
import { Publisher } from '../../shared/publisher';
import { SecretCache } from '../../shared/secrets';
import { BookingSteps } from '../../shared/steps';
import { createCalendarEntry } from './calendar-entry';
import { declaration } from './declaration';
import { jadaCalendarApi } from './jada-calendar-api';

const steps = new BookingSteps(documentClient());
const publisher = new Publisher(eventBridgeClient());
const jada = jadaCalendarApi(new SecretCache(secretsManagerClient()));

export const handler = consumer(declaration, async (event, { logger }) => {
  await createCalendarEntry(event, { steps, publisher, jada, logger });
});
