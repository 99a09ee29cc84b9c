import { createHash } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { requestsTable } from '../http-kit';

/** What the SCC stand-in keeps: its tables and the records in them. */

export const SCC_EVENTS_TABLE = 'scc-events';
export const SCC_INVITATIONS_TABLE = 'scc-crew-invitations';
export const SCC_NOTICES_TABLE = 'scc-crew-notices';
export const SCC_REQUESTS_TABLE = 'scc-requests';

export interface CrewMember {
  name: string;
  role: 'captain' | 'deckhand';
}

export interface SccPricing {
  currency: string;
  bookingTotal: number;
  captainFee: number;
  ownerPayout: number;
}

export interface SccEvent {
  eventId: string;
  bookingId: string;
  calendarEntryId: string;
  title: string;
  start: string;
  durationHours: number;
  boat: string;
  partySize: number;
  notes: string;
  crew: CrewMember[];
  status?: 'active' | 'cancelled';
  idempotencyKey?: string;
  requestHash: string;
  createdAt: string;
  updatedAt?: string;
  cancelledAt?: string;
}

/** A change or cancellation "emailed" to one crew member. */
export interface CrewNoticeSent {
  noticeId: string;
  eventId: string;
  crewMember: CrewMember;
  kind: 'changed' | 'cancelled' | 'removed';
  changes?: { field: string; before: string; after: string }[];
  /** The Idempotency-Key of the request that sent it: which update it tells of. */
  requestKey?: string;
  sentAt: string;
}

export interface CrewInvitation {
  invitationId: string;
  eventId: string;
  crewMember: CrewMember;
  magicLinkToken: string;
  sentAt: string;
}

export const sccTables: CreateTableCommandInput[] = [
  {
    TableName: SCC_EVENTS_TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'eventId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }],
  },
  {
    TableName: SCC_INVITATIONS_TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'invitationId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'invitationId', KeyType: 'HASH' }],
  },
  {
    TableName: SCC_NOTICES_TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'noticeId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'noticeId', KeyType: 'HASH' }],
  },
  requestsTable(SCC_REQUESTS_TABLE),
];

/** SCC's hex SHA-256: the form of the service key callers send, and the root of the ids it derives. */
export const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
