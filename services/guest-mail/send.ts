import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mail, MailKind } from './mails';

/** Where the mail comes from, as the deploy parameters set it (serverless.yml; the local stack sets its own). */
export interface MailSettings {
  /** A verified SES identity: "Queen of San Diego <charters@queenofsandiego.com>". */
  from: string;
  replyTo?: string;
  configurationSet?: string;
  /** The public site the mail links to: queenofsandiego.com. */
  siteDomain: string;
}

export function mailSettings(env: NodeJS.ProcessEnv = process.env): MailSettings {
  const from = env.GUEST_MAIL_FROM;
  if (!from) throw new Error('configuration GUEST_MAIL_FROM is not set (deploy parameter guestMailFrom)');
  return {
    from,
    ...(env.GUEST_MAIL_REPLY_TO ? { replyTo: env.GUEST_MAIL_REPLY_TO } : {}),
    ...(env.GUEST_MAIL_CONFIGURATION_SET ? { configurationSet: env.GUEST_MAIL_CONFIGURATION_SET } : {}),
    siteDomain: env.GUEST_SITE_DOMAIN || 'queenofsandiego.com',
  };
}

export interface Outgoing {
  to: string;
  mail: Mail;
  kind: MailKind;
  bookingId: string;
  /** The mail's own key (mail-records.ts): SES's event destinations show a second copy under the same key. */
  mailKey?: string;
}

/** SES v2 SendEmail, both parts in UTF-8; the tags let SES's event destinations name the booking. */
export async function sendMail(ses: SESv2Client, settings: MailSettings, outgoing: Outgoing): Promise<string> {
  const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });
  const { MessageId } = await ses.send(
    new SendEmailCommand({
      FromEmailAddress: settings.from,
      Destination: { ToAddresses: [outgoing.to] },
      ...(settings.replyTo ? { ReplyToAddresses: [settings.replyTo] } : {}),
      ...(settings.configurationSet ? { ConfigurationSetName: settings.configurationSet } : {}),
      Content: {
        Simple: {
          Subject: utf8(outgoing.mail.subject),
          Body: { Text: utf8(outgoing.mail.text), Html: utf8(outgoing.mail.html) },
        },
      },
      EmailTags: [
        { Name: 'kind', Value: outgoing.kind },
        { Name: 'bookingId', Value: outgoing.bookingId },
        ...(outgoing.mailKey ? [{ Name: 'mailKey', Value: outgoing.mailKey }] : []),
      ],
    }),
  );
  if (!MessageId) throw new Error('SES accepted the mail but returned no MessageId');
  return MessageId;
}

export interface Refusal {
  code: string;
  message: string;
}

/**
 * An SES answer that says the renter's address will never take this mail, so retrying is pointless:
 * BadRequestException ("Illegal address": malformed) and MessageRejected naming the address (not verified,
 * while the account is in the sandbox). Anything else is ours or transient and is thrown, to be retried and
 * then dead-lettered: throttling (TooManyRequestsException, LimitExceededException), 5xx, an unverified
 * From, a paused or suspended account, a missing configuration set.
 * SES takes an address on the account's suppression list without an error and drops it as a bounce
 * (see the SES developer guide, "Using the account-level suppression list"): that never reaches this code.
 */
export function refusalOf(error: unknown, address: string): Refusal | undefined {
  const { name, message = '' } = (error ?? {}) as { name?: string; message?: string };
  const aboutTheAddress = name === 'BadRequestException' || (name === 'MessageRejected' && mentions(message, address));
  if (!aboutTheAddress) return undefined;
  return { code: name!, message: withoutAddress(message, address) };
}

const mentions = (text: string, address: string) =>
  address !== '' && text.toLowerCase().includes(address.toLowerCase());

/** An SES message with the renter's address taken out: it is kept on the booking and shown by status. */
function withoutAddress(message: string, address: string): string {
  if (!address) return message;
  const escaped = address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message.replace(new RegExp(escaped, 'gi'), "<the renter's address>").slice(0, 300);
}
