import { describe, expect, it } from 'vitest';
import { percentile } from '../../shared/percentile';

describe('percentile (nearest rank)', () => {
  it.each([
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[10, 1, 7, 3], 50, 3],
    [[42], 99, 42],
    [Array.from({ length: 100 }, (_, i) => 100 - i), 99, 99],
  ])('of %j at p%d is %d, whatever the input order', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('is NaN with no samples, and leaves its input unsorted', () => {
    expect(percentile([], 50)).toBeNaN();
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});
