import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '@amf-foresight/core';
import { stopArimaWorker } from '@amf-foresight/models-arima';
import { loadModel } from './registry.js';
import { trainSeries } from './train.js';

afterAll(stopArimaWorker);

/** A NAB CPU series (5-minute steps) with two gaps in its timestamps, of 15 and 20 minutes. */
function gappy(): { ds: number[]; y: number[] } {
  const file = join(import.meta.dirname, '../../../data/nab-cpu/ec2_cpu_utilization_5f5533.csv');
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1, 1500);
  const all = rows.map((l, i) => ({ t: Date.UTC(2014, 1, 14) + i * 300_000, y: Number(l.split(',')[1]) }));
  const kept = all.filter((_, i) => !(i >= 1430 && i < 1432) && !(i >= 1460 && i < 1463));
  return { ds: kept.map((p) => p.t), y: kept.map((p) => p.y) };
}

describe('trainSeries', () => {
  it.each(['ARIMA', 'AUTO'])(
    '%s trains on timestamps with gaps: the missing steps become gaps, said once',
    async (model) => {
      const log = new MemoryLogger();
      const r = await trainSeries(
        'nab',
        gappy(),
        { model, horizon: 12, windows: 2 },
        { logger: log, signal: new AbortController().signal },
      );
      expect(r.forecast.mean.every(Number.isFinite)).toBe(true);
      expect(r.series.ds).toHaveLength(1499);
      expect(
        log.records.filter((x) => x.message.includes('missing steps added as gaps')).map((x) => x.message),
      ).toEqual(['series nab: 5 missing steps added as gaps']);
    },
  );
});

describe('the domain of the forecasts', () => {
  // Three days of 5-minute CPU near zero: a daily bump and noise, often at exactly 0.
  const ds = Array.from({ length: 864 }, (_, i) => Date.UTC(2024, 0, 1) + i * 300_000);
  const y = ds.map((_, i) => Math.max(0, 0.02 * Math.sin((2 * Math.PI * i) / 288) + 0.01 * Math.sin(i * 1.3)));
  const params: Record<string, Record<string, unknown>> = {
    LSTM: { epochs: 2, maxSamples: 50 },
    PROPHET: { uncertaintySamples: 100 },
  };

  it.each(['NAIVE', 'SNAIVE', 'MSTL', 'ARIMA', 'THETA', 'PROPHET', 'LSTM', 'AUTO'])(
    '%s: no negative mean or bound on a series near zero, also after save and load',
    async (model) => {
      const ctx = { logger: new MemoryLogger(), signal: new AbortController().signal };
      const o = { model, horizon: 24, windows: 2, ...(params[model] ? { params: params[model] } : {}) };
      const r = await trainSeries('near-zero', { ds, y }, o, ctx);
      const all = (f: typeof r.forecast) =>
        [f.mean, ...Object.values(f.intervals).flatMap((b) => [b.lo, b.hi])].flatMap((a) => Array.from(a));
      expect(Math.min(...all(r.forecast))).toBeGreaterThanOrEqual(0);
      const dir = mkdtempSync(join(tmpdir(), 'amf-domain-'));
      try {
        r.model.save(dir);
        const back = await loadModel(dir);
        expect(Math.min(...all(back.predict(24)))).toBeGreaterThanOrEqual(0);
        expect(Array.from(back.predict(24).intervals[95]!.hi)).toEqual(
          Array.from(r.model.predict(24).intervals[95]!.hi),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it('a series with negative values is not clipped', async () => {
    const ctx = { logger: new MemoryLogger(), signal: new AbortController().signal };
    const r = await trainSeries(
      'real',
      { ds, y: y.map((v) => v - 0.05) },
      { model: 'NAIVE', horizon: 12, windows: 2 },
      ctx,
    );
    expect(Math.min(...Array.from(r.forecast.intervals[95]!.lo))).toBeLessThan(0);
  });
});
