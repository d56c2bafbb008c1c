import { describe, expect, it } from 'vitest';
import { add242, deletedIterator242 } from './promtool242.js';

const MIN = -(1n << 63n);

describe('Prometheus 2.42 Intervals.Add emulation', () => {
  it('merges and inserts sorted intervals', () => {
    expect(add242([[10n, 20n]], [30n, 40n])).toEqual([
      [10n, 20n],
      [30n, 40n],
    ]);
    expect(add242([[10n, 20n]], [21n, 25n])).toEqual([[10n, 25n]]);
    expect(
      add242(
        [
          [10n, 20n],
          [30n, 40n],
        ],
        [0n, 5n],
      ),
    ).toEqual([
      [0n, 5n],
      [10n, 20n],
      [30n, 40n],
    ]);
  });
  it('appends [MinInt64, x] out of order after existing intervals (the int64 overflow)', () => {
    expect(add242([[10n, 20n]], [MIN, 4n])).toEqual([
      [10n, 20n],
      [MIN, 4n],
    ]);
  });
  it('lets samples before the first interval through when intervals are unsorted', () => {
    const keep = deletedIterator242([
      [10n, 20n],
      [MIN, 4n],
    ]);
    expect([1, 5, 10, 15, 21].map(keep)).toEqual([true, true, false, false, true]);
  });
});
