import { describe, expect, it } from 'vitest';
import { forecasterConformance } from '@amf-foresight/core/testing';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Deseasonalised, acf, isSeasonal, seasonalIndices } from './deseasonalise.js';
import { SesDrift, theta } from './theta.js';

forecasterConformance('THETA', { make: () => theta(), load: (d) => Deseasonalised.wrap(SesDrift.load(d), d) });

const step = 300_000;
const days = (n: number) => Array.from({ length: n * 288 }, (_, i) => Date.UTC(2024, 0, 1) + i * step);

describe('THETA', () => {
  it('follows a straight line: the drift is half the slope, α → 1 on a noiseless line', async () => {
    const ds = days(1).slice(0, 200);
    const m = await new SesDrift().fit({ ds, y: ds.map((_, i) => 3 + 0.5 * i) });
    const f = m.predict(3).mean;
    // SES with α ≈ 1 sits on the last value (102.5); the drift adds b/2 = 0.25 per step (plus 1/α − 1 ≈ 0).
    expect(f[0]).toBeCloseTo(102.5 + 0.25, 1);
    expect(f[2]! - f[1]!).toBeCloseTo(0.25, 6);
  });

  it('forecasts from the end of the series as predict does (rollingMeans at origin n)', async () => {
    const ds = days(4);
    const y = ds.map((_, i) => 5 + Math.sin(i / 7) + (i % 13) / 10);
    const m = await new SesDrift().fit({ ds, y });
    const [atEnd] = m.rollingMeans([y.length], 10);
    expect(Array.from(atEnd!)).toEqual(Array.from(m.predict(10).mean));
  });

  it('finds a daily season (M4 test) in three days of a daily cycle, not in noise, and removes it', async () => {
    const ds = days(4);
    const cycle = ds.map((_, i) => 10 + 4 * Math.sin((2 * Math.PI * i) / 288) + Math.sin(i * 0.9));
    expect(isSeasonal(Float64Array.from(cycle), 288)).toBe(true);
    expect(
      isSeasonal(
        Float64Array.from(ds, (_, i) => Math.sin(i * 0.9) + Math.cos(i * 2.1)),
        288,
      ),
    ).toBe(false);
    expect(isSeasonal(Float64Array.from(cycle.slice(0, 800)), 288)).toBe(false); // under three seasons
    const idx = seasonalIndices(Float64Array.from(cycle), 288);
    expect(idx[72]!).toBeCloseTo(4, 0); // the peak a quarter day in
    const m = await theta().fit({ ds, y: cycle });
    expect(m.season).toBe(288);
    const f = m.predict(288).mean;
    // The forecast carries the cycle: a quarter day after the series' end (a whole number of days) is its peak.
    expect(f[71]! - f[215]!).toBeGreaterThan(6);
  });
});

describe('acf through the power spectrum', () => {
  /** The textbook sums, O(n·m). */
  const direct = (x: Float64Array, maxLag: number) => {
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const denom = x.reduce((a, v) => a + (v - mean) ** 2, 0);
    return Float64Array.from({ length: maxLag + 1 }, (_, k) => {
      let s = 0;
      for (let t = k; t < x.length; t++) s += (x[t]! - mean) * (x[t - k]! - mean);
      return s / denom;
    });
  };
  const nab = join(import.meta.dirname, '../../../data/nab-cpu');

  it('equals the direct sums on the six NAB series and on short or odd-length input', () => {
    const inputs = readdirSync(nab)
      .filter((f) => f.endsWith('.csv'))
      .map((f) =>
        Float64Array.from(
          readFileSync(join(nab, f), 'utf8')
            .trim()
            .split('\n')
            .slice(1)
            .map((l) => Number(l.split(',')[1])),
        ),
      );
    inputs.push(
      Float64Array.from([1, 3, 2]),
      Float64Array.from({ length: 1001 }, (_, i) => Math.sin(i) + (i % 7)),
    );
    for (const x of inputs) {
      const m = Math.min(288, x.length - 1);
      const [a, b] = [acf(x, m), direct(x, m)];
      for (let k = 0; k <= m; k++) expect(Math.abs(a[k]! - b[k]!)).toBeLessThan(1e-12);
    }
  });
});
