import { mkdtempSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Forecaster, SeriesInput } from '@amf-foresight/core';
import { stopArimaWorker } from '@amf-foresight/models-arima';
import { Naive } from '@amf-foresight/models-seasonal';
import { autoModel, autoSelect } from './auto.js';
import type { Combination } from './combination.js';
import { backtest, maseScale, prototypeSplit } from './evaluation.js';
import { loadModel, modelFactory, normaliseModelName } from './registry.js';

afterAll(stopArimaWorker);

function nab(file: string): SeriesInput {
  const rows = readFileSync(join(import.meta.dirname, '../../../data/nab-cpu', file), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return { ds: rows.map((_, i) => Date.UTC(2014, 1, 14) + i * 300_000), y: rows.map((l) => Number(l.split(',')[1])) };
}

describe('evaluation', () => {
  const ds = Array.from({ length: 100 }, (_, i) => i * 60_000);
  const y = ds.map((_, i) => i);

  it('backtest origins never let a fit see the future', async () => {
    const seen: number[] = [];
    const spy = (): Forecaster => {
      const inner = new Naive();
      const o: Forecaster = {
        name: 'SPY',
        fit: async (s: SeriesInput) => {
          seen.push(s.y.length);
          await inner.fit(s);
          return o;
        },
        predict: (h, opt) => inner.predict(h, opt),
        save: (d) => inner.save(d),
      };
      return o;
    };
    const r = await backtest({ ds, y }, spy, { horizon: 5, windows: 4, step: 10, season: 1 });
    expect(seen).toEqual([65, 75, 85, 95]);
    expect(r.windows.map((w) => w.origin)).toEqual([65, 75, 85, 95]);
    // Naive on a unit trend is off by 1..5 at h = 1..5.
    expect(r.mean.mae).toBeCloseTo(3, 12);
    expect(r.calibration.absErrors.map((e) => e[0])).toEqual([1, 2, 3, 4, 5]);
  });

  it('the prototype split: 70 % train, 20 % test, 10 % forecast', async () => {
    const r = await prototypeSplit({ ds, y }, () => new Naive());
    // test: last train value 69 against 70..89 → errors 1..20; forecast: 89 against 90..99 → 1..10
    expect(r.testMse).toBeCloseTo(Array.from({ length: 20 }, (_, i) => (i + 1) ** 2).reduce((a, b) => a + b) / 20, 9);
    expect(r.forecastMse).toBeCloseTo(
      Array.from({ length: 10 }, (_, i) => (i + 1) ** 2).reduce((a, b) => a + b) / 10,
      9,
    );
  });

  it('model names are case-insensitive; unknown ones are a usage error', () => {
    expect(normaliseModelName('arima')).toBe('ARIMA');
    expect(normaliseModelName('Auto')).toBe('AUTO');
    expect(() => normaliseModelName('xgboost')).toThrow(/unknown model/);
    expect(() => normaliseModelName('xgboost')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_MODEL', exitCode: 2 }),
    );
  });

  it('auto backtests the candidates, picks one, calibrates its intervals, and saves/loads with them', async () => {
    const s = nab('ec2_cpu_utilization_24ae8d.csv');
    const train = { ds: s.ds.slice(0, 3600), y: s.y.slice(0, 3600) };
    const r = await autoSelect(train, { horizon: 12, windows: 7, step: 12 });
    expect(r.results.map((x) => x.model)).toEqual(['SNAIVE', 'MSTL', 'ARIMA']);
    console.log(
      r.results
        .map(
          (x) =>
            `${x.model}: MASE ${x.mean.mase.toFixed(3)}, scaled pinball ` +
            `${((x.mean.scaledPinball50 + x.mean.scaledPinball90) / 2).toFixed(3)}, fit ` +
            `${x.fitSeconds.toFixed(1)} s`,
        )
        .join('; '),
      `→ ${r.chosen}`,
    );
    const f = r.model.predict(12);
    expect(f.mean).toHaveLength(12);
    const dir = mkdtempSync(join(tmpdir(), 'amf-auto-'));
    try {
      r.model.save(dir);
      const back = await loadModel(dir);
      expect(Array.from(back.predict(12).intervals[90]!.hi)).toEqual(Array.from(f.intervals[90]!.hi));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('auto', () => {
  it('averages ARIMA and THETA (+ seasonal ARIMA); 80 < 90 < 95 % at every step; ≥ 0; loads as saved', async () => {
    const s = nab('ec2_cpu_utilization_825cc2.csv');
    const train = { ds: s.ds.slice(0, 3600), y: s.y.slice(0, 3600) };
    const m = await (await autoModel({ horizon: 288, domain: 'non-negative' }))().fit(train);
    const combo = m.inner as Combination;
    expect(combo.memberNames[0]).toBe('ARIMA');
    expect(combo.memberNames).toContain('THETA');
    const f = m.predict(288);
    for (let i = 0; i < 288; i++) {
      const w = (l: number) => f.intervals[l]!.hi[i]! - f.intervals[l]!.lo[i]!;
      expect(w(80)).toBeLessThan(w(90));
      expect(w(90)).toBeLessThan(w(95));
    }
    expect(Math.min(...Array.from(f.intervals[95]!.lo))).toBeGreaterThanOrEqual(0);
    const dir = mkdtempSync(join(tmpdir(), 'amf-auto-'));
    try {
      m.save(dir);
      const back = await loadModel(dir);
      expect(back.name).toBe('COMBO');
      expect(Array.from(back.predict(288).mean)).toEqual(Array.from(f.mean));
      expect(Array.from(back.predict(288).intervals[90]!.hi)).toEqual(Array.from(f.intervals[90]!.hi));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the MASE scale', () => {
  const minutes = (n: number) => Array.from({ length: n }, (_, i) => i * 60_000);

  it('six hours of 1-minute data, its first value missing: one-step naive scale, never NaN', async () => {
    const ds = minutes(360);
    const y = ds.map((_, i) => (i === 0 ? NaN : 5 + Math.sin(i / 20)));
    const bt = await backtest({ ds, y }, () => new Naive(), { horizon: 12, windows: 3 });
    expect(bt.maseScale).toBe('one-step naive');
    expect(Number.isFinite(bt.mean.mase)).toBe(true);
    expect(maseScale(y, 1440)).toMatchObject({ kind: 'one-step naive' });
  });

  it('a season of data keeps the seasonal naive scale; constant data says it has none', () => {
    const y = minutes(3000).map((_, i) => Math.sin((2 * Math.PI * i) / 1440) + i / 1000);
    expect(maseScale(y, 1440).kind).toBe('seasonal naive');
    expect(maseScale([2, 2, 2, 2], 2)).toEqual({ scale: 1, kind: 'none (constant training data)' });
  });
});

describe('too little data', () => {
  it('says how much the model needs and that the shortfall is a backtest window’s training part', async () => {
    const ds = Array.from({ length: 1441 }, (_, i) => i * 60_000);
    const y = ds.map((_, i) => 5 + Math.sin(i / 50));
    const make = await modelFactory('MSTL');
    await expect(backtest({ ds, y }, make, { horizon: 60, windows: 3 })).rejects.toMatchObject({
      code: 'SERIES_TOO_SHORT',
      message: expect.stringMatching(
        new RegExp(
          'needs at least 2881 points \\(two seasons\\), got 1261 ' +
            '\\(the earliest of 3 backtest windows trains on the first 1261 of 1441 points\\)$',
        ),
      ),
    });
  });
});

describe('a series too short for one backtest window', () => {
  it.each([1, 2, 3])('%i points: one typed error, no TypeError', async (n) => {
    const ds = Array.from({ length: n }, (_, i) => i * 60_000);
    await expect(
      backtest({ ds, y: ds.map(() => 1) }, () => new Naive(), { horizon: 12, windows: 3 }),
    ).rejects.toMatchObject({
      code: 'SERIES_TOO_SHORT',
      exitCode: 2,
    });
  });
});
