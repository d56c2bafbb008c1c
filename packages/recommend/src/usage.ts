/**
 * The usage of a workload's pods on one regular grid: a row per pod, NaN where the pod did not run
 * (before it started, after it ended, a gap in the data). A pod's step is one observation; a
 * workload of N replicas has N observations a step. Values are cores or MiB, never negative.
 */
export interface UsageGrid {
  /** The grid's first time, ms since 1970. */
  start: number;
  stepMs: number;
  pods: { name: string; values: Float64Array }[];
}

/** Steps of the grid (the longest row). */
export function gridSteps(g: UsageGrid): number {
  return g.pods.reduce((n, p) => Math.max(n, p.values.length), 0);
}

/** The grid's steps [from, to) (by index), every pod kept. */
export function sliceGrid(g: UsageGrid, from: number, to: number): UsageGrid {
  return {
    start: g.start + from * g.stepMs,
    stepMs: g.stepMs,
    pods: g.pods.map((p) => ({ name: p.name, values: p.values.slice(from, to) })),
  };
}

/** The mean over the pods that ran at each step (NaN where none did). */
export function podMean(g: UsageGrid): Float64Array {
  const n = gridSteps(g);
  const sum = new Float64Array(n);
  const count = new Float64Array(n);
  for (const p of g.pods)
    p.values.forEach((v, i) => {
      if (Number.isNaN(v)) return;
      sum[i] = sum[i]! + v;
      count[i] = count[i]! + 1;
    });
  return sum.map((s, i) => (count[i]! > 0 ? s / count[i]! : NaN));
}

/** Means of consecutive blocks of `factor` values (NaN values left out; NaN for an empty block). */
export function blockMeans(values: ArrayLike<number>, factor: number): Float64Array {
  const out = new Float64Array(Math.ceil(values.length / factor));
  for (let b = 0; b < out.length; b++) {
    let [s, c] = [0, 0];
    for (let i = b * factor; i < Math.min(values.length, (b + 1) * factor); i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      s += v;
      c++;
    }
    out[b] = c > 0 ? s / c : NaN;
  }
  return out;
}

/**
 * Every pod-step of the grid minus its block's per-pod mean: how far one pod's step strays from the
 * mean a forecast of block means predicts (within the block, and between replicas).
 */
export function deviations(g: UsageGrid, factor: number): Float64Array {
  const means = blockMeans(podMean(g), factor);
  const out: number[] = [];
  for (const p of g.pods)
    p.values.forEach((v, i) => {
      const m = means[Math.floor(i / factor)]!;
      if (!Number.isNaN(v) && !Number.isNaN(m)) out.push(v - m);
    });
  return Float64Array.from(out);
}

/** Every observed pod-step value, in no particular order. */
export function observations(g: UsageGrid): Float64Array {
  const out: number[] = [];
  for (const p of g.pods) for (const v of p.values) if (!Number.isNaN(v)) out.push(v);
  return Float64Array.from(out);
}

/** numpy's percentile with linear interpolation (q in 0–100) of ascending values; NaN for none. */
function sortedPercentile(s: Float64Array, q: number): number {
  if (s.length === 0) return NaN;
  const at = (q / 100) * (s.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}

/** numpy's percentile with linear interpolation (q in 0–100) of unsorted values; NaN for none. */
export function percentile(values: ArrayLike<number>, q: number): number {
  return sortedPercentile(Float64Array.from(values).sort(), q);
}

/** `count` values at evenly spaced probabilities (k + ½) / count of the sample (its quantiles). */
export function evenQuantiles(values: ArrayLike<number>, count: number): Float64Array {
  const s = Float64Array.from(values).sort();
  if (s.length <= count) return s;
  return Float64Array.from({ length: count }, (_, k) => sortedPercentile(s, (100 * (k + 0.5)) / count));
}
