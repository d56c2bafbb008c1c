/**
 * Missing values (NaN) filled by linear interpolation between their neighbours; leading and
 * trailing gaps take the nearest value. An all-NaN input comes back unchanged.
 */
export function fillGaps(y: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(y);
  let last = -1;
  for (let i = 0; i < out.length; i++) {
    if (Number.isNaN(out[i]!)) continue;
    if (last < 0) out.fill(out[i]!, 0, i);
    else for (let k = last + 1; k < i; k++) out[k] = out[last]! + ((out[i]! - out[last]!) * (k - last)) / (i - last);
    last = i;
  }
  if (last >= 0) out.fill(out[last]!, last + 1);
  return out;
}

/** A small seeded generator (mulberry32) of uniform numbers in [0, 1): reproducible for a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The split-conformal quantile of sorted scores at `level` (0–1): the ⌈(n+1)·level⌉-th smallest,
 * the largest when that is past the end; 0 for no scores.
 */
export function conformalQuantile(sorted: ArrayLike<number>, level: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const k = Math.min(n, Math.max(1, Math.ceil((n + 1) * level)));
  return sorted[k - 1]!;
}

/**
 * The weighted conformal quantile of Barber, Candès, Ramdas & Tibshirani (2023, "Conformal
 * prediction beyond exchangeability"): scores weighted (e.g. toward the recent past) and the test
 * point given weight 1, the smallest score whose cumulative normalised weight reaches `level`; the
 * largest score when the test point's own mass is needed (the unweighted rule's "past the end").
 * Equal weights of 1 give conformalQuantile's ⌈(n+1)·level⌉-th smallest.
 */
export function weightedConformalQuantile(
  scores: ArrayLike<number>,
  weights: ArrayLike<number>,
  level: number,
): number {
  return weightedConformalQuantiles(scores, weights, [level])[0]!;
}

/** weightedConformalQuantile at several levels, the scores sorted once. */
export function weightedConformalQuantiles(
  scores: ArrayLike<number>,
  weights: ArrayLike<number>,
  levels: readonly number[],
): number[] {
  const n = scores.length;
  if (n === 0) return levels.map(() => 0);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let total = 1;
  for (let i = 0; i < n; i++) total += weights[i]!;
  return levels.map((level) => {
    let acc = 0;
    for (const i of order) {
      acc += weights[i]!;
      if (acc / total >= level - 1e-12) return scores[i]!;
    }
    return scores[order[n - 1]!]!;
  });
}

/** Weights 2^(−age / halfLife): a score `halfLife` steps older counts half as much. */
export function recencyWeight(age: number, halfLife: number): number {
  return Math.pow(2, -age / halfLife);
}
