import { SendEmailCommand, type SendEmailCommandInput, type SESv2Client } from '@aws-sdk/client-sesv2';
import { gatedSends, gateShut, MAIL_SIMULATOR, type ShadowRecords } from '../../shared/shadow';

/**
 * SES behind the shadow gate. A synthetic booking's mail goes, whole, to SES's mailbox simulator instead of
 * the renter: SES is exercised and no person is reached. On a shadow stage no mail goes out at all; the
 * record holds a digest of it, never the address.
 */
export function gatedMail(ses: SESv2Client, shadow: ShadowRecords): SESv2Client {
  return gatedSends(ses, shadow, { SendEmail: SendEmailCommand }, (operation, command) => {
    if (operation !== 'SendEmail') return { pass: true };
    const input = command.input as SendEmailCommandInput;
    if (gateShut() === 'synthetic-booking') {
      const { ReplyToAddresses: _replyTo, ...rest } = input;
      return { pass: true, instead: new SendEmailCommand({ ...rest, Destination: { ToAddresses: [MAIL_SIMULATOR] } }) };
    }
    return {
      pass: false,
      record: { target: 'ses:renter', request: input, digestOnly: true },
      answer: { MessageId: `shadow-${Date.now().toString(36)}` },
    };
  });
}
