import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../../../shared/errors';
import {
  SCC_INVITATIONS_TABLE,
  SCC_NOTICES_TABLE,
  sha256Hex,
  type CrewInvitation,
  type CrewMember,
  type CrewNoticeSent,
  type SccEvent,
} from './model';

/** What SCC "emails" the crew: a magic-link invitation to each member, and each change or cancellation. */

/** One invitation per crew member per event, whatever the number of retries: the id is derived from both. */
export function inviteCrew(documents: DynamoDBDocumentClient, event: SccEvent): Promise<CrewInvitation[]> {
  return Promise.all(
    event.crew.map(async (crewMember) => {
      const invitation: CrewInvitation = {
        invitationId: `inv_${sha256Hex(`${event.eventId}|${crewMember.role}|${crewMember.name}`).slice(0, 20)}`,
        eventId: event.eventId,
        crewMember,
        magicLinkToken: randomBytes(24).toString('hex'),
        sentAt: new Date().toISOString(),
      };
      try {
        await documents.send(
          new PutCommand({
            TableName: SCC_INVITATIONS_TABLE,
            Item: invitation,
            ConditionExpression: 'attribute_not_exists(invitationId)',
          }),
        );
        return invitation;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const { Item } = await documents.send(
          new GetCommand({
            TableName: SCC_INVITATIONS_TABLE,
            Key: { invitationId: invitation.invitationId },
            ConsistentRead: true,
          }),
        );
        return Item as CrewInvitation;
      }
    }),
  );
}

/** One notice per crew member per request (a retry sends none): the id is derived from both. */
export async function noticeCrew(
  documents: DynamoDBDocumentClient,
  event: SccEvent,
  members: CrewMember[],
  kind: CrewNoticeSent['kind'],
  about: string,
  changes?: CrewNoticeSent['changes'],
): Promise<void> {
  await Promise.all(
    members.map(async (crewMember) => {
      const notice: CrewNoticeSent = {
        noticeId: `ntc_${sha256Hex(`${event.eventId}|${crewMember.role}|${crewMember.name}|${kind}|${about}`).slice(0, 20)}`,
        eventId: event.eventId,
        crewMember,
        kind,
        ...(changes ? { changes } : {}),
        ...(kind === 'cancelled' ? {} : { requestKey: about }),
        sentAt: new Date().toISOString(),
      };
      try {
        await documents.send(
          new PutCommand({
            TableName: SCC_NOTICES_TABLE,
            Item: notice,
            ConditionExpression: 'attribute_not_exists(noticeId)',
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }),
  );
}
