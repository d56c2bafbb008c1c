import { describe, expect, it } from 'vitest';
import { conformalQuantile, fillGaps, seededRandom } from './numeric.js';

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
