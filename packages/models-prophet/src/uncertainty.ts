import { seededRandom } from '@amf-foresight/core';
function normal(u: () => number): number {
  let a = u();
  while (a === 0) a = u();
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
}

function laplace(u: () => number, scale: number): number {
  const v = u() - 0.5;
  return -scale * Math.sign(v) * Math.log(1 - 2 * Math.abs(v) || Number.MIN_VALUE);
}

/** numpy's default ('linear') percentile of sorted values. */
export function percentileSorted(a: Float64Array, pct: number): number {
  const q = (pct / 100) * (a.length - 1);
  const i = Math.floor(q);
  const f = q - i;
  if (i + 1 >= a.length) return a[a.length - 1]!;
  return f >= 0.5 ? a[i + 1]! - (1 - f) * (a[i + 1]! - a[i]!) : a[i]! + f * (a[i + 1]! - a[i]!);
}

export interface UncertaintyInput {
  /** Point forecast and the multiplicative factor per future row. */
  yhat: ArrayLike<number>;
  multiplicative: ArrayLike<number>;
  /** Scaled time of the future rows (all > 1) and the mean step of the history in t units. */
  t: ArrayLike<number>;
  historyStep: number;
  growth: 'linear' | 'flat';
  S: number;
  delta: readonly number[];
  sigmaObs: number;
  yScale: number;
  samples: number;
  seed: number;
  levels: readonly number[];
}

/**
 * Prophet's predictive intervals under MAP (docs/PROPHET_MODEL.md §9): future trend changes drawn
 * from the changepoint model (rate S·Δ per step, Laplace magnitudes with the mean fitted |δ|),
 * spread half to each neighbouring step and integrated twice, plus observation noise. The
 * random stream is ours, so bounds agree with Python's only up to sampling noise.
 */
export function simulateIntervals(o: UncertaintyInput): Record<number, { lo: Float64Array; hi: Float64Array }> {
  const L = o.yhat.length;
  const u = seededRandom(o.seed);
  let step = o.historyStep;
  if (L > 1) step = (o.t[L - 1]! - o.t[0]!) / (L - 1);
  const p = o.S * step;
  const lambda = o.delta.reduce((s, d) => s + Math.abs(d), 0) / Math.max(1, o.delta.length) + 1e-8;
  const draws = Array.from({ length: L }, () => new Float64Array(o.samples));
  const d = new Float64Array(L);
  for (let s = 0; s < o.samples; s++) {
    if (o.growth === 'linear') {
      for (let j = 0; j < L; j++) d[j] = u() < p ? 1 : 0;
      for (let j = 0; j < L; j++) d[j] = d[j]! ? laplace(u, lambda) : 0;
    }
    let slope = 0;
    let level = 0;
    let prev = 0;
    for (let j = 0; j < L; j++) {
      const cur = o.growth === 'linear' ? d[j]! : 0;
      slope += (cur + prev) / 2;
      prev = cur;
      level += slope;
      const trendShift = level * step * o.yScale * (1 + o.multiplicative[j]!);
      draws[j]![s] = o.yhat[j]! + trendShift + normal(u) * o.sigmaObs * o.yScale;
    }
  }
  const out: Record<number, { lo: Float64Array; hi: Float64Array }> = {};
  for (const level of o.levels) out[level] = { lo: new Float64Array(L), hi: new Float64Array(L) };
  for (let j = 0; j < L; j++) {
    const sorted = draws[j]!.sort();
    for (const level of o.levels) {
      out[level]!.lo[j] = percentileSorted(sorted, 50 - level / 2);
      out[level]!.hi[j] = percentileSorted(sorted, 50 + level / 2);
    }
  }
  return out;
}
