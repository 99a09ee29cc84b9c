import { documentClient, dynamoDbClient, eventBridgeClient, secretsManagerClient } from '../../shared/aws';
import { consumer } from '../../shared/consumer';
import { timeDownstreamCalls } from '../../shared/metrics';
import { Publisher } from '../../shared/publisher';
import { RevisionLedger } from '../../shared/revisions';
import { SecretCache } from '../../shared/secrets';
import { gatedClient, ShadowRecords, shadowIdOf } from '../../shared/shadow';
import { BoatSchedule } from './boat-schedule';
import { applyToCalendar } from './calendar-entry';
import { declaration } from './declaration';
import { jadaCalendarApi, turnaroundMs } from './jada-calendar-api';

const documents = documentClient(timeDownstreamCalls(dynamoDbClient()));
const revisions = new RevisionLedger(documents);
const schedule = new BoatSchedule(documents, turnaroundMs());
const publisher = new Publisher(timeDownstreamCalls(eventBridgeClient()));
// Shut (a shadow stage, a synthetic booking), the gate keeps JADA's writes back and records them.
const jada = gatedClient(
  'jada-calendar',
  jadaCalendarApi(new SecretCache(timeDownstreamCalls(secretsManagerClient()))),
  new ShadowRecords(documents),
  {
    createEntry: (request) => ({ entryId: shadowIdOf(request.bookingId) }),
    updateEntry: () => undefined,
    cancelEntry: () => undefined,
    markConflicts: () => undefined,
  },
);

export const handler = consumer(declaration, async (event, { logger, context, metrics }) => {
  // The lease ends with the invocation; the downstream calls leave time to record the revision and emit.
  const until = Date.now() + context.getRemainingTimeInMillis();
  const deadline = until - 3_000;
  const { outcome } = await applyToCalendar(event, {
    revisions,
    publisher,
    jada,
    schedule,
    logger,
    metrics,
    deadline,
    until,
  });
  return { outcome };
});
