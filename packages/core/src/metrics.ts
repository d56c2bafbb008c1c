/**
 * Forecast accuracy measures. Each takes actual and predicted values of the same length and
 * ignores positions where either is NaN.
 */

function pairs(y: ArrayLike<number>, f: ArrayLike<number>): [number, number][] {
  if (y.length !== f.length) throw new Error(`metrics: ${y.length} actual values but ${f.length} forecasts`);
  const out: [number, number][] = [];
  for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i]!) && !Number.isNaN(f[i]!)) out.push([y[i]!, f[i]!]);
  return out;
}

const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

export function mse(y: ArrayLike<number>, f: ArrayLike<number>): number {
  return mean(pairs(y, f).map(([a, b]) => (a - b) ** 2));
}

export function rmse(y: ArrayLike<number>, f: ArrayLike<number>): number {
  return Math.sqrt(mse(y, f));
}

export function mae(y: ArrayLike<number>, f: ArrayLike<number>): number {
  return mean(pairs(y, f).map(([a, b]) => Math.abs(a - b)));
}

/** Symmetric MAPE in percent (0–200), the M4 definition; pairs with both values 0 count as 0. */
export function smape(y: ArrayLike<number>, f: ArrayLike<number>): number {
  return mean(
    pairs(y, f).map(([a, b]) => (a === 0 && b === 0 ? 0 : (200 * Math.abs(a - b)) / (Math.abs(a) + Math.abs(b)))),
  );
}

/**
 * The in-sample mean absolute error of the seasonal naive forecast (period m ≥ 1) on the
 * training series: the scale of MASE.
 */
export function seasonalNaiveScale(train: ArrayLike<number>, m: number): number {
  const errs: number[] = [];
  for (let i = m; i < train.length; i++) {
    const a = train[i]!;
    const b = train[i - m]!;
    if (!Number.isNaN(a) && !Number.isNaN(b)) errs.push(Math.abs(a - b));
  }
  return mean(errs);
}

/** Mean absolute scaled error against the seasonal naive forecast on `train`. */
export function mase(y: ArrayLike<number>, f: ArrayLike<number>, train: ArrayLike<number>, m: number): number {
  return mae(y, f) / seasonalNaiveScale(train, m);
}

/** Share of actual values inside [lo, hi]. */
export function coverage(y: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): number {
  let n = 0;
  let inside = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i]!) || Number.isNaN(lo[i]!) || Number.isNaN(hi[i]!)) continue;
    n++;
    if (y[i]! >= lo[i]! && y[i]! <= hi[i]!) inside++;
  }
  return n === 0 ? NaN : inside / n;
}

/**
 * Pinball (quantile) loss at quantile q: under-forecasts cost q per unit, over-forecasts 1 − q.
 * For capacity planning q = 0.9 makes running short nine times dearer than over-provisioning.
 */
export function pinball(y: ArrayLike<number>, quantileForecast: ArrayLike<number>, q: number): number {
  return mean(pairs(y, quantileForecast).map(([a, b]) => (a >= b ? q * (a - b) : (1 - q) * (b - a))));
}

/**
 * The interval (Winkler) score of central intervals at `level` percent: the width, plus 2/α times
 * how far each value falls outside (α = 1 − level/100). Lower is better; it rewards coverage only
 * as far as the width it costs, so calibration cannot be bought with absurd intervals.
 */
export function intervalScore(
  y: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  level: number,
): number {
  const alpha = 1 - level / 100;
  const scores: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const [a, l, h] = [y[i]!, lo[i]!, hi[i]!];
    if (Number.isNaN(a) || Number.isNaN(l) || Number.isNaN(h)) continue;
    scores.push(h - l + (a < l ? (2 / alpha) * (l - a) : 0) + (a > h ? (2 / alpha) * (a - h) : 0));
  }
  return mean(scores);
}
