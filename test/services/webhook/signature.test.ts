import { describe, expect, it } from 'vitest';
import { parseSecrets, verifySignature } from '../../../services/webhook/signature';
import { signedDelivery } from '../../../shared/signed-delivery';
import { bookingConfirmed } from '../../fixtures';

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
