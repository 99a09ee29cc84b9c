import { SESv2Client } from '@aws-sdk/client-sesv2';
import { documentClient } from '../../shared/aws';
import { region } from '../../shared/config';
import { consumer } from '../../shared/consumer';
import { withCrashPoints } from '../../shared/crash-points';
import { PrivateRecords } from '../../shared/private-records';
import { ShadowRecords } from '../../shared/shadow';
import { declaration } from './declaration';
import { mailGuestFor } from './guest-mail';
import { MailRecords } from './mail-records';
import { mailSettings } from './send';
import { gatedMail } from './shadow';

// The endpoint comes from the environment: AWS_ENDPOINT_URL_SESV2 locally (the stack's mailbox), SES in AWS.
const documents = documentClient();
// Behind the shadow gate: a synthetic booking mails SES's simulator; a shadow stage mails no one.
const ses = gatedMail(withCrashPoints(new SESv2Client({ region: region() })), new ShadowRecords(documents));
const records = new MailRecords(documents);
const privateRecords = new PrivateRecords(documents);

export const handler = consumer(declaration, async (event, { logger, context }) => {
  // The invocation's request id and deadline: a mail claim ends when the invocation that took it does.
  const invocation = { requestId: context.awsRequestId, deadline: Date.now() + context.getRemainingTimeInMillis() };
  // Read per event, not at import: a missing parameter fails the event (and dead-letters it) with its name.
  await mailGuestFor(event, { ses, records, privateRecords, settings: mailSettings(), logger, invocation });
});
