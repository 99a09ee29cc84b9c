import { queueNameOf } from '../../sqs/queues';
import type { ArnContext, Authorizations } from '../model';

/**
 * SQS's authorizations: sqs:<Operation> on the queue's ARN, the queue named by its QueueUrl (…/<account>/<name>)
 * or, for CreateQueue and GetQueueUrl, by its QueueName. A batch is authorised as its single action
 * (SendMessageBatch is sqs:SendMessage), as the Service Authorization Reference lists them.
 */

const ON_QUEUE_URL = new Set([
  'SendMessage',
  'ReceiveMessage',
  'DeleteMessage',
  'ChangeMessageVisibility',
  'GetQueueAttributes',
  'SetQueueAttributes',
  'PurgeQueue',
  'DeleteQueue',
  'ListDeadLetterSourceQueues',
  'ListQueueTags',
  'TagQueue',
  'UntagQueue',
]);

const BATCHES: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

export function sqsAuthorizations(operation: string, input: Record<string, unknown>, arns: ArnContext): Authorizations {
  const single = BATCHES[operation] ?? operation;
  if (ON_QUEUE_URL.has(single) && typeof input.QueueUrl === 'string') {
    return { authorizations: [{ action: `sqs:${single}`, resource: queueArnOfUrl(input.QueueUrl, arns) }] };
  }
  if ((operation === 'CreateQueue' || operation === 'GetQueueUrl') && typeof input.QueueName === 'string') {
    const account = typeof input.QueueOwnerAWSAccountId === 'string' ? input.QueueOwnerAWSAccountId : arns.accountId;
    return {
      authorizations: [
        { action: `sqs:${operation}`, resource: `arn:aws:sqs:${arns.region}:${account}:${input.QueueName}` },
      ],
    };
  }
  // No resource-level permission: AWS checks it against "*".
  if (operation === 'ListQueues') return { authorizations: [{ action: 'sqs:ListQueues', resource: '*' }] };
  return { unknown: `sqs.${operation} is not known to the local IAM` };
}

/** A queue's ARN from its URL (…/<account>/<name>, the name read as the local SQS reads it); an ARN passes as it is. */
export function queueArnOfUrl(queueUrl: string, arns: ArnContext): string {
  if (queueUrl.startsWith('arn:')) return queueUrl;
  const account = /\/(\d{12})\/[^/]+\/?$/.exec(queueUrl)?.[1] ?? arns.accountId;
  return `arn:aws:sqs:${arns.region}:${account}:${queueNameOf(queueUrl)}`;
}
