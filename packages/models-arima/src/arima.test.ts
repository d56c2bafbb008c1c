import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forecasterConformance } from '@amf-foresight/core/testing';
import { Arima } from './arima.js';
import { rollingPath } from './extend.js';
import { nabSeries } from './golden.test-util.js';
import { runArima, stopArimaWorker, workerRestarts } from './worker.js';

afterAll(stopArimaWorker);

forecasterConformance('ARIMA', { make: () => new Arima({ maxOrder: 2, maxHorizon: 48 }), load: (d) => Arima.load(d) });

describe('forecasts from earlier origins (rollingMeans)', () => {
  it('equal the fitted forecast at the end of the series and a refit-free forecast inside it', async () => {
    const { ds, y } = nabSeries('ec2_cpu_utilization_5f5533.csv');
    for (const order of [
      [2, 1, 2],
      [1, 0, 1],
      [0, 1, 1],
    ] as [number, number, number][]) {
      const m = await new Arima({ order, maxHorizon: 24 }).fit({ ds: ds.slice(0, 3000), y: y.slice(0, 3000) });
      const [atEnd, inside] = m.rollingMeans([3000, 2000], 24);
      const fitted = m.predict(24).mean;
      // The CSS filter's start-up has died out 3 000 points later: the exact (Kalman) forecast to 1e-6.
      for (let i = 0; i < 24; i++) expect(atEnd![i]!).toBeCloseTo(fitted[i]!, 6);
      expect(inside).toHaveLength(24);
    }
  });

  it('an AR(1) from any origin: μ + φ^(i+1)·(y[o−1] − μ), whatever comes after the origin', () => {
    const [phi, mu] = [0.5, 10];
    // The stored path of a fitted AR(1) with mean μ after the value 12: μ + φ^h·2.
    const path = {
      phi: [phi],
      theta: [],
      d: 0,
      s: 0,
      tail: [12],
      mean: [1, 2, 3].map((h) => mu + phi ** h * 2),
      variance: [1, 1.25, 1.3125],
    };
    const y = Float64Array.from({ length: 50 }, (_, i) => 10 + Math.sin(i));
    const changed = y.map((v, i) => (i >= 30 ? v + 100 : v));
    const [a] = rollingPath(path, y, [30], 5);
    expect(Array.from(rollingPath(path, changed, [30], 5)[0]!)).toEqual(Array.from(a!));
    for (let i = 0; i < 5; i++) expect(a![i]!).toBeCloseTo(mu + phi ** (i + 1) * (y[29]! - mu), 12);
  });
});

