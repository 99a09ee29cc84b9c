import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type LocalStack } from '../../../local/charterflow/stack';
import { documentClient, eventBridgeClient, sqsClient } from '../../../shared/aws';
import { parseConsumedEvent } from '../../../shared/consumer';
import { deployedNames } from '../../../shared/declaration';
import { Publisher } from '../../../shared/publisher';
import { declaration } from '../../../services/guest-mail/declaration';
import { guestMailNote } from '../../../services/guest-mail/guest-mail';
import { bookingSnapshot, eventMetadata } from '../../../samples';
import { rememberRenter } from './support';

const detail = () => ({
  metadata: eventMetadata({ idempotencyKey: 'XHQGMDH:r1:GuestPagePublished' }),
  data: {
    booking: bookingSnapshot(),
    url: 'https://queenofsandiego.com/g/XHQGMDH',
    etag: '"9b2cf535f27731c974343645a3985328"',
  },
});

describe('guest-mail', () => {
  let stack: LocalStack;
  const delivered: { id: string }[] = [];

  beforeAll(async () => {
    stack = await startStack({ ephemeral: true, ports: { aws: 0 }, consumers: [declaration.name], standIns: false });
    // The real handler, imported after the stack set AWS_ENDPOINT_URL; the wrapper only counts deliveries.
    const { handler } = await import('../../../services/guest-mail/handler');
    stack.lambda.register(deployedNames(declaration.name).functionName, () =>
      Promise.resolve((event, context) => {
        delivered.push(event as { id: string });
        return handler(event as never, context as Context);
      }),
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('handles a GuestPagePublished the bus delivers, once, and dead-letters nothing', async () => {
    const events = eventBridgeClient();
    const sqs = sqsClient();
    const documents = documentClient();
    try {
      await rememberRenter(documents, bookingSnapshot());
      const id = await new Publisher(events).publishOne('GuestPagePublished', detail());
      await stack.eventBridge.idle();
      expect(delivered.map((event) => event.id)).toEqual([id]);
      const { QueueUrl } = await sqs.send(
        new GetQueueUrlCommand({ QueueName: deployedNames(declaration.name).deadLetterQueueName }),
      );
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
      expect(Messages ?? []).toEqual([]);
    } finally {
      events.destroy();
      sqs.destroy();
      documents.destroy();
    }
  });

  it('notes the booking, the step and the ids of the event', () => {
    const event = parseConsumedEvent(declaration, {
      version: '0',
      id: 'evt-1',
      'detail-type': 'GuestPagePublished',
      source: 'charterflow.guest-page',
      account: '000000000000',
      time: '2026-11-24T17:03:01Z',
      region: 'us-west-2',
      resources: [],
      detail: detail(),
    });
    expect(guestMailNote(event)).toEqual({
      bookingId: 'XHQGMDH',
      revision: 1,
      detailType: 'GuestPagePublished',
      eventId: 'evt-1',
      correlationId: 'msg_2pLq8Vn4Xc7bQe1',
      causationId: 'msg_2pLq8Vn4Xc7bQe1',
      occurredAt: '2026-11-24T17:03:01.250Z',
      replayed: false,
    });
  });
});
