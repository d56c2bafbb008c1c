import { percentile } from './usage.js';
import type { UsageGrid } from './usage.js';

/**
 * KRR's "simple" strategy as robusta-dev/krr has it (robusta_krr/strategies/simple.py, defaults at
 * commit d6baa74): CPU request = the CPU percentile (95) of each pod's samples over the history, the
 * largest over the pods, and no CPU limit; memory request = limit = the largest working set of any
 * pod × (1 + buffer), buffer 15 %. Undefined (null) below 100 samples or 3 hours of history.
 */
export interface KrrOptions {
  /** Default 95. */
  cpuPercentile?: number;
  /** Default 15 (%). */
  memoryBufferPercentage?: number;
  /** Default 100, KRR's `points_required`. */
  pointsRequired?: number;
}

export interface KrrRecommendation {
  request: number | null;
  limit: number | null;
  /** Why a value is missing, as KRR says it. */
  info?: string;
}

const THREE_HOURS = 3 * 3_600_000;

function enoughData(g: UsageGrid, o: KrrOptions): string | undefined {
  let [points, first, last] = [0, Infinity, -Infinity];
  for (const p of g.pods)
    p.values.forEach((v, i) => {
      if (Number.isNaN(v)) return;
      points++;
      [first, last] = [Math.min(first, i), Math.max(last, i)];
    });
  if (points < (o.pointsRequired ?? 100)) return 'Not enough data';
  if ((last - first) * g.stepMs < THREE_HOURS) return 'Not enough history';
  return undefined;
}

export function krrSimple(g: UsageGrid, metric: 'cpu' | 'memory', o: KrrOptions = {}): KrrRecommendation {
  const info = enoughData(g, o);
  if (info) return { request: null, limit: null, info };
  const finite = (values: Float64Array) => values.filter((v) => !Number.isNaN(v));
  const pods = g.pods.map((p) => finite(p.values)).filter((v) => v.length > 0);
  if (metric === 'cpu') {
    const q = o.cpuPercentile ?? 95;
    return { request: Math.max(...pods.map((v) => percentile(v, q))), limit: null };
  }
  const peak = Math.max(...pods.map((v) => v.reduce((a, x) => Math.max(a, x), -Infinity)));
  const m = peak * (1 + (o.memoryBufferPercentage ?? 15) / 100);
  return { request: m, limit: m };
}