describe('ARIMA guard layer', () => {
  it('a fit that crashes the wasm module is contained: the worker restarts and the next fit works', async () => {
    const long = Float64Array.from({ length: 9000 }, (_, i) => Math.sin(i / 10) + (i % 13) / 7);
    const before = workerRestarts();
    await expect(runArima({ y: long, p: 1, d: 0, q: 1, D: 0, s: 0, h: 3 })).rejects.toMatchObject({
      code: expect.stringMatching(/ARIMA_(CRASHED|FIT_FAILED)/),
    });
    expect(workerRestarts()).toBeGreaterThan(before);
    const ok = await runArima({ y: long.subarray(0, 500), p: 1, d: 0, q: 1, D: 0, s: 0, h: 3 });
    expect(ok.mean.every(Number.isFinite)).toBe(true);
  });

  it('fits long series on their last maxPoints points instead of crashing', async () => {
    const { ds, y } = nabSeries('ec2_cpu_utilization_24ae8d.csv');
    const ds3 = [...ds, ...ds.map((t) => t + ds.length * 300_000), ...ds.map((t) => t + 2 * ds.length * 300_000)];
    const m = await new Arima({ order: [1, 0, 1], maxHorizon: 12 }).fit({ ds: ds3, y: [...y, ...y, ...y] });
    expect(m.predict(12).mean.every(Number.isFinite)).toBe(true);
  });

  it('computes p = q = 0 orders itself (the package forecasts garbage for them)', async () => {
    const ds = Array.from({ length: 100 }, (_, i) => i * 60_000);
    const rw = await new Arima({ order: [0, 1, 0], maxHorizon: 5 }).fit({ ds, y: ds.map((_, i) => i + (i % 2)) });
    expect(Array.from(rw.predict(3).mean)).toEqual([100, 100, 100]);
    const wn = await new Arima({ order: [0, 0, 0], maxHorizon: 5 }).fit({ ds, y: ds.map((_, i) => (i % 2 ? 1 : 3)) });
    expect(wn.predict(1).mean[0]).toBeCloseTo(2, 12);
  });

  it('selects d by KPSS and (p, q) by AICc, and reports every order it tried (grid: 16 up to order 3)', async () => {
    const { ds, y } = nabSeries('ec2_cpu_utilization_77c1ca.csv');
    const m = await new Arima({ maxHorizon: 12, search: 'grid', maxOrder: 3 }).fit({
      ds: ds.slice(0, 3225),
      y: y.slice(0, 3225),
    });
    const sel = m.selection!;
    expect(sel.search).toHaveLength(16);
    expect(sel.aicc).toBe(Math.min(...sel.search.map((s) => s.aicc)));
    expect(sel.order[0] + sel.order[2]).toBeGreaterThan(0);
  });

  it('stepwise: starts from (2,d,2), (0,d,0), (1,d,0), (0,d,1), stops at a local AICc minimum', async () => {
    const { ds, y } = nabSeries('ec2_cpu_utilization_77c1ca.csv');
    const m = await new Arima({ maxHorizon: 12 }).fit({ ds: ds.slice(0, 3225), y: y.slice(0, 3225) });
    const sel = m.selection!;
    const tried = sel.search.map((s) => `${s.order[0]},${s.order[2]}`);
    expect(tried.slice(0, 4)).toEqual(['2,2', '0,0', '1,0', '0,1']);
    expect(tried.length).toBeLessThan(9);
    expect(sel.aicc).toBe(Math.min(...sel.search.map((s) => s.aicc)));
    // Every neighbour of the chosen order that exists was tried and is no better.
    for (const [dp, dq] of [
      [-1, 0],
      [1, 0],
      [0, -1],
      [0, 1],
    ]) {
      const p = sel.order[0] + dp!;
      const q = sel.order[2] + dq!;
      if (p >= 0 && q >= 0 && p <= 2 && q <= 2) expect(tried).toContain(`${p},${q}`);
    }
  });

  it('fills gaps by interpolation', async () => {
    const ds = Array.from({ length: 200 }, (_, i) => i * 60_000);
    const y = ds.map((_, i) => (i % 17 === 5 ? NaN : Math.sin(i / 9)));
    const m = await new Arima({ order: [2, 0, 0], maxHorizon: 10 }).fit({ ds, y });
    expect(m.predict(10).mean.every(Number.isFinite)).toBe(true);
  });

  it.each([
    [[2, 0, 0], 0],
    [[1, 0, 2], 0],
    [[2, 1, 1], 0],
    [[0, 1, 0], 0],
    [[1, 0, 1], 24],
  ] as [[number, number, number], number][])(
    'ARIMA%j (seasonal %i) forecasts past the horizon it was fitted for, as a fit for the longer ' +
      'horizon does, also after save/load',
    async (order, seasonalPeriod) => {
      const ds = Array.from({ length: 400 }, (_, i) => i * 60_000);
      const y = ds.map(
        (_, i) => 10 + Math.sin(i / 7) + 0.3 * Math.sin(i * 1.7) + (order[1] ? i / 50 : 0) + ((i * 7919) % 13) / 20,
      );
      const short = await new Arima({ order, maxHorizon: 10, ...(seasonalPeriod ? { seasonalPeriod } : {}) }).fit({
        ds,
        y,
      });
      const long = await new Arima({ order, maxHorizon: 60, ...(seasonalPeriod ? { seasonalPeriod } : {}) }).fit({
        ds,
        y,
      });
      const dir = mkdtempSync(join(tmpdir(), 'arima-ext-'));
      short.save(dir);
      const loaded = Arima.load(dir);
      rmSync(dir, { recursive: true });
      const want = long.predict(60);
      for (const m of [short, loaded]) {
        const got = m.predict(60);
        for (let i = 0; i < 60; i++) {
          expect(got.mean[i]).toBeCloseTo(want.mean[i]!, 6);
          // Variances from ψ weights; ctsa's own path differs by < 1 % of the half-width at seasonal lags.
          const half = want.intervals[95]!.hi[i]! - want.mean[i]!;
          expect(Math.abs(got.intervals[95]!.hi[i]! - want.intervals[95]!.hi[i]!)).toBeLessThan(0.01 * half);
        }
      }
    },
  );
});
