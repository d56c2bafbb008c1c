import { describe, expect, it } from 'vitest';
import { krrSimple } from './krr.js';
import { levelFor, exceedance, quantileForecast, recommendFromForecast } from './ours.js';
import type { QuantileForecast } from './ours.js';
import { constantRequest, scheduledRequest, score } from './score.js';
import { blockMeans, deviations, percentile, podMean } from './usage.js';
import type { UsageGrid } from './usage.js';

const MIN = 60_000;
const grid = (...rows: number[][]): UsageGrid => ({
  start: 0,
  stepMs: MIN,
  pods: rows.map((r, i) => ({ name: `p${i}`, values: Float64Array.from(r) })),
});

/** A forecast of `n` blocks whose quantiles are those of N(mu, sigma) at the usual knots. */
function normalForecast(n: number, mu: number, sigma: number): QuantileForecast {
  // Acklam's rational approximation is more than this needs: the knots' z-values, tabulated.
  const knots: [number, number][] = [
    [0.001, -3.0902],
    [0.01, -2.3263],
    [0.025, -1.96],
    [0.05, -1.6449],
    [0.1, -1.2816],
    [0.25, -0.6745],
    [0.5, 0],
    [0.75, 0.6745],
    [0.9, 1.2816],
    [0.95, 1.6449],
    [0.975, 1.96],
    [0.99, 2.3263],
    [0.999, 3.0902],
  ];
  return {
    start: 0,
    stepMs: 5 * MIN,
    p: knots.map((k) => k[0]),
    values: knots.map((k) => new Float64Array(n).fill(mu + sigma * k[1])),
  };
}

