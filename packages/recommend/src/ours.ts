import type { Forecast } from '@amf-foresight/core';
import { evenQuantiles } from './usage.js';

/**
 * A forecast of the period's block means as quantiles: values[k][t] is the p[k] quantile at block t,
 * p ascending in (0, 1), each block's values ascending.
 */
export interface QuantileForecast {
  start: number;
  stepMs: number;
  p: number[];
  values: Float64Array[];
}

/** The intervals' levels a recommendation asks of a forecast: quantiles 0.001 … 0.999. */
export const RECOMMEND_LEVELS = [50, 80, 90, 95, 98, 99.8] as const;

/**
 * A Forecaster's forecast (mean and intervals) as quantiles: the mean as the median (the intervals
 * are symmetric around it), each level's bounds at (1 ∓ L) / 2. Each block's values are made
 * ascending (bounds of neighbouring levels can cross by rounding).
 */
export function quantileForecast(f: Forecast): QuantileForecast {
  const knots: { p: number; v: ArrayLike<number> }[] = [{ p: 0.5, v: f.mean }];
  for (const [level, b] of Object.entries(f.intervals)) {
    const a = (1 - Number(level) / 100) / 2;
    if (!(a > 0 && a < 0.5)) continue;
    knots.push({ p: a, v: b.lo }, { p: 1 - a, v: b.hi });
  }
  knots.sort((x, y) => x.p - y.p);
  const n = f.mean.length;
  const values = knots.map(() => new Float64Array(n));
  for (let t = 0; t < n; t++) {
    let top = -Infinity;
    knots.forEach((k, i) => {
      top = Math.max(top, k.v[t]!);
      values[i]![t] = top;
    });
  }
  const stepMs = n > 1 ? f.ds[1]! - f.ds[0]! : 300_000;
  return { start: f.ds[0] ?? 0, stepMs, p: knots.map((k) => k.p), values };
}

const GRID = 2048;

/**
 * The survival function of the block mean averaged over `blocks`, tabulated at GRID points from lo
 * to hi: each block's CDF is linear between its quantile knots, 0 below the first, 1 above the last.
 * A block's survival is 1 plus a jump at its first and last knot and a change of slope at each knot:
 * a sum of steps and ramps (y − v)₊, each linear in the grid index from the first point at or past v.
 * So every block adds O(knots) to two running sums, not O(GRID) values: exact at the grid points.
 */
function meanSurvival(q: QuantileForecast, blocks: number[], lo: number, hi: number): Float64Array {
  const dx = (hi - lo) / (GRID - 1);
  const base = new Float64Array(GRID + 1); // value added from this index on
  const slope = new Float64Array(GRID + 1); // value × g added from this index on
  const K = q.p.length;
  const at = (v: number) => Math.max(0, Math.min(GRID, Math.ceil((v - lo) / dx - 1e-9)));
  const step = (v: number, d: number) => {
    base[at(v)] = base[at(v)]! + d;
  };
  // c · (y − v) for y ≥ v, with y = lo + g·dx: (c·(lo − v)) + (c·dx)·g.
  const ramp = (v: number, c: number) => {
    const g = at(v);
    base[g] = base[g]! + c * (lo - v);
    slope[g] = slope[g]! + c * dx;
  };
  for (const t of blocks) {
    step(q.values[0]![t]!, -q.p[0]!);
    let before = 0;
    for (let k = 1; k < K; k++) {
      const [v0, v1] = [q.values[k - 1]![t]!, q.values[k]![t]!];
      const dp = q.p[k]! - q.p[k - 1]!;
      const s = v1 > v0 ? -dp / (v1 - v0) : 0;
      if (v1 <= v0) step(v1, -dp); // knots at one value: the CDF jumps there
      ramp(v0, s - before);
      before = s;
    }
    ramp(q.values[K - 1]![t]!, -before);
    step(q.values[K - 1]![t]!, -(1 - q.p[K - 1]!));
  }
  const H = new Float64Array(GRID);
  const n = Math.max(1, blocks.length);
  let [b, c] = [blocks.length, 0];
  for (let g = 0; g < GRID; g++) {
    b += base[g]!;
    c += slope[g]!;
    H[g] = (b + c * g) / n;
  }
  return H;
}

/** G(x): the expected fraction of pod-steps above x, for blocks' forecasts and the deviations. */
export interface Exceedance {
  (x: number): number;
  /** The smallest and largest x where G can change. */
  range: [number, number];
}

