import { describe, expect, it } from 'vitest';
import { conformalQuantile, fillGaps, recencyWeight, seededRandom, weightedConformalQuantile } from './numeric.js';

describe('fillGaps', () => {
  it('interpolates interior gaps and takes the nearest value at the ends', () => {
    expect(Array.from(fillGaps([NaN, 1, NaN, NaN, 4, NaN]))).toEqual([1, 1, 2, 3, 4, 4]);
  });
  it('leaves an all-missing series as it is', () => {
    expect(Array.from(fillGaps([NaN, NaN])).every(Number.isNaN)).toBe(true);
  });
});

describe('seededRandom', () => {
  it('repeats for a seed, differs between seeds, stays in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs[0]).not.toBe(c());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});

describe('conformalQuantile', () => {
  it('is the ⌈(n+1)·L⌉-th smallest score, capped at the largest', () => {
    const s = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(conformalQuantile(s, 0.5)).toBe(5);
    expect(conformalQuantile(s, 0.8)).toBe(8);
    expect(conformalQuantile(s, 0.95)).toBe(9);
    expect(conformalQuantile([], 0.9)).toBe(0);
  });
});

describe('weightedConformalQuantile', () => {
  it('with equal weights is conformalQuantile, in any order of the scores', () => {
    const s = [9, 3, 1, 7, 5, 2, 8, 4, 6];
    const sorted = [...s].sort((a, b) => a - b);
    for (const level of [0.5, 0.8, 0.9, 0.95])
      expect(
        weightedConformalQuantile(
          s,
          s.map(() => 1),
          level,
        ),
      ).toBe(conformalQuantile(sorted, level));
  });

  it('follows the heavily weighted recent scores when the level shifts', () => {
    // 40 old small errors, then 40 recent large ones: weighting toward the recent past widens the quantile.
    const scores = [...Array.from({ length: 40 }, () => 1), ...Array.from({ length: 40 }, () => 10)];
    const flat = weightedConformalQuantile(
      scores,
      scores.map(() => 1),
      0.5,
    );
    const recent = weightedConformalQuantile(
      scores,
      scores.map((_, i) => recencyWeight(79 - i, 10)),
      0.5,
    );
    expect(flat).toBe(10); // ⌈81·0.5⌉ = 41st smallest
    expect(
      weightedConformalQuantile(
        scores,
        scores.map(() => 1),
        0.4,
      ),
    ).toBe(1);
    expect(
      weightedConformalQuantile(
        scores,
        scores.map((_, i) => recencyWeight(79 - i, 10)),
        0.4,
      ),
    ).toBe(10);
    expect(recent).toBe(10);
    expect(recencyWeight(10, 10)).toBeCloseTo(0.5, 12);
  });
});
