import { describe, expect, it } from 'vitest';
import { forecasterConformance } from '@amf-foresight/core/testing';
import { Naive, SeasonalNaive } from './naive.js';

forecasterConformance('NAIVE', { make: () => new Naive(), load: (d) => Naive.load(d) });
forecasterConformance('SNAIVE', { make: () => new SeasonalNaive(), load: (d) => SeasonalNaive.load(d) });

describe('seasonal naive', () => {
  const ds = Array.from({ length: 10 }, (_, i) => i * 60_000);
  it('repeats the last season and widens intervals once per season', async () => {
    const y = [1, 2, 3, 1, 2, 3, 1, 2, 4, 1];
    const m = await new SeasonalNaive({ season: 3 }).fit({ ds, y });
    const f = m.predict(7, { levels: [95] });
    expect(Array.from(f.mean)).toEqual([2, 4, 1, 2, 4, 1, 2]);
    expect(f.ds[0]).toBe(600_000);
    // σ = RMS of y[i] − y[i−3] = sqrt((0+0+0+0+0+1+0)/7)
    const sigma = Math.sqrt(1 / 7);
    const w = (i: number) => f.intervals[95]!.hi[i]! - f.mean[i]!;
    expect(w(0)).toBeCloseTo(1.959963984540054 * sigma, 7);
    expect(w(3)).toBeCloseTo(1.959963984540054 * sigma * Math.SQRT2, 7);
    expect(w(6)).toBeCloseTo(1.959963984540054 * sigma * Math.sqrt(3), 7);
  });
  it('naive forecasts the last value with σ√h intervals', async () => {
    const y = [1, 2, 4, 7, 11, 16, 22, 29, 37, 46];
    const f = (await new Naive().fit({ ds, y })).predict(4, { levels: [80] });
    expect(Array.from(f.mean)).toEqual([46, 46, 46, 46]);
    const sigma = Math.sqrt([1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((a, d) => a + d * d, 0) / 9);
    expect(f.intervals[80]!.hi[3]! - 46).toBeCloseTo(1.2815515655446004 * sigma * 2, 6);
  });
  it('takes the default season from a daily cycle of the step', async () => {
    const n = 300;
    const y = Array.from({ length: n }, (_, i) => i % 288);
    const f = (await new SeasonalNaive().fit({ ds: Array.from({ length: n }, (_, i) => i * 300_000), y })).predict(3);
    expect(Array.from(f.mean)).toEqual([12, 13, 14]);
  });
});
