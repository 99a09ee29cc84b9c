import { SESv2Client } from '@aws-sdk/client-sesv2';
import { documentClient } from '../../shared/aws';
import { region } from '../../shared/config';
import { consumer } from '../../shared/consumer';
import { withCrashPoints } from '../../shared/crash-points';
import { PrivateRecords } from '../../shared/private-records';
import { declaration } from './declaration';
import { mailGuestFor } from './guest-mail';
import { MailRecords } from './mail-records';
import { mailSettings } from './send';

// The endpoint comes from the environment: AWS_ENDPOINT_URL_SESV2 locally (the stack's mailbox), SES in AWS.
const ses = withCrashPoints(new SESv2Client({ region: region() }));
const documents = documentClient();
const records = new MailRecords(documents);
const privateRecords = new PrivateRecords(documents);

export const handler = consumer(declaration, async (event, { logger, context }) => {
  // The invocation's request id and deadline: a mail claim ends when the invocation that took it does.
  const invocation = { requestId: context.awsRequestId, deadline: Date.now() + context.getRemainingTimeInMillis() };
  // Read per event, not at import: a missing parameter fails the event (and dead-letters it) with its name.
  await mailGuestFor(event, { ses, records, privateRecords, settings: mailSettings(), logger, invocation });
});
