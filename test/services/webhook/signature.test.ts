import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSecrets, verifySignature } from '../../../services/webhook/signature';
import { signedDelivery } from '../../../shared/signed-delivery';
import { bookingConfirmed } from '../../../samples';

// Standard Webhooks secrets: whsec_ + base64 of the key bytes.
const oldSecret = `whsec_${Buffer.from('old-key-0123456789abcdef0123456789').toString('base64')}`;
const newSecret = `whsec_${Buffer.from('new-key-0123456789abcdef0123456789').toString('base64')}`;
const otherSecret = `whsec_${Buffer.from('not-our-key-0123456789abcdef01234').toString('base64')}`;

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describe('Standard Webhooks signature', () => {
  it('accepts a delivery signed with our secret', () => {
    const { headers, body } = signedDelivery(bookingConfirmed(), newSecret);
    expect(verifySignature(body, headers, [newSecret])).toEqual({ ok: true });
  });

  it('rejects a delivery signed with another secret', () => {
    const { headers, body } = signedDelivery(bookingConfirmed(), otherSecret);
    expect(verifySignature(body, headers, [newSecret])).toEqual({ ok: false, reason: 'No matching signature found' });
  });

  it('rejects a body changed after signing, even by one character', () => {
    const { headers, body } = signedDelivery(bookingConfirmed(), newSecret);
    expect(verifySignature(body.replace('"party_size":6', '"party_size":7'), headers, [newSecret]).ok).toBe(false);
  });

  it('rejects a signature moved to another webhook-id', () => {
    const { headers, body } = signedDelivery(bookingConfirmed(), newSecret);
    expect(verifySignature(body, { ...headers, 'webhook-id': 'msg_other' }, [newSecret]).ok).toBe(false);
  });

  it.each([
    ['six minutes old', minutesAgo(6), 'Message timestamp too old'],
    ['six minutes in the future', minutesAgo(-6), 'Message timestamp too new'],
  ])('rejects a timestamp %s', (_, timestamp, reason) => {
    const { headers, body } = signedDelivery(bookingConfirmed(), newSecret, { timestamp });
    expect(verifySignature(body, headers, [newSecret])).toEqual({ ok: false, reason });
  });

  it('accepts a timestamp four minutes off either way', () => {
    for (const timestamp of [minutesAgo(4), minutesAgo(-4)]) {
      const { headers, body } = signedDelivery(bookingConfirmed(), newSecret, { timestamp });
      expect(verifySignature(body, headers, [newSecret])).toEqual({ ok: true });
    }
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('rejects a delivery without %s', (name) => {
    const { headers, body } = signedDelivery(bookingConfirmed(), newSecret);
    const without: Record<string, string | undefined> = { ...headers, [name]: undefined };
    expect(verifySignature(body, without, [newSecret])).toEqual({ ok: false, reason: 'Missing required headers' });
  });

  describe('a webhook-timestamp that is not plain decimal seconds', () => {
    // Each is signed over the seconds the package would read from it, so only the strict check can refuse it.
    const withTimestamp = (header: (seconds: string) => string) => {
      const { headers, body } = signedDelivery(bookingConfirmed(), newSecret);
      return { body, headers: { ...headers, 'webhook-timestamp': header(headers['webhook-timestamp']!) } };
    };
    const refused = { ok: false, reason: 'webhook-timestamp is not an integer of seconds' };

    it.each([
      ['letters after the seconds', (t: string) => `${t}abc`],
      ['a fraction', (t: string) => `${t}.9`],
      ['a zero fraction', (t: string) => `${t}.0`],
      ['an exponent', (t: string) => `${t}e0`],
      ['a leading space', (t: string) => ` ${t}`],
      ['a trailing space', (t: string) => `${t} `],
      ['a trailing newline', (t: string) => `${t}\n`],
      ['a plus sign', (t: string) => `+${t}`],
      ['a leading zero', (t: string) => `0${t}`],
      ['milliseconds written as a decimal', (t: string) => `${t}.123`],
      ['full-width digits', (t: string) => t.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
      ['Arabic-Indic digits', (t: string) => t.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)))],
    ])('is refused: %s', (_, header) => {
      const { headers, body } = withTimestamp(header);
      expect(verifySignature(body, headers, [newSecret])).toEqual(refused);
    });

    it('is refused whatever follows the seconds (property)', () => {
      fc.assert(
        fc.property(
          fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/^[0-9]*$/.test(s)),
          (suffix) => {
            const { headers, body } = withTimestamp((t) => t + suffix);
            expect(verifySignature(body, headers, [newSecret])).toEqual(refused);
          },
        ),
      );
    });

    it('still accepts the digits alone', () => {
      const { headers, body } = withTimestamp((t) => t);
      expect(verifySignature(body, headers, [newSecret])).toEqual({ ok: true });
    });
  });

  describe('rotation', () => {
    it('accepts either of two active secrets', () => {
      for (const secret of [oldSecret, newSecret]) {
        const { headers, body } = signedDelivery(bookingConfirmed(), secret);
        expect(verifySignature(body, headers, [newSecret, oldSecret])).toEqual({ ok: true });
      }
    });

    it('accepts a header with two space-separated signatures when we hold only one of the secrets', () => {
      const { headers, body } = signedDelivery(bookingConfirmed(), [oldSecret, newSecret]);
      expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
      expect(verifySignature(body, headers, [newSecret])).toEqual({ ok: true });
      expect(verifySignature(body, headers, [oldSecret])).toEqual({ ok: true });
      expect(verifySignature(body, headers, [otherSecret]).ok).toBe(false);
    });

    it('reads several whitespace-separated secrets from one Secrets Manager value', () => {
      expect(parseSecrets(` ${newSecret}\n${oldSecret} `)).toEqual([newSecret, oldSecret]);
      expect(() => parseSecrets('  ')).toThrow(/empty/);
    });
  });
});
