import { defineAccess } from '../../shared/access';

export const access = defineAccess({
  // The revision record: what the page shows, so a stale or unchanged revision writes nothing.
  bookingsTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  // PutObject for pages; copied boat photos need PutObject here and GetObject on the legacy bucket.
  guestSiteObjects: { 'g/*': ['s3:GetObject', 's3:PutObject'], 'assets/*': ['s3:GetObject', 's3:PutObject'] },
  // Without ListBucket, S3 answers 403 rather than 404 for a page or photo not there yet.
  guestSiteList: true,
  legacySiteObjects: { 'assets/*': ['s3:GetObject'] },
  guestSiteInvalidation: true,
});
