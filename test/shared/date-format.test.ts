import { describe, expect, it } from 'vitest';
import { dateTimeFormat } from '../../shared/date-format';

describe('dateTimeFormat', () => {
  it('makes one en-US format per set of options and keeps it', () => {
    const time = dateTimeFormat({ timeZone: 'UTC', hour: 'numeric', minute: '2-digit' });
    expect(dateTimeFormat({ timeZone: 'UTC', hour: 'numeric', minute: '2-digit' })).toBe(time);
    expect(time.format(new Date('2026-12-05T17:05:00Z'))).toBe('5:05 PM');
    const other = dateTimeFormat({ timeZone: 'America/Los_Angeles', hour: 'numeric', minute: '2-digit' });
    expect(other).not.toBe(time);
    expect(other.format(new Date('2026-12-05T17:05:00Z'))).toBe('9:05 AM');
  });
});
