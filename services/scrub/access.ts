import { defineAccess } from '../../shared/access';

export const access = defineAccess({
  // Removal records (SCRUB#...) and the revision record that keeps CrewNotesScrubbed from going out twice.
  bookingsTable: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
  sccTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
});
