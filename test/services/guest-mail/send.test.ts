import {
  AccountSuspendedException,
  BadRequestException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SendingPausedException,
  SESv2ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { mailSettings, refusalOf } from '../../../services/guest-mail/send';

const address = 'dana@example.com';
const meta = { $metadata: {} };
const serverError = new SESv2ServiceException({
  name: 'InternalFailure',
  $fault: 'server',
  message: 'internal',
  ...meta,
});

describe('an SES answer', () => {
  it.each([
    [
      'malformed address',
      new BadRequestException({ message: 'Illegal address', ...meta }),
      { code: 'BadRequestException', message: 'Illegal address' },
    ],
    [
      'recipient not verified (sandbox)',
      new MessageRejected({
        message: `Email address is not verified. The following identities failed the check in region US-WEST-2: ${address.toUpperCase()}`,
        ...meta,
      }),
      {
        code: 'MessageRejected',
        message:
          "Email address is not verified. The following identities failed the check in region US-WEST-2: <the renter's address>",
      },
    ],
  ])('%s is a refusal of the address: recorded, not retried', (_name, error, refusal) => {
    expect(refusalOf(error, address)).toEqual(refusal);
  });

  it.each([
    ['throttling', new TooManyRequestsException({ message: 'Too many requests', ...meta })],
    ['a sending quota', new LimitExceededException({ message: 'Maximum sending rate exceeded', ...meta })],
    ['a 5xx', serverError],
    [
      'an unverified From',
      new MessageRejected({ message: 'Email address is not verified: charters@queenofsandiego.com', ...meta }),
    ],
    ['a paused account', new SendingPausedException({ message: 'paused', ...meta })],
    ['a suspended account', new AccountSuspendedException({ message: 'suspended', ...meta })],
    ['an unverified MAIL FROM domain', new MailFromDomainNotVerifiedException({ message: 'not verified', ...meta })],
    ['a missing configuration set', new NotFoundException({ message: 'Configuration set does not exist', ...meta })],
    ['a network error', Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' })],
  ])('%s is not about the address: thrown, retried, then dead-lettered', (_name, error) => {
    expect(refusalOf(error, address)).toBeUndefined();
  });
});

describe('the mail settings', () => {
  it('come from the environment the deploy parameters fill, the public site by default', () => {
    expect(
      mailSettings({
        GUEST_MAIL_FROM: 'Queen of San Diego <charters@queenofsandiego.com>',
        GUEST_MAIL_REPLY_TO: 'charters@queenofsandiego.com',
      }),
    ).toEqual({
      from: 'Queen of San Diego <charters@queenofsandiego.com>',
      replyTo: 'charters@queenofsandiego.com',
      siteDomain: 'queenofsandiego.com',
    });
  });

  it('name the missing From', () => {
    expect(() => mailSettings({})).toThrow('configuration GUEST_MAIL_FROM is not set (deploy parameter guestMailFrom)');
  });
});
