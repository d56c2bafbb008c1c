import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Prophet } from './prophet.js';
import { DATA_DIR, goldenCases, readCsv } from './golden.test-util.js';

/** Daily data with missing weekdays becomes a regular series with NaN rows, which Prophet drops again. */
function regular(all: { ds: number[]; y: number[] }, rows: number, step: number): { ds: number[]; y: number[] } {
  const ds: number[] = [];
  const y: number[] = [];
  for (let t = all.ds[0]!, i = 0; t <= all.ds[rows - 1]!; t += step) {
    ds.push(t);
    y.push(all.ds[i] === t ? all.y[i++]! : NaN);
  }
  return { ds, y };
}

// Tolerances (justified in README "Agreement with Python Prophet"):
// - mean: within 0.15 of Python's 80 % half-width and 1 % of the value at every step. Prophet's
//   L-BFGS end point moves with floating-point noise (docs/PROPHET_MODEL.md §7.6: ~0.4 % on data.csv);
//   measured here: ≤ 0.06 half-widths, ≤ 0.55 %.
// - intervals: mean width over the horizon within 5 % of Python's at 80/90/95 %, every bound within
//   0.35 half-widths. Both sides draw 1 000 paths from different generators: one percentile of
//   1 000 normal draws has a standard error of ~4 % of the half-width, the horizon average far less;
//   measured: width ratios 0.99–1.02.
describe('against Python Prophet 1.3.0 (golden/python-prophet.json, made by golden/make_golden.py)', () => {
  for (const c of goldenCases()) {
    it(`${c.name}: ${c.trainRows} rows, ${c.h} steps ahead`, async () => {
      const all = readCsv(join(DATA_DIR, c.csv));
      const step = c.step === 'D' ? 86_400_000 : 300_000;
      const m = await new Prophet({ scaling: c.options.scaling ?? 'absmax' }).fit(
        regular(all, all.y.length - c.h, step),
      );
      const f = m.predict(c.h);
      let devHalf = 0;
      let devRel = 0;
      let boundDev = 0;
      for (let i = 0; i < c.h; i++) {
        const half = (c.hi80[i]! - c.lo80[i]!) / 2;
        devHalf = Math.max(devHalf, Math.abs(f.mean[i]! - c.yhat[i]!) / half);
        devRel = Math.max(devRel, Math.abs(f.mean[i]! - c.yhat[i]!) / Math.abs(c.yhat[i]!));
        for (const l of [80, 90, 95] as const) {
          boundDev = Math.max(
            boundDev,
            Math.abs(f.intervals[l]!.lo[i]! - c[`lo${l}`][i]!) / half,
            Math.abs(f.intervals[l]!.hi[i]! - c[`hi${l}`][i]!) / half,
          );
        }
      }
      const widthRatio = ([80, 90, 95] as const).map((l) => {
        let ours = 0;
        let theirs = 0;
        for (let i = 0; i < c.h; i++) {
          ours += f.intervals[l]!.hi[i]! - f.intervals[l]!.lo[i]!;
          theirs += c[`hi${l}`][i]! - c[`lo${l}`][i]!;
        }
        return ours / theirs;
      });
      console.log(
        `${c.name}: mean off by ≤ ${devHalf.toFixed(3)} half-widths (${(devRel * 100).toFixed(2)} ` +
          `%), bounds by ≤ ${boundDev.toFixed(3)}, width ratios ${widthRatio.map((w) => w.toFixed(3)).join(' / ')}`,
      );
      expect(devHalf).toBeLessThan(0.15);
      expect(devRel).toBeLessThan(0.01);
      expect(boundDev).toBeLessThan(0.35);
      for (const w of widthRatio) expect(Math.abs(w - 1)).toBeLessThan(0.05);
    }, 60_000);
  }
});

describe("Prophet's own test values (docs/PROPHET_MODEL.md §12)", () => {
  const data = readCsv(join(DATA_DIR, 'prophet-tests/data.csv'));
  const data3 = readCsv(join(DATA_DIR, 'prophet-tests/data3.csv'));
  /** §12.2: RMSE of 30 calendar days after the training end against the 30 held-out rows, by position. */
  async function testRmse(all: { ds: number[]; y: number[] }, scaling: 'absmax' | 'minmax'): Promise<number> {
    const n = all.y.length - 30;
    const m = await new Prophet({ scaling }).fit(regular(all, n, 86_400_000));
    const f = m.predict(30);
    return Math.sqrt(f.mean.reduce((s, v, i) => s + (v - all.y[n + i]!) ** 2, 0) / 30);
  }

  it('data.csv, L-BFGS: RMSE 10.64 (absmax) and 11.13 (minmax), ±10 % as Prophet’s test', async () => {
    expect(await testRmse(data, 'absmax')).toBeGreaterThan(10.64 * 0.9);
    expect(await testRmse(data, 'absmax')).toBeLessThan(10.64 * 1.1);
    expect(Math.abs((await testRmse(data, 'minmax')) / 11.13 - 1)).toBeLessThan(0.1);
  });

  it('data3.csv minmax (40 rows): RMSE 93.45 ±1 %, though Python fits it with Newton and we with L-BFGS', async () => {
    expect(Math.abs((await testRmse(data3, 'minmax')) / 93.45 - 1)).toBeLessThan(0.01);
  });

  it('data3.csv absmax is a known difference: Python’s Newton gives 127.01, our L-BFGS fit does worse', async () => {
    // Values near 6.2e8 scaled by absmax leave a tiny signal; Python's result hinges on Newton and
    // 6-digit rounding (§7.6). The WebAssembly Newton aborts, so we cannot follow. Kept as a tripwire.
    const r = await testRmse(data3, 'absmax');
    expect(r).toBeGreaterThan(127.01 * 1.5);
  });

  it('§12.1 #13: a constant history forecasts the constant exactly, with no spread', async () => {
    for (const v of [0, 20]) {
      const ds = data.ds.slice(0, 255);
      const m = await new Prophet().fit(regular({ ds, y: ds.map(() => v) }, 255, 86_400_000));
      const f = m.predict(30);
      expect(f.mean[29]).toBe(v);
      expect(Math.abs(f.intervals[95]!.hi[29]! - v)).toBeLessThan(1e-6);
    }
  });

  it('§12.1 #14: flat growth on 56 days of 30 + sin(8x) has a trend of 30', async () => {
    const ds = Array.from({ length: 56 }, (_, i) => Date.UTC(2020, 0, 1) + i * 86_400_000);
    const y = ds.map((_, i) => 30 + Math.sin(8 * ((2 * Math.PI * i) / 55))); // numpy linspace(0, 2π, 56)
    for (const scaling of ['absmax', 'minmax'] as const) {
      const m = await new Prophet({ growth: 'flat', scaling }).fit({ ds, y });
      expect(Math.abs(m.fitted!.k)).toBeLessThan(1e-12);
      const f = m.predict(7);
      expect(Math.round(f.mean.reduce((s, v) => s + v, 0) / 7)).toBe(30);
    }
  });

  it('§12.1 #7: 20 daily rows with 15 changepoints fit (Prophet reduces them to what the rows allow)', async () => {
    const ds = data.ds.slice(0, 20);
    const m = await new Prophet({ nChangepoints: 15 }).fit(regular({ ds, y: data.y.slice(0, 20) }, 20, 86_400_000));
    expect(m.fitted!.S).toBe(15);
  });
});
