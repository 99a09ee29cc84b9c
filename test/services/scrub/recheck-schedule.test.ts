import { describe, expect, it } from 'vitest';
import { DEFAULT_RECHECKS_MS, recheckSchedule } from '../../../services/scrub/crew-notes';

describe('CHARTERFLOW_SCRUB_RECHECK_MS', () => {
  it.each([
    [undefined, DEFAULT_RECHECKS_MS],
    ['', []],
    ['250,1000', [250, 1000]],
    [' 0 , 500 ,2000', [0, 500, 2000]],
  ])('%j re-checks at %j ms', (value, times) => {
    expect(recheckSchedule(value)).toEqual(times);
  });

  it.each(['1000,250', '250,x', '-5', '1.5', '20000'])('refuses %j at cold start, saying what it wants', (value) => {
    expect(() => recheckSchedule(value)).toThrow('must be ascending whole ms up to 10000');
  });
});
