import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../shared/logger';

afterEach(() => vi.restoreAllMocks());

function captureStdout(run: () => void): string {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    lines.push(String(chunk));
    return true;
  });
  run();
  spy.mockRestore();
  return lines.join('');
}

describe('the logger', () => {
  it('writes one JSON line with the service name and the fields given', () => {
    const out = captureStdout(() => createLogger('calendar').info('calendar entry created', { bookingId: 'XHQGMDH' }));
    const line = JSON.parse(out.trim());
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'calendar entry created',
      service: 'charterflow.calendar',
      bookingId: 'XHQGMDH',
    });
  });

  it('never writes a secret, a signature, or a guest email or phone, however deep', () => {
    const out = captureStdout(() =>
      createLogger('webhook').info('request', {
        headers: { 'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=', 'X-Service-Key': 'a1b2' },
        booking: { renter: { firstName: 'Dana', email: 'dana@example.com', phone: '+16195550100' } },
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        nested: [{ token: 'tok_live_123' }],
      }),
    );
    for (const value of ['K5oZfzN95Z9', 'a1b2', 'dana@example.com', '+16195550100', 'whsec_', 'tok_live_123']) {
      expect(out).not.toContain(value);
    }
    expect(out).toContain('[redacted]');
  });
});
