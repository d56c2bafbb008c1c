import { InputError } from './errors.js';
import type { SeriesInput } from './forecaster.js';

export interface Regularised {
  series: { ds: number[]; y: number[] };
  /** The grid step, ms (see inferStep). */
  step: number;
  /** What was done, one phrase each (empty when the input was regular already). */
  notes: string[];
}

/**
 * The grid step: the most common positive difference between successive timestamps when at least
 * half of them have it (an exact grid with gaps), else their median rounded to a whole second
 * (jittered scrapes).
 */
function inferStep(ds: readonly number[]): number {
  const diffs: number[] = [];
  for (let i = 1; i < ds.length; i++) if (ds[i]! > ds[i - 1]!) diffs.push(ds[i]! - ds[i - 1]!);
  if (diffs.length === 0) return 0;
  const counts = new Map<number, number>();
  for (const d of diffs) counts.set(d, (counts.get(d) ?? 0) + 1);
  const [mode, count] = [...counts].reduce((a, b) => (b[1] > a[1] || (b[1] === a[1] && b[0] < a[0]) ? b : a));
  if (count * 2 >= diffs.length) return mode;
  const median = diffs.sort((a, b) => a - b)[Math.floor(diffs.length / 2)]!;
  return median >= 1000 ? Math.round(median / 1000) * 1000 : median;
}

/**
 * A series on a regular grid, as every model needs it: sorted by time; points sharing a timestamp,
 * or snapping to the same grid time, merged (their mean; NaN only if all are); timestamps snapped
 * to the grid of the most common step from the first one; missing steps inserted as NaN. Refused
 * (one line, exit 2) when more than `maxGapShare` of the grid would be missing.
 */
export function regularise(s: SeriesInput, maxGapShare = 0.2): Regularised {
  const n = s.ds.length;
  if (n !== s.y.length) throw new InputError('SERIES_SHAPE', `ds has ${n} points and y ${s.y.length}`);
  const order = Array.from({ length: n }, (_, i) => i);
  const sorted = order.every((i) => i === 0 || s.ds[i]! >= s.ds[i - 1]!);
  if (!sorted) order.sort((a, b) => s.ds[a]! - s.ds[b]!);
  const ds = order.map((i) => s.ds[i]!);
  const step = inferStep(ds);
  if (n < 2 || step === 0) return { series: { ds, y: order.map((i) => s.y[i]!) }, step, notes: [] };
  const t0 = ds[0]!;
  const size = Math.round((ds[n - 1]! - t0) / step) + 1;
  const sum = new Float64Array(size);
  const count = new Uint32Array(size);
  const seen = new Uint32Array(size);
  let offGrid = 0;
  order.forEach((i, k) => {
    const j = Math.round((ds[k]! - t0) / step);
    if (ds[k]! !== t0 + j * step) offGrid++;
    seen[j]!++;
    const v = s.y[i]!;
    if (!Number.isNaN(v)) {
      sum[j]! += v;
      count[j]!++;
    }
  });
  const missing = seen.reduce((a, c) => a + (c === 0 ? 1 : 0), 0);
  if (missing / size > maxGapShare) {
    throw new InputError(
      'SERIES_TOO_SPARSE',
      `on its ${step / 1000} s grid the series misses ${missing} of ${size} steps ` +
        `(more than ${Math.round(maxGapShare * 100)} %)`,
      { hint: 'choose a window with data, or a larger --step' },
    );
  }
  const merged = seen.reduce((a, c) => a + (c > 1 ? c - 1 : 0), 0);
  const notes = [
    ...(sorted ? [] : ['sorted by time']),
    ...(merged > 0 ? [`${merged} points sharing a grid time merged (their mean)`] : []),
    ...(offGrid > 0 ? [`${offGrid} timestamps snapped to the ${step / 1000} s grid`] : []),
    ...(missing > 0 ? [`${missing} missing steps added as gaps`] : []),
  ];
  const y = Array.from({ length: size }, (_, j) => (count[j]! > 0 ? sum[j]! / count[j]! : NaN));
  return { series: { ds: Array.from({ length: size }, (_, j) => t0 + j * step), y }, step, notes };
}
