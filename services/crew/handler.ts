import { documentClient, dynamoDbClient, eventBridgeClient, secretsManagerClient } from '../../shared/aws';
import { consumer } from '../../shared/consumer';
import { timeDownstreamCalls } from '../../shared/metrics';
import { PrivateRecords } from '../../shared/private-records';
import { Publisher } from '../../shared/publisher';
import { RevisionLedger } from '../../shared/revisions';
import { SecretCache } from '../../shared/secrets';
import { gatedClient, isShadowId, ShadowRecords, shadowIdOf } from '../../shared/shadow';
import { applyToCrewEvent } from './crew-event';
import { declaration } from './declaration';
import { sccApi } from './scc-api';
import { findCrewEventByCalendarEntry } from './scc-events-table';

const documents = documentClient(timeDownstreamCalls(dynamoDbClient()));
const revisions = new RevisionLedger(documents);
const privateRecords = new PrivateRecords(documents);
const publisher = new Publisher(timeDownstreamCalls(eventBridgeClient()));
const shadow = new ShadowRecords(documents);
// Shut (a shadow stage, a synthetic booking), the gate keeps SCC's writes back (so no crew invitation) and
// records them; the notes SCC would hold are kept for scrub, which reads them where SCC's table would have them.
const scc = gatedClient('scc', sccApi(new SecretCache(timeDownstreamCalls(secretsManagerClient()))), shadow, {
  createEvent: async (request) => {
    const eventId = shadowIdOf(request.bookingId);
    await shadow.hold(request.bookingId, eventId, { eventId, notes: request.notes });
    return { eventId };
  },
  updateEvent: async (eventId, request) => {
    if (isShadowId(eventId)) await shadow.hold(request.bookingId, eventId, { eventId, notes: request.notes });
  },
  cancelEvent: () => undefined,
});

export const handler = consumer(declaration, async (event, { logger, context }) => {
  // The lease ends with the invocation; the downstream call leaves time to record the revision and emit.
  const until = Date.now() + context.getRemainingTimeInMillis();
  const deadline = until - 3_000;
  const { outcome } = await applyToCrewEvent(event, {
    revisions,
    publisher,
    scc,
    privateRecords,
    logger,
    deadline,
    until,
    findCrewEvent: (calendarEntryId) => findCrewEventByCalendarEntry(calendarEntryId, { documents }),
  });
  return { outcome };
});