describe('usage grids', () => {
  it('the per-pod mean, block means and deviations leave missing steps out', () => {
    const g = grid([1, 2, NaN, 4], [3, NaN, NaN, 6]);
    expect(Array.from(podMean(g))).toEqual([2, 2, NaN, 5]);
    expect(Array.from(blockMeans(podMean(g), 2))).toEqual([2, 5]);
    expect(Array.from(deviations(g, 2)).sort()).toEqual([-1, -1, 0, 1, 1].sort());
  });

  it('percentile is numpy’s linear one', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 95)).toBeCloseTo(95.05, 12);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('ours: levels from the forecast’s quantiles and the deviations', () => {
  it('with no deviations, the request at risk α is the forecast’s 1 − α quantile', () => {
    const q = normalForecast(288, 10, 2);
    const G = exceedance(q, new Float64Array(0));
    expect(levelFor(G, 0.05)).toBeCloseTo(10 + 2 * 1.6449, 2); // within the 2 048-point table's spacing
    expect(levelFor(G, 0.5)).toBeCloseTo(10, 3);
    expect(G(10 + 2 * 1.2816)).toBeCloseTo(0.1, 3);
  });

  it('with a certain forecast, the request is the mean plus the deviations’ 1 − α quantile', () => {
    const q = normalForecast(12, 5, 0);
    const devs = Float64Array.from({ length: 1000 }, (_, i) => (i - 500) / 1000); // uniform on [−0.5, 0.5)
    const r = recommendFromForecast(q, devs, { metric: 'cpu', risk: 0.05 });
    expect(r.request).toBeCloseTo(5 + 0.45, 2);
    expect(r.limit).toBeCloseTo(5 + 0.499, 2); // risk / 50
    expect(r.schedule).toHaveLength(1);
    expect(r.schedule[0]!.request).toBeCloseTo(r.request, 9);
  });

  it('the hourly schedule follows a forecast rising through the day; memory’s limit: the top minute × 1.15', () => {
    const q = normalForecast(288, 0, 0.1);
    for (const row of q.values) row.forEach((v, t) => (row[t] = v + Math.floor(t / 12))); // +1 an hour
    const r = recommendFromForecast(q, Float64Array.of(-0.2, 0, 0.3), { metric: 'memory' });
    expect(r.schedule).toHaveLength(24);
    expect(r.schedule[23]!.request - r.schedule[0]!.request).toBeCloseTo(23, 1);
    expect(r.limit).toBeCloseTo((23 + 0.30902 + 0.3) * 1.15, 6);
  });

  it('reads a Forecaster’s mean and intervals as quantiles, ascending', () => {
    const q = quantileForecast({
      ds: Float64Array.of(0, 300_000),
      mean: Float64Array.of(1, 2),
      intervals: { 80: { lo: Float64Array.of(0.5, 1.5), hi: Float64Array.of(1.5, 2.5) } },
    });
    expect(q.p).toEqual([0.09999999999999998, 0.5, 0.9]);
    expect(q.values.map((v) => v[1])).toEqual([1.5, 2, 2.5]);
    expect(q.stepMs).toBe(300_000);
  });
});

describe('KRR-simple as robusta-dev/krr computes it', () => {
  const day = Array.from({ length: 600 }, (_, i) => 0.1 + (i % 100) / 1000);
  it('CPU request: the largest pod’s 95th percentile, no limit; memory: the peak × 1.15 for both', () => {
    const g = grid(
      day,
      day.map((v) => v * 2),
    );
    const cpu = krrSimple(g, 'cpu');
    expect(cpu.request).toBeCloseTo(
      percentile(
        day.map((v) => v * 2),
        95,
      ),
      12,
    );
    expect(cpu.limit).toBeNull();
    const mem = krrSimple(g, 'memory');
    expect(mem.request).toBeCloseTo(Math.max(...day) * 2 * 1.15, 12);
    expect(mem.limit).toBe(mem.request);
  });

  it('is undefined below 100 samples or 3 hours of history', () => {
    expect(krrSimple(grid(day.slice(0, 99)), 'cpu')).toMatchObject({ request: null, info: 'Not enough data' });
    expect(krrSimple(grid(day.slice(0, 150)), 'cpu')).toMatchObject({ request: null, info: 'Not enough history' });
  });
});

describe('scores on held-out usage', () => {
  it('counts pod-minutes above the request and the limit, and the mean slack', () => {
    const g = grid([1, 2, 3, 4], [NaN, 5, NaN, 1]);
    const s = score(g, constantRequest(3), 4);
    expect(s).toEqual({ points: 6, aboveRequest: 2 / 6, aboveLimit: 1 / 6, overLimit: 1, meanSlack: (18 - 16) / 6 });
    expect(score(g, constantRequest(null), null).meanSlack).toBeNaN();
    const sched = score(
      g,
      scheduledRequest([
        { start: 0, request: 1 },
        { start: 2 * MIN, request: 10 },
      ]),
      null,
    );
    expect(sched.aboveRequest).toBe(2 / 6); // the 2 and the 5 before the schedule rises
  });
});

describe('the period’s survival table', () => {
  it('equals the knots’ piecewise-linear survival evaluated point by point, ties and all', () => {
    let a = 3;
    const rand = () => (a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const p = [0.001, 0.025, 0.1, 0.5, 0.9, 0.975, 0.999];
    const n = 40;
    const values = p.map(() => new Float64Array(n));
    for (let t = 0; t < n; t++) {
      let v = rand() * 10;
      for (let k = 0; k < p.length; k++) {
        values[k]![t] = v;
        v += rand() < 0.2 ? 0 : rand(); // some knots tie
      }
    }
    const q = { start: 0, stepMs: 300_000, p, values };
    const G = exceedance(q, new Float64Array(0));
    /** 1 − F at y for block t, from its knots, directly. */
    const survival = (t: number, y: number) => {
      const k = values.filter((v) => v[t]! <= y).length;
      if (k === 0) return 1;
      if (k === p.length) return 0;
      const [v0, v1] = [values[k - 1]![t]!, values[k]![t]!];
      return 1 - (p[k - 1]! + ((p[k]! - p[k - 1]!) * (y - v0)) / (v1 - v0));
    };
    for (let i = 0; i < 500; i++) {
      const y = G.range[0] + (G.range[1] - G.range[0]) * rand();
      const want = Array.from({ length: n }, (_, t) => survival(t, y)).reduce((s, v) => s + v, 0) / n;
      expect(Math.abs(G(y) - want)).toBeLessThan(2e-3); // the table's linear interpolation between points
    }
  });
});
