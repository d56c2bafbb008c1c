import type { UsageGrid } from './usage.js';

/**
 * A VPA-style recommender: the Kubernetes Vertical Pod Autoscaler's recommender logic
 * (kubernetes/autoscaler, vertical-pod-autoscaler/pkg/recommender, defaults at commit 55c37cd5eb)
 * replayed over a history instead of fed live: decaying histograms of CPU samples and of daily memory
 * peaks, percentiles, the safety margin, the confidence multipliers and the pod minimum.
 */

const DAY = 86_400_000;

/** VPA's exponential bucketing (util/histogram_options.go). */
class ExponentialBuckets {
  readonly count: number;
  constructor(
    maxValue: number,
    private readonly first: number,
    private readonly ratio: number,
  ) {
    this.count = Math.ceil(Math.log((maxValue * (ratio - 1)) / first + 1) / Math.log(ratio)) + 1;
  }

  find(value: number): number {
    if (value < this.first) return 0;
    const b = Math.floor(Math.log((value * (this.ratio - 1)) / this.first + 1) / Math.log(this.ratio));
    return Math.min(b, this.count - 1);
  }

  start(bucket: number): number {
    return bucket === 0 ? 0 : (this.first * (Math.pow(this.ratio, bucket) - 1)) / (this.ratio - 1);
  }
}

/** VPA's decaying histogram (util/decaying_histogram.go): weight × 2^((t − ref) / half-life). */
class DecayingHistogram {
  private readonly weights: Float64Array;
  private total = 0;
  private min: number;
  private max = 0;

  constructor(
    private readonly buckets: ExponentialBuckets,
    private readonly halfLifeMs: number,
    private readonly ref: number,
  ) {
    this.weights = new Float64Array(buckets.count);
    this.min = buckets.count - 1;
  }

  add(value: number, weight: number, t: number): void {
    const w = weight * Math.pow(2, (t - this.ref) / this.halfLifeMs);
    const b = this.buckets.find(value);
    this.weights[b] = this.weights[b]! + w;
    this.total += w;
    [this.min, this.max] = [Math.min(this.min, b), Math.max(this.max, b)];
  }

  /** VPA's Percentile: the start of the bucket after the one where the cumulative weight reaches p. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    let sum = 0;
    let b = this.min;
    for (; b < this.max; b++) {
      sum += this.weights[b]!;
      if (sum >= p * this.total) break;
    }
    return b < this.buckets.count - 1 ? this.buckets.start(b + 1) : this.buckets.start(b);
  }
}

export interface VpaOptions {
  /** Default 0.9 (`--target-cpu-percentile`); memory's target percentile is 0.9 too. */
  targetPercentile?: number;
  /** Default 0.15 (`--recommendation-margin-fraction`). */
  safetyMargin?: number;
}

export interface VpaRecommendation {
  target: number;
  lowerBound: number;
  upperBound: number;
  /** What VPA sets: the target. */
  request: number;
  /** The upper bound: VPA scales the pod's own limit, and the history has no requests to scale by. */
  limit: number;
  confidence: number;
}

/** VPA's ResourceAmount: whole millicores or bytes, truncated, never negative. */
const amount = (x: number) => Math.max(0, Math.trunc(x));

/** Per pod, the peak of each memory aggregation interval, as container.go's addMemorySample opens them. */
function memoryPeaks(p: Float64Array, start: number, step: number): { t: number; v: number }[] {
  const peaks: { t: number; v: number }[] = [];
  let windowEnd = NaN;
  p.forEach((v, i) => {
    if (Number.isNaN(v)) return;
    const t = start + i * step;
    if (Number.isNaN(windowEnd)) windowEnd = t; // the first sample: a window of no length
    if (t < windowEnd) {
      const last = peaks[peaks.length - 1]!;
      last.v = Math.max(last.v, v);
      return;
    }
    windowEnd += Math.floor((t - windowEnd) / DAY) * DAY + DAY;
    peaks.push({ t: windowEnd, v });
  });
  return peaks;
}

/**
 * The recommendation for one container of a workload (all its pods aggregated), in the grid's units
 * (cores, or MiB: VPA works in bytes, converted here).
 */
export function vpaStyle(g: UsageGrid, metric: 'cpu' | 'memory', o: VpaOptions = {}): VpaRecommendation {
  let [first, last, samples] = [Infinity, -Infinity, 0];
  for (const p of g.pods)
    p.values.forEach((v, i) => {
      if (Number.isNaN(v)) return;
      samples++;
      [first, last] = [Math.min(first, g.start + i * g.stepMs), Math.max(last, g.start + i * g.stepMs)];
    });
  const mib = 1024 * 1024;
  const h =
    metric === 'cpu'
      ? new DecayingHistogram(new ExponentialBuckets(1000, 0.01, 1.05), DAY, last)
      : new DecayingHistogram(new ExponentialBuckets(1e12, 1e7, 1.05), DAY, last);
  for (const p of g.pods) {
    if (metric === 'cpu')
      p.values.forEach((v, i) => {
        // A sample's usage is a ResourceAmount first: whole millicores. minSampleWeight 0.1.
        if (!Number.isNaN(v)) h.add(amount(v * 1000) / 1000, 0.1, g.start + i * g.stepMs);
      });
    else
      for (const peak of memoryPeaks(p.values, g.start, g.stepMs))
        if (peak.t >= last - 8 * DAY) h.add(amount(peak.v * mib), 1, peak.t);
  }
  // VPA's confidence: the history in days, or its samples per 1 440 (a day of 1-minute samples).
  const confidence = Math.min((last - first) / DAY, samples / 1440);
  const margin = o.safetyMargin ?? 0.15;
  const withMargin = (x: number) => {
    const base = metric === 'cpu' ? amount(x * 1000) : amount(x);
    return base + amount(base * margin);
  };
  const floor = metric === 'cpu' ? 25 : 250 * mib; // the pod minimum, one container
  const unit = (a: number) => (metric === 'cpu' ? Math.max(a, floor) / 1000 : Math.max(a, floor) / mib);
  const target = unit(withMargin(h.percentile(o.targetPercentile ?? 0.9)));
  const lowerBound = unit(amount(withMargin(h.percentile(0.5)) * Math.pow(1 + 0.001 / confidence, -2)));
  const upperBound = unit(amount(withMargin(h.percentile(0.95)) * Math.pow(1 + 1 / confidence, 1)));
  return { target, lowerBound, upperBound, request: target, limit: upperBound, confidence };
}
