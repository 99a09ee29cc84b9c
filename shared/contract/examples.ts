import type { DetailType, EventDetail } from './events';

/**
 * One valid example of each detail-type's own data (beside the booking snapshot every event carries): the
 * contract tests, the ledger tests and the consumer scaffold all start from these.
 */
export type EventData<T extends DetailType> = Omit<EventDetail<T>['data'], 'booking'>;

const etag = '"9b2cf535f27731c974343645a3985328"';
const url = 'https://queenofsandiego.com/g/XHQGMDH';

export const exampleData: { [T in DetailType]: EventData<T> } = {
  BookingReceived: {},
  BookingModified: {},
  BookingCancelled: {},
  CalendarEntryCreated: { calendarEntryId: 'cal_01J9Z3K8QX' },
  CalendarEntryUpdated: { calendarEntryId: 'cal_01J9Z3K8QX', changed: ['start'] },
  CalendarEntryCancelled: { calendarEntryId: 'cal_01J9Z3K8QX' },
  CalendarConflictDetected: {
    calendarEntryId: 'cal_01J9Z3K8QX',
    trip: { start: '2026-12-05T17:00:00-08:00', end: '2026-12-05T20:00:00-08:00' },
    conflictsWith: [
      {
        bookingId: 'KP4RT2Z',
        calendarEntryId: 'cal_02K1A4M9RT',
        start: '2026-12-05T18:00:00-08:00',
        end: '2026-12-05T21:00:00-08:00',
      },
    ],
  },
  CalendarConflictResolved: { calendarEntryId: 'cal_01J9Z3K8QX', resolvedWith: [{ bookingId: 'KP4RT2Z' }] },
  CrewEventCreated: { calendarEntryId: 'cal_01J9Z3K8QX', sccEventId: 'scc_7f3a9c' },
  CrewEventUpdated: {
    calendarEntryId: 'cal_01J9Z3K8QX',
    sccEventId: 'scc_7f3a9c',
    changed: ['start'],
    crewNotified: true,
  },
  CrewEventCancelled: { calendarEntryId: 'cal_01J9Z3K8QX', sccEventId: 'scc_7f3a9c' },
  CrewNotesScrubbed: { sccEventId: 'scc_7f3a9c', linesRemoved: 5 },
  GuestPagePublished: { url, etag },
  GuestPageUpdated: {
    url,
    etag,
    changes: [{ field: 'time', before: 'Saturday, December 5, 5:00 PM', after: 'Saturday, December 5, 6:00 PM' }],
  },
  GuestPageWithdrawn: { url, etag },
};