export function exceedance(q: QuantileForecast, devs: Float64Array, blocks?: number[]): Exceedance {
  const all = blocks ?? Array.from({ length: q.values[0]?.length ?? 0 }, (_, t) => t);
  let [lo, hi] = [Infinity, -Infinity];
  for (const t of all) [lo, hi] = [Math.min(lo, q.values[0]![t]!), Math.max(hi, q.values[q.p.length - 1]![t]!)];
  if (!(hi > lo)) hi = lo + Math.max(1e-9, Math.abs(lo) * 1e-9);
  const H = meanSurvival(q, all, lo, hi);
  const dx = (hi - lo) / (GRID - 1);
  const e = devs.length > 0 ? devs : Float64Array.of(0);
  const at = (y: number) => {
    if (y < lo) return 1;
    if (y >= hi) return 0;
    const g = (y - lo) / dx;
    const i = Math.min(GRID - 2, Math.floor(g));
    return H[i]! + (H[i + 1]! - H[i]!) * (g - i);
  };
  let [emin, emax] = [Infinity, -Infinity];
  for (const v of e) [emin, emax] = [Math.min(emin, v), Math.max(emax, v)];
  const G = ((x: number) => {
    let s = 0;
    for (const v of e) s += at(x - v);
    return s / e.length;
  }) as Exceedance;
  G.range = [lo + emin, hi + emax];
  return G;
}

/** The level x ≥ 0 with G(x) = alpha (bisection; G is non-increasing). */
export function levelFor(G: Exceedance, alpha: number): number {
  let [a, b] = G.range;
  if (G(a) <= alpha) return Math.max(0, a);
  for (let i = 0; i < 60; i++) {
    const m = (a + b) / 2;
    if (G(m) > alpha) a = m;
    else b = m;
  }
  return Math.max(0, b);
}

export interface OursOptions {
  metric: 'cpu' | 'memory';
  /** Default 0.05: the fraction of pod-minutes the request may be exceeded. */
  risk?: number;
  /** Blocks an hour of the schedule has (default: an hour of the forecast's step). */
  blocksPerHour?: number;
}

export interface OursRecommendation {
  request: number;
  /** CPU: throttled pod-minutes at risk / 50; memory: the highest plausible minute × 1.15. */
  limit: number;
  /** Per hour of the period: the request at the same risk over that hour alone. */
  schedule: { start: number; request: number }[];
  /** The level 0.1 % of the period's pod-minutes are expected to exceed (PEAK_EXCEEDANCE). */
  expectedPeak: number;
  /** The expected fraction of pod-minutes above a level (for the report's risk column). */
  exceedance: Exceedance;
}

/** The expected peak is the level 0.1 % of pod-minutes exceed: about ten minutes of a week. */
export const PEAK_EXCEEDANCE = 0.001;

/** The margin KRR and VPA both add (the same for the three methods' memory limits). */
export const MEMORY_MARGIN = 1.15;

/** What a recommendation at any risk needs, computed once: the period's and each hour's G. */
export interface OursModel {
  metric: 'cpu' | 'memory';
  period: Exceedance;
  hours: { start: number; G: Exceedance }[];
  /** Memory's limit (it does not depend on the risk). */
  memoryLimit: number;
  expectedPeak: number;
}

export function oursModel(q: QuantileForecast, devs: Float64Array, o: Omit<OursOptions, 'risk'>): OursModel {
  const e = evenQuantiles(devs, 200);
  const n = q.values[0]?.length ?? 0;
  const top = q.values[q.p.length - 1]!;
  const per = o.blocksPerHour ?? Math.max(1, Math.round(3_600_000 / q.stepMs));
  const hours: OursModel['hours'] = [];
  for (let b = 0; b < n; b += per) {
    const blocks = Array.from({ length: Math.min(per, n - b) }, (_, i) => b + i);
    hours.push({ start: q.start + b * q.stepMs, G: exceedance(q, e, blocks) });
  }
  const maxDev = devs.reduce((a, v) => Math.max(a, v), 0);
  const period = exceedance(q, e);
  return {
    metric: o.metric,
    period,
    hours,
    memoryLimit: (top.reduce((a, v) => Math.max(a, v), 0) + maxDev) * MEMORY_MARGIN,
    expectedPeak: levelFor(period, PEAK_EXCEEDANCE),
  };
}

/** The recommendation of a prepared model at `risk` (docs/RECOMMENDATIONS.md, "Ours"). */
export function oursAt(m: OursModel, risk: number): OursRecommendation {
  return {
    request: levelFor(m.period, risk),
    limit: m.metric === 'cpu' ? levelFor(m.period, risk / 50) : m.memoryLimit,
    schedule: m.hours.map((h) => ({ start: h.start, request: levelFor(h.G, risk) })),
    expectedPeak: m.expectedPeak,
    exceedance: m.period,
  };
}

/**
 * Our request and limit for the period from its forecast and the history's deviations of pod-steps
 * from their block mean (docs/RECOMMENDATIONS.md, "Ours").
 */
export function recommendFromForecast(q: QuantileForecast, devs: Float64Array, o: OursOptions): OursRecommendation {
  return oursAt(oursModel(q, devs, o), o.risk ?? 0.05);
}
