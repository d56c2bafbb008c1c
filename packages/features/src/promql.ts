/**
 * PromQL evaluation of one series on a regular grid, exactly as Prometheus 2.42 does it, so
 * that our numbers equal what Grafana shows from `query_range`:
 * - range selection `m[W]` at time T takes the samples with T − W ≤ t ≤ T (closed at both
 *   ends in 2.x), staleness markers left out;
 * - `rate()` is `extrapolatedRate` (promql/functions.go): counter resets add the value before
 *   the drop, then the increase is extrapolated towards the range edges (at most half an average
 *   interval beyond the first and last sample, and never below a counter value of zero), and
 *   divided by W in seconds — with the same floating-point operations in the same order;
 * - an instant selection at T takes the latest sample with T − lookback ≤ t ≤ T, unless it is
 *   a staleness marker.
 */

import type { Table } from 'apache-arrow';
import { UsageError } from '@amf-foresight/core';

const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;

/** One series: timestamps (ms) ascending, values, and which values are staleness markers. */
export interface SeriesPoints {
  t: Float64Array;
  v: Float64Array;
  stale: Uint8Array;
}

export function seriesPoints(t: ArrayLike<number | bigint>, v: Float64Array): SeriesPoints {
  const n = v.length;
  const tt = new Float64Array(n);
  for (let i = 0; i < n; i++) tt[i] = Number(t[i]!);
  const u32 = new Uint32Array(v.buffer, v.byteOffset, n * 2);
  const stale = new Uint8Array(n);
  for (let i = 0; i < n; i++) stale[i] = u32[2 * i + 1] === STALE_HI && u32[2 * i] === STALE_LO ? 1 : 0;
  return { t: tt, v, stale };
}

/** Points a generated series may have (a year at 1 minute is 525 600): `generate --step 1ms` ran out of memory. */
export const MAX_GRID_POINTS = 2_000_000;

/** The grid of query_range: start, start + step, … up to end inclusive. */
export function grid(start: number, end: number, step: number): Float64Array {
  const n = Math.floor((end - start) / step) + 1;
  if (n > MAX_GRID_POINTS)
    throw new UsageError(
      'GRID_TOO_LARGE',
      `a grid of ${n} points (window ÷ step) is more than the ${MAX_GRID_POINTS} a series may have`,
      { flag: '--step', hint: 'use a larger --step or a shorter window' },
    );
  const g = new Float64Array(Math.max(0, n));
  for (let k = 0; k < g.length; k++) g[k] = start + k * step;
  return g;
}

/** rate(m[windowMs]) at every grid time; NaN where fewer than two samples are in range. */
export function rateOnGrid(s: SeriesPoints, times: Float64Array, windowMs: number, isRate = true): Float64Array {
  const out = new Float64Array(times.length).fill(NaN);
  const rangeSeconds = windowMs / 1000;
  let lo = 0;
  let hi = 0;
  const n = s.t.length;
  const pt: number[] = [];
  const pv: number[] = [];
  for (let k = 0; k < times.length; k++) {
    const T = times[k]!;
    const rangeStart = T - windowMs;
    while (lo < n && s.t[lo]! < rangeStart) lo++;
    if (hi < lo) hi = lo;
    while (hi < n && s.t[hi]! <= T) hi++;
    pt.length = 0;
    pv.length = 0;
    for (let i = lo; i < hi; i++) {
      if (s.stale[i]) continue;
      pt.push(s.t[i]!);
      pv.push(s.v[i]!);
    }
    if (pt.length < 2) continue;
    const m = pt.length;
    let result = pv[m - 1]! - pv[0]!;
    let prev = pv[0]!;
    for (let i = 1; i < m; i++) {
      const cur = pv[i]!;
      if (cur < prev) result += prev;
      prev = cur;
    }
    let durationToStart = (pt[0]! - rangeStart) / 1000;
    const durationToEnd = (T - pt[m - 1]!) / 1000;
    const sampledInterval = (pt[m - 1]! - pt[0]!) / 1000;
    const averageDurationBetweenSamples = sampledInterval / (m - 1);
    if (result > 0 && pv[0]! >= 0) {
      const durationToZero = sampledInterval * (pv[0]! / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
    let extrapolateToInterval = sampledInterval;
    extrapolateToInterval +=
      durationToStart < extrapolationThreshold ? durationToStart : averageDurationBetweenSamples / 2;
    extrapolateToInterval += durationToEnd < extrapolationThreshold ? durationToEnd : averageDurationBetweenSamples / 2;
    let factor = extrapolateToInterval / sampledInterval;
    if (isRate) factor /= rangeSeconds;
    out[k] = result * factor;
  }
  return out;
}

/** The instant value at every grid time (lookback in ms, 5 minutes in Prometheus by default). */
export function instantOnGrid(s: SeriesPoints, times: Float64Array, lookbackMs = 300_000): Float64Array {
  const out = new Float64Array(times.length).fill(NaN);
  let i = 0;
  const n = s.t.length;
  for (let k = 0; k < times.length; k++) {
    const T = times[k]!;
    while (i < n && s.t[i]! <= T) i++;
    const last = i - 1;
    if (last < 0 || s.t[last]! < T - lookbackMs || s.stale[last]) continue;
    out[k] = s.v[last]!;
  }
  return out;
}

/** The points of the series `ids` of a samples table (sorted by series, then time), in one pass. */
export function pointsById(samples: Table, ids: Set<number>): Map<number, SeriesPoints> {
  const sid = samples.getChild('series_id')!.toArray() as Uint32Array;
  const t = samples.getChild('t')!.toArray() as BigInt64Array;
  const v = samples.getChild('v')!.toArray() as Float64Array;
  const out = new Map<number, SeriesPoints>();
  let i = 0;
  while (i < sid.length) {
    const id = sid[i]!;
    let j = i;
    while (j < sid.length && sid[j] === id) j++;
    if (ids.has(id)) out.set(id, seriesPoints(t.subarray(i, j), v.slice(i, j)));
    i = j;
  }
  return out;
}
