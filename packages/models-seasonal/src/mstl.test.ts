import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mase } from '@amf-foresight/core';
import { cancelAfter, forecasterConformance } from '@amf-foresight/core/testing';
import { MstlEts } from './mstl.js';
import { restartMstlWorker } from './mstl-worker.js';
import { SeasonalNaive } from './naive.js';

forecasterConformance('MSTL', { make: () => new MstlEts(), load: (d) => MstlEts.load(d) });

describe('MSTL with AutoETS on a NAB series', () => {
  it('beats the seasonal naive forecast at 1 hour on ec2_cpu_utilization_24ae8d (12 windows)', async () => {
    const rows = readFileSync(join(import.meta.dirname, '../../../data/nab-cpu/ec2_cpu_utilization_24ae8d.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const y = rows.map((l) => Number(l.split(',')[1]));
    const ds = rows.map((_, i) => Date.UTC(2014, 1, 14) + i * 300_000);
    let mstlMase = 0;
    let naiveMase = 0;
    const origins = Array.from({ length: 12 }, (_, k) => 3225 + k * 60);
    for (const o of origins) {
      const train = { ds: ds.slice(0, o), y: y.slice(0, o) };
      const actual = y.slice(o, o + 12);
      const f1 = (await new MstlEts().fit(train)).predict(12);
      const f2 = (await new SeasonalNaive().fit(train)).predict(12);
      mstlMase += mase(actual, f1.mean, train.y, 288) / origins.length;
      naiveMase += mase(actual, f2.mean, train.y, 288) / origins.length;
    }
    console.log(
      `MASE at h = 12 over ${origins.length} origins: MSTL ${mstlMase.toFixed(3)}, SNAIVE ${naiveMase.toFixed(3)}`,
    );
    expect(mstlMase).toBeLessThan(naiveMase);
  });
});

describe('MSTL in its worker', () => {
  /** A day-seasonal 1-minute series with noise: `days` days. */
  const daily = (days: number) => {
    const n = days * 1440;
    let a = 11;
    const rand = () => (a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    return {
      ds: Array.from({ length: n }, (_, i) => Date.UTC(2023, 5, 1) + i * 60_000),
      y: Array.from({ length: n }, (_, i) => 5 + Math.sin((2 * Math.PI * i) / 1440) + 0.3 * rand()),
    };
  };

  it('a cancelled fit stops within a second, and the next fit works', async () => {
    // About 3 s of WebAssembly, cancelled after 0.3 s.
    const r = await cancelAfter((signal) => new MstlEts().fit(daily(40), { signal }), 300);
    expect(String(r.outcome)).toContain('cancelled by the test');
    // The acceptance is "within a second" of the signal; the margin is for a loaded CI machine.
    expect(r.latencyMs).toBeLessThan(1500);
    expect((await new MstlEts().fit(daily(3))).predict(3).mean.every(Number.isFinite)).toBe(true);
  }, 60_000);

  it('forecasts the same after its worker was replaced, and after more fits than the worker keeps', async () => {
    const hourly = { periods: [60] }; // a small season: fast fits
    const series = daily(1);
    const first = await new MstlEts(hourly).fit(series);
    const before = first.predict(30);
    restartMstlWorker(); // what a cancelled run elsewhere in the process does
    expect(first.predict(30)).toEqual(before);
    for (let k = 0; k < 20; k++) await new MstlEts(hourly).fit(series); // the worker keeps 16
    expect(first.predict(30)).toEqual(before);
  }, 60_000);
});
